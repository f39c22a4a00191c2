"""Integer overflow as Flink's generated Java code computes it (two's complement wrap-around),
on both targets: +, -, *, unary minus and SUM of INT and BIGINT. DuckDB alone raises an
"Out of Range" error instead."""

from __future__ import annotations

import pyarrow as pa

from nrtg.compiler.api import compile_sql

from ._parity import run_parity

DDL = """CREATE TABLE t (k INT, x INT, b BIGINT)
WITH ('connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'json');"""
MAX_INT, MIN_BIGINT, MAX_BIGINT = 2**31 - 1, -(2**63), 2**63 - 1


def table() -> pa.Table:
    return pa.table(
        {
            "k": pa.array([1, 1, 2, 2, 1], pa.int32()),
            "x": pa.array([10, 20, None, 7, 8], pa.int32()),
            "b": pa.array([MAX_BIGINT, 1, MIN_BIGINT, 5, 6], pa.int64()),
        }
    )


def java_int(v: int, bits: int) -> int:
    """What Java's int (32) or long (64) holds after exact arithmetic gave `v`."""
    half = 1 << (bits - 1)
    return (v + half) % (2 * half) - half


def both(query: str) -> set[tuple]:
    (plan,) = compile_sql(DDL + query).optimized
    batch, stream = run_parity(plan, tables={"t": table()}, batch_size=2)
    assert batch == stream
    return set(batch)


def test_scalar_arithmetic_wraps() -> None:
    got = both("SELECT 2147483647 + k AS o, -b AS nb, b + b AS bb, x * 1000000000 AS m FROM t;")
    want = {
        (
            java_int(MAX_INT + r["k"], 32),
            java_int(-r["b"], 64),
            java_int(2 * r["b"], 64),
            None if r["x"] is None else java_int(r["x"] * 10**9, 32),
        )
        for r in table().to_pylist()
    }
    assert got == want
    assert (-(2**31) + 1, MIN_BIGINT, 0, None) in got  # -MIN is MIN, as in Java


def test_sum_wraps() -> None:
    got = both("SELECT k, SUM(x * 1000000000) AS s, SUM(b) AS sb FROM t GROUP BY k;")
    rows = table().to_pylist()
    want = set()
    for k in (1, 2):
        xs = [java_int(r["x"] * 10**9, 32) for r in rows if r["k"] == k and r["x"] is not None]
        bs = [r["b"] for r in rows if r["k"] == k]
        want.add((k, java_int(sum(xs), 32), java_int(sum(bs), 64)))
    assert got == want
