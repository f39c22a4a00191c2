"""FIRST_VALUE, LAST_VALUE, LISTAGG, COLLECT, STDDEV_POP/SAMP, VAR_POP/SAMP in group and window
aggregates: stream folded == batch on small data (rows arrive in table order, which is also
DuckDB's scan order for these order-sensitive aggregates), and retractions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pyarrow as pa
import pytest

from nrtg.catalog import types as t
from nrtg.compiler.api import compile_sql
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall
from nrtg.runtime.stream.api import Op

from ._parity import run_parity
from .test_retractions import changelog, drive, scan

DDL = """
CREATE TABLE t (k BIGINT, s STRING, u STRING, x DOUBLE, v BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'json');
"""
# `u` has NULLs: FIRST/LAST_VALUE skip them (Flink's FirstValue/LastValue), LISTAGG too.
AGGS = """FIRST_VALUE(s) AS f, LAST_VALUE(s) AS l, FIRST_VALUE(u) AS fu, LAST_VALUE(u) AS lu,
LISTAGG(u) AS la, LISTAGG(u, '; ') AS ls,
STDDEV_POP(x) AS sp, STDDEV_SAMP(x) AS ss, VAR_POP(x) AS vp, VAR_SAMP(x) AS vs"""
QUERIES = {
    "group": f"SELECT k, {AGGS} FROM t GROUP BY k;",
    "group-filter": "SELECT k, LISTAGG(u) FILTER (WHERE v > 3) AS la, "
    "VAR_POP(x) FILTER (WHERE v > 3) AS vp FROM t GROUP BY k;",
    "tumble": f"SELECT k, {AGGS}, window_start FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), "
    "INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end;",
    "hop": "SELECT k, FIRST_VALUE(s) AS f, LAST_VALUE(s) AS l, LISTAGG(u) AS la, "
    "STDDEV_SAMP(x) AS ss, window_end FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), "
    "INTERVAL '5' SECOND, INTERVAL '15' SECOND)) GROUP BY k, window_start, window_end;",
    "over-updating-input": "SELECT c, VAR_SAMP(mx) AS vs, STDDEV_POP(mx) AS sp, COUNT(*) AS n "
    "FROM (SELECT k, COUNT(*) AS c, MAX(x) AS mx FROM t GROUP BY k) GROUP BY c;",
    "over": "SELECT k, s, LAST_VALUE(u) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING "
    "AND CURRENT ROW) AS l, FIRST_VALUE(u) OVER (PARTITION BY k ORDER BY ts) AS f, VAR_POP(x) "
    "OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '8' SECOND PRECEDING AND CURRENT "
    "ROW) AS vp FROM t;",
    "integer-stats": "SELECT k, VAR_POP(v) AS a, STDDEV_SAMP(v) AS b, VAR_SAMP(v) AS c, "
    "STDDEV_POP(v) AS d FROM t GROUP BY k;",
    "global": "SELECT VAR_POP(x) AS vp, STDDEV_SAMP(x) AS ss, LISTAGG(u) AS la FROM t;",
}


def table() -> pa.Table:
    base = dt.datetime(2026, 1, 1)
    n_rows = 60
    return pa.table(
        {
            "k": pa.array([i % 4 for i in range(n_rows)], pa.int64()),
            "s": [f"s{i}" for i in range(n_rows)],
            "u": [None if i % 9 == 4 else f"u{i}" for i in range(n_rows)],
            "x": pa.array([None if i % 11 == 3 else (i * 7 % 13) / 4 for i in range(n_rows)]),
            "v": pa.array([i * 5 % 9 for i in range(n_rows)], pa.int64()),
            "ts": pa.array(
                [base + dt.timedelta(seconds=i) for i in range(n_rows)], pa.timestamp("ms")
            ),
        }
    )


@pytest.mark.parametrize("name", list(QUERIES))
def test_new_aggregates_match_batch(name: str) -> None:
    (plan,) = compile_sql(DDL + QUERIES[name]).optimized
    batch, stream = run_parity(plan, tables={"t": table()}, batch_size=7)
    assert stream == batch
    assert batch


def _node(name: str, args: tuple[int, ...], typ: Any) -> n.Aggregate:
    return n.Aggregate(
        input=scan(updating=True),
        group=(0,),
        aggs=(AggCall(name=name, args=args, type=typ, alias="a"),),
    )


def test_order_sensitive_aggregates_follow_retractions() -> None:
    rows = [(1, 10), (1, 30), (1, 20)]
    ins = changelog(rows, [Op.INSERT] * 3)
    gone = changelog([(1, 10), (1, 20)], [Op.DELETE, Op.UPDATE_BEFORE])
    first = drive(_node("FIRST_VALUE", (1,), t.bigint()), "group_agg", [(0, ins), (0, gone)])
    last = drive(_node("LAST_VALUE", (1,), t.bigint()), "group_agg", [(0, ins), (0, gone)])
    assert first == last == Counter({(1, 30): 1})
    var = drive(_node("VAR_POP", (1,), t.double()), "group_agg", [(0, ins)])
    assert var == Counter({(1, 200 / 3): 1})
    collect = drive(
        _node("COLLECT", (1,), t.multiset(t.bigint())), "group_agg", [(0, ins), (0, gone)]
    )
    assert collect == Counter({(1, ((30, 1),)): 1})


def test_listagg_distinct_with_a_separator_on_both_targets() -> None:
    """Only the value is DISTINCT (not the value and separator pair), NULLs are skipped; the
    order of a LISTAGG is arrival order, so the parts are compared as sets."""
    query = "SELECT k, LISTAGG(DISTINCT u, '|') AS d FROM t GROUP BY k;"
    (plan,) = compile_sql(DDL + query).optimized
    batch, stream = run_parity(plan, tables={"t": table()}, batch_size=7)
    rows = table().to_pylist()
    for folded in (batch, stream):
        got = {k: set(d.split("|")) for (k, d), count in folded.items() for _ in range(count)}
        want = {k: {r["u"] for r in rows if r["k"] == k and r["u"] is not None} for k in range(4)}
        assert got == want
