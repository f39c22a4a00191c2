"""Arrow-backed operator state: the RowStore (append, take, release, compaction, IPC snapshot),
`state_bytes` within 2x of the Arrow size of the kept rows for rows of realistic width, and
snapshot/restore of the operators that keep rows in it."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.golden import ROOT, load_case
from nrtg.runtime.stream.executor import Executor
from nrtg.runtime.stream.fold import fold_multiset
from nrtg.runtime.stream.operators._rowstore import RowStore

from ._parity import query_plans
from .test_parity import _tables

SCHEMA = pa.schema([("k", pa.int64()), ("s", pa.string())])


def batch(ks: list[int]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [pa.array(ks, pa.int64()), pa.array([f"row-{k:06d}" for k in ks])], schema=SCHEMA
    )


def test_rowstore_take_release_compact_and_snapshot() -> None:
    store = RowStore(SCHEMA, ("t",))
    for start in range(0, 1000, 100):
        first = store.append(batch(list(range(start, start + 100))))
        store.aux["t"][first : first + 100] = np.arange(start, start + 100) * 10
    assert len(store.chunks) <= 10 and store.live == 1000
    assert store.rows([5, 999, -1]) == [(5, "row-000005"), (999, "row-000999"), (None, None)]
    assert store.take([999, 5], columns=[1]).column(0).to_pylist() == ["row-000999", "row-000005"]
    store.release(np.arange(0, 1000, 2))
    assert store.should_compact()
    remap = store.compact()
    assert store.live == store.size == 500 and len(store.chunks) == 1
    assert remap[[1, 2, 15]].tolist() == [0, -1, 7]  # ids keep their order
    assert store.rows(remap[[15, 1]]) == [(15, "row-000015"), (1, "row-000001")]
    assert store.aux["t"][remap[999]] == 9990
    copy = RowStore(SCHEMA, ("t",))
    moved = copy.restore(store.snapshot())
    assert moved.tolist() == list(range(500))
    assert copy.rows(range(500)) == store.rows(range(500))
    assert copy.aux["t"][: copy.size].tolist() == store.aux["t"][: store.size].tolist()


@pytest.mark.parametrize("case", ["constructs/interval_join", "constructs/temporal_join"])
def test_snapshot_restore_of_row_state_equals_uninterrupted(case: str) -> None:
    c = load_case(ROOT / "cases" / f"{case}.sql")
    plans, _ = query_plans(c, None)
    graph = lower_to_stream(tuple(plans))
    tables = _tables(c)
    whole = Executor(graph, tables=tables, batch_size=20)
    whole.run()
    expected = fold_multiset(whole.output(0))
    first = Executor(graph, tables=tables, batch_size=20)
    first.run(max_steps=4)
    payload = first.snapshot()
    committed = first.output(0)
    resumed = Executor(graph, tables=tables, batch_size=20, restore=payload)
    # the memory sources restart from their saved positions
    resumed.run()
    parts = [t for t in (committed, resumed.output(0)) if t is not None]
    assert fold_multiset(pa.concat_tables(parts) if parts else None) == expected


def test_state_bytes_within_twice_the_arrow_size_for_wide_rows() -> None:
    from nrtg.compiler.api import compile_sql

    ddl = """CREATE TABLE a (id BIGINT, pad STRING) WITH ('connector' = 'filesystem',
    'path' = '/x', 'format' = 'json');
    CREATE TABLE b (id BIGINT, note STRING) WITH ('connector' = 'filesystem',
    'path' = '/y', 'format' = 'json');
    SELECT a.id, a.pad, b.note FROM a JOIN b ON a.id = b.id;"""
    graph = lower_to_stream(compile_sql(ddl).optimized)
    n = 3000
    pad = "x" * 120
    a = pa.table({"id": pa.array(range(n), pa.int64()), "pad": [pad] * n})
    b = pa.table({"id": pa.array(range(0, 2 * n, 2), pa.int64()), "note": [pad] * n})
    ex = Executor(graph, tables={"a": a, "b": b}, batch_size=500)
    ex.run(max_steps=5)
    (join,) = [op for k, op in ex.operators.items() if graph.operator(k).kind == "join"]
    m = join.metrics()
    assert m["state_rows"] == 2 * 2500
    assert m["state_bytes"] <= 2 * join.state_arrow_bytes()  # type: ignore[attr-defined]
