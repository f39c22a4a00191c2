"""CROSS / LEFT JOIN UNNEST ... WITH ORDINALITY: the 1-based position column, bound and run on
both targets (batch DuckDB and the stream operator) with the same rows."""

from __future__ import annotations

import pytest

from nrtg.catalog import types as t
from nrtg.compiler.api import compile_sql
from nrtg.compiler.errors import BindError, ParseError
from nrtg.compiler.parse.parse import parse_query, to_flink_sql
from tests.runtime.stream._parity import optimized_plan, run_parity

ROWS = (
    "(VALUES (1, ARRAY['a', 'b']), (2, CAST(NULL AS ARRAY<STRING>)), "
    "(3, ARRAY['c', CAST(NULL AS STRING), 'd'])) AS t(id, arr)"
)


def _both(sql: str) -> set[tuple[object, ...]]:
    batch, stream = run_parity(optimized_plan(sql))
    assert batch == stream
    assert all(c == 1 for c in batch.values())
    return set(batch)


def test_cross_join_positions() -> None:
    rows = _both(f"SELECT id, v, n FROM {ROWS} CROSS JOIN UNNEST(arr) WITH ORDINALITY AS x(v, n)")
    assert rows == {(1, "a", 1), (1, "b", 2), (3, "c", 1), (3, None, 2), (3, "d", 3)}


def test_left_join_pads_the_position_with_null() -> None:
    sql = f"SELECT id, v, n FROM {ROWS} LEFT JOIN UNNEST(arr) WITH ORDINALITY AS x(v, n) ON TRUE"
    assert (2, None, None) in _both(sql)


def test_map_and_row_elements() -> None:
    sql = (
        "SELECT id, k, v, n FROM (VALUES (1, MAP['a', 1, 'b', 2])) AS t(id, m) "
        "CROSS JOIN UNNEST(m) WITH ORDINALITY AS x(k, v, n)"
    )
    assert _both(sql) == {(1, "a", 1, 1), (1, "b", 2, 2)}
    sql = (
        "SELECT a, b, n FROM (VALUES (1, ARRAY[ROW(1, 'x'), ROW(2, 'y')])) AS t(id, arr) "
        "CROSS JOIN UNNEST(arr) WITH ORDINALITY AS x(a, b, n)"
    )
    assert _both(sql) == {(1, "x", 1), (2, "y", 2)}


def test_position_type_and_default_names() -> None:
    plan = optimized_plan(f"SELECT * FROM {ROWS} CROSS JOIN UNNEST(arr) WITH ORDINALITY")
    fields = plan.schema.fields[-2:]
    assert [f.name for f in fields] == ["EXPR$0", "ORDINALITY"]
    assert fields[1].type == t.int_(nullable=False)
    left = optimized_plan(
        f"SELECT n FROM {ROWS} LEFT JOIN UNNEST(arr) WITH ORDINALITY AS x(v, n) ON TRUE"
    )
    assert left.schema.fields[0].type == t.int_(nullable=True)


def test_alias_must_name_the_position() -> None:
    with pytest.raises(BindError, match="WITH ORDINALITY produces 2 columns"):
        compile_sql(f"SELECT * FROM {ROWS} CROSS JOIN UNNEST(arr) WITH ORDINALITY AS x(v)")


def test_with_offset_is_refused() -> None:
    with pytest.raises(ParseError, match="WITH ORDINALITY"):
        compile_sql(f"SELECT * FROM {ROWS} CROSS JOIN UNNEST(arr) WITH OFFSET AS o")


def test_prints_back() -> None:
    sql = "SELECT * FROM t CROSS JOIN UNNEST(t.arr) WITH ORDINALITY AS x(v, n)"
    assert to_flink_sql(parse_query(sql)) == sql
