"""The calc's Arrow-first evaluation (`_arrow_eval.CalcProgram`) against DuckDB evaluating the
whole chain (`_duck.Program`, the batch target's lowering): same rows, same values, NULLs
included; which expressions Arrow takes; and that DuckDB never sees a row a filter drops."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.runtime.stream.operators._arrow_eval import CalcProgram, compile_expr
from nrtg.runtime.stream.operators._duck import DEFAULT_ENV, Program
from nrtg.runtime.stream.operators.calc import program_steps

DDL = """
CREATE TABLE t (
    a INT,
    b BIGINT,
    flag BOOLEAN,
    s STRING,
    r ROW<x BIGINT, y STRING, z ROW<p INT>>,
    r2 ROW<x BIGINT, y STRING, z ROW<p INT>>,
    ts TIMESTAMP(3)
) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = 'x:1',
        'format' = 'json');
"""

ROW = pa.struct([("x", pa.int64()), ("y", pa.string()), ("z", pa.struct([("p", pa.int32())]))])
T0 = dt.datetime(2026, 1, 1)


def batch(fields: list[str]) -> pa.RecordBatch:
    """The rows below, in the columns the source passes on (it drops unread columns)."""
    rows = [
        (1, 10, True, "k", {"x": 5, "y": "a", "z": {"p": 1}}, None, T0),
        (2, None, False, "x", None, {"x": 7, "y": None, "z": None}, T0),
        (None, 30, None, None, {"x": None, "y": "c", "z": {"p": None}}, None, None),
        (4, -40, True, "k", {"x": -9, "y": "d", "z": {"p": 4}}, {"x": 1, "y": "e", "z": None}, T0),
        (0, 0, False, "12", {"x": 0, "y": "0", "z": {"p": 0}}, None, T0),
    ]
    names = ["a", "b", "flag", "s", "r", "r2", "ts"]
    types = [pa.int32(), pa.int64(), pa.bool_(), pa.string(), ROW, ROW, pa.timestamp("ms")]
    columns = [pa.array([r[names.index(f)] for r in rows], types[names.index(f)]) for f in fields]
    ops = pa.array([0, 1, 2, 3, 0], pa.int8())
    return pa.RecordBatch.from_arrays([*columns, ops], names=[*fields, "_op"])


def calc_steps(query: str) -> tuple[list, list[str]]:
    graph = lower_to_stream(compile_sql(DDL + query, None, target="stream").optimized)
    calc = next(op for op in graph.operators if op.kind == "calc")  # the one nearest the source
    steps = calc.params["steps"]
    return program_steps(steps), [f.name for f in steps[0].children[0].schema.fields]


def both(query: str) -> tuple[CalcProgram, list[dict], list[dict]]:
    steps, fields = calc_steps(query)
    program = CalcProgram(steps, len(fields), DEFAULT_ENV)
    got = program.run(batch(fields))
    want = Program(len(fields), steps, DEFAULT_ENV).run(batch(fields))
    assert got.schema.names[-1] == "_op" and want.schema.names[-1] == "_op"
    return program, got.to_pylist(), want.to_pylist()


def rows_only(rows: list[dict]) -> list[tuple]:
    return [tuple(r.values()) for r in rows]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT r.x, r.z.p, r2.y, a, ts FROM t;",
        "SELECT r.x, s FROM t WHERE a = 2 OR flag;",
        "SELECT a, b FROM t WHERE NOT flag;",
        "SELECT a FROM t WHERE b IS NULL OR r.z.p IS NOT NULL;",
        "SELECT a, b FROM t WHERE a < b AND b >= -40 AND a <> 4;",
        "SELECT CASE WHEN a = 1 THEN r.x WHEN flag THEN r2.x ELSE b END AS c FROM t;",
        "SELECT CASE WHEN a = 1 THEN ts ELSE ts END AS c FROM t WHERE ts > TIMESTAMP '2025-12-31 00:00:00';",
        "SELECT 0.908 * b AS p, r.x * 2.50 AS q, -1.5 * a AS n FROM t;",  # exact DECIMAL products
        # integer MOD by a literal: the dividend's sign, as Java's `%` (Nexmark q2's filter)
        "SELECT MOD(b, 3) AS m, MOD(a, -4) AS n, b % 7 AS o, MOD(r.x, 2) AS p FROM t;",
        "SELECT a, b FROM t WHERE MOD(b, 20) = 0 OR MOD(a, 2) = 1;",
    ],
)
def test_direct_expressions_equal_duckdb(query: str) -> None:
    program, got, want = both(query)
    assert all(duck is None for _, _, duck in program.steps)  # Arrow evaluated everything
    assert rows_only(got) == rows_only(want)
    assert got  # every query keeps some rows


@pytest.mark.parametrize(
    "query",
    [
        "SELECT r.x * 2 AS d, r.y, 0.5 * b AS h FROM t;",  # arithmetic, DECIMAL rules
        "SELECT a, r.x FROM t WHERE flag AND b + 3 > 0;",  # one conjunct each way
        "SELECT a FROM t WHERE s = 'k';",  # a CHAR literal: DuckDB keeps its rules
        "SELECT UPPER(r.y) AS u, r2.z.p FROM t WHERE a IS NOT NULL;",
    ],
)
def test_mixed_programs_equal_duckdb(query: str) -> None:
    program, got, want = both(query)
    assert any(duck is not None for _, _, duck in program.steps)
    assert rows_only(got) == rows_only(want)


def test_duckdb_only_sees_rows_the_filters_keep() -> None:
    # s = '12' only on the last row: a CAST of any other `s` to INT fails the job in both
    # engines, so the direct filter must drop those rows before DuckDB casts
    program, got, want = both("SELECT CAST(s AS INT) + 1 AS n FROM t WHERE a = 0;")
    assert any(duck is not None for _, _, duck in program.steps)
    assert rows_only(got) == rows_only(want) == [(13, 0)]


def test_duckdb_receives_lifted_fields_not_whole_rows() -> None:
    program, _, _ = both("SELECT r.x * 2 AS d FROM t;")
    ((_, _, duck),) = program.steps
    assert duck is not None
    assert duck.reads == []  # only the lifted r.x, not the ROW column r
    assert len(duck.fields) == 1


def test_what_arrow_does_not_take() -> None:
    steps, _ = calc_steps(
        "SELECT a + 1 AS p, s = 'k' AS q, CAST(b AS INT) AS c, a = b AS e, MOD(b, a) AS m,"
        " MOD(b, 0) AS z FROM t;"
    )
    ((_, exprs),) = steps
    direct = [compile_expr(x) is not None for x in exprs]
    # arithmetic, CHAR-literal comparison and narrowing casts stay with DuckDB; INT = BIGINT
    # (the binder widens the INT) is direct; MOD only by a literal that is not zero (a zero
    # divisor is DuckDB's to report)
    assert direct == [False, False, False, True, False, False]


def test_a_calc_without_output_columns_keeps_the_row_count() -> None:
    """`SELECT COUNT(*) ... WHERE`: the calc under the aggregate keeps no column, only rows."""
    steps, fields = calc_steps("SELECT COUNT(*) AS n FROM t WHERE a > 1;")
    assert steps[-1] == ("project", ())
    out = CalcProgram(steps, len(fields), DEFAULT_ENV).run(batch(fields).select(list(fields)))
    assert (out.num_columns, out.num_rows) == (0, 2)  # a = 2 and a = 4


def test_a_decimal_product_whose_type_rounds_stays_with_duckdb() -> None:
    # DECIMAL(38, 10) * DECIMAL(38, 10): Flink caps the precision and rounds the scale
    steps, _ = calc_steps(
        "SELECT CAST(b AS DECIMAL(38, 10)) * CAST(a AS DECIMAL(38, 10)) AS p, 0.5 * b AS h FROM t;"
    )
    ((_, (capped, exact)),) = steps
    assert compile_expr(capped) is None
    assert compile_expr(exact) is not None
