"""COLLECT is Flink's MULTISET on both targets: value -> count, NULLs not counted, DISTINCT counts
each value once, FILTER applies, a group without values has the empty multiset; keys come in key
order on both targets (a multiset has no order of its own). The batch target used DuckDB's
`list` (NULLs kept, a list instead of a map) until session 6."""

from __future__ import annotations

import pyarrow as pa
import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.plan import nodes as n
from nrtg.runtime.batch import run_plan
from nrtg.runtime.stream.executor import run_graph
from nrtg.runtime.stream.fold import fold_multiset

DDL = """
CREATE TABLE t (k INT, s STRING, x BIGINT) WITH ('connector' = 'kafka', 'topic' = 't',
  'format' = 'json');
"""
ROWS = pa.table(
    {
        "k": pa.array([1, 1, 1, 1, 2, 3, 1, 3], pa.int32()),
        "s": ["b", "a", "b", None, None, "z", "c", "y"],
        "x": pa.array([5, 1, 5, 2, 7, 3, 9, 3], pa.int64()),
    }
)
EXPECTED = {
    1: {
        "all": [("a", 1), ("b", 2), ("c", 1)],
        "distinct": [("a", 1), ("b", 1), ("c", 1)],
        "big": [(5, 2), (9, 1)],
    },
    2: {"all": [], "distinct": [], "big": [(7, 1)]},
    3: {"all": [("y", 1), ("z", 1)], "distinct": [("y", 1), ("z", 1)], "big": []},
}
QUERY = (
    "SELECT k, COLLECT(s) AS `all`, COLLECT(DISTINCT s) AS `distinct`, "
    "COLLECT(x) FILTER (WHERE x > 4) AS big FROM t GROUP BY k"
)


def _plan() -> n.Plan:
    return compile_sql(DDL + QUERY + ";").optimized[0]


def _by_key(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {r["k"]: {c: r[c] for c in ("all", "distinct", "big")} for r in rows}


def test_batch_collect_is_a_multiset_in_key_order() -> None:
    table = run_plan(_plan(), tables={"t": ROWS}).table
    assert pa.types.is_map(table.schema.field("all").type)
    assert _by_key(table.to_pylist()) == EXPECTED


@pytest.mark.parametrize("batch_size", [1, 3, 100])
def test_stream_collect_folds_to_the_same_multisets(batch_size: int) -> None:
    from nrtg.compiler.lower.stream import lower_to_stream

    (changes,) = run_graph(lower_to_stream((_plan(),)), tables={"t": ROWS}, batch_size=batch_size)
    folded = fold_multiset(changes)
    assert sum(folded.values()) == len(EXPECTED)
    final = {k: {"all": list(a), "distinct": list(d), "big": list(b)} for k, a, d, b in folded}
    assert final == EXPECTED
