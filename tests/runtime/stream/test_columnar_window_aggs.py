"""STDDEV/VAR, FIRST_VALUE/LAST_VALUE, LISTAGG and ARRAY_AGG in window_agg's columnar slices
and closing sessions (`_slices.Partials`) against the per-key Python accumulators they replace:
out-of-order input (a later row may fall in an earlier slice of a HOP window), NULLs, FILTER,
late rows, several seeds and batch sizes, a checkpoint restored midway."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as Dec
from typing import Any

import pyarrow as pa
import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.runtime.stream.executor import Executor
from nrtg.runtime.stream.fold import fold_multiset

DDL = """CREATE TABLE t (k BIGINT, s STRING, v BIGINT, x DOUBLE, d DECIMAL(10, 2), ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '3' SECOND)
WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json');
"""
AGGS = """COUNT(*) AS n, AVG(x) AS ax,
  STDDEV_POP(v) AS sp, VAR_SAMP(v) FILTER (WHERE x > 0) AS vs, STDDEV_SAMP(x) AS sx,
  VAR_POP(x) FILTER (WHERE v > 0) AS vx, VAR_SAMP(x) AS vsx, STDDEV_SAMP(d) AS sd,
  FIRST_VALUE(s) AS fs, LAST_VALUE(s) FILTER (WHERE v > 0) AS ls, FIRST_VALUE(x) AS fx,
  LAST_VALUE(v) AS lv, LISTAGG(s) AS la, LISTAGG(s, ' | ') FILTER (WHERE x > 0) AS lb,
  ARRAY_AGG(v) AS av, ARRAY_AGG(s) FILTER (WHERE v > 0) AS asf"""
SESSION = "SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' SECOND)"
WINDOWS = {
    "hop": "HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND)",
    "tumble": "TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '4' SECOND)",
    "cumulate": "CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '8' SECOND)",
    "session": SESSION,
}


def events(count: int, seed: int, dyadic: bool) -> pa.Table:
    """Out-of-order rows with NULLs, some late for the watermark. `dyadic`: doubles whose sums
    are exact in any order (the columnar and per-row results are then equal to the bit)."""
    rng = random.Random(seed)
    base = dt.datetime(1969, 12, 31, 23, 59, 50)
    rows: list[dict[str, Any]] = []
    for i in range(count):
        jitter = rng.choice([0, 0, 0, -1500, -2500, -9000])
        x = rng.choice([0.5, -1.25, 2.0, 3.0]) if dyadic else rng.uniform(-100.0, 100.0)
        rows.append(
            {
                "k": rng.choice([1, 2, 3, None]),
                "s": rng.choice(["a", "b", "zz", "", None]),
                "v": rng.choice([1, 5, -7, 2**31 - 1, None]),
                "x": x if rng.random() > 0.2 else None,
                "d": rng.choice([Dec("1.25"), Dec("-3.50"), Dec("99999999.99"), None]),
                "ts": base + dt.timedelta(milliseconds=i * 137 + jitter),
            }
        )
    types = [pa.int64(), pa.string(), pa.int64(), pa.float64(), pa.decimal128(10, 2)]
    names = ["k", "s", "v", "x", "d", "ts"]
    schema = pa.schema(list(zip(names, [*types, pa.timestamp("ms")], strict=True)))
    return pa.Table.from_pylist(rows, schema=schema)


def job(window: str, group: str, aggs: str = AGGS) -> Any:
    by = f"{group}, " if group else ""
    sql = f"""SELECT {by}{aggs}, window_start, window_end
        FROM TABLE({WINDOWS[window]}) GROUP BY {by}window_start, window_end;"""
    return lower_to_stream(compile_sql(DDL + sql).optimized)


def window_ops(ex: Executor, graph: Any) -> list[Any]:
    return [op for k, op in ex.operators.items() if graph.operator(k).kind == "window_agg"]


def run(graph: Any, table: pa.Table, columnar: bool, batch_size: int) -> tuple[Any, int]:
    ex = Executor(graph, tables={"t": table}, batch_size=batch_size)
    ops = window_ops(ex, graph)
    for op in ops:
        assert op.by_columns
        if not columnar:
            op.columnar = None
            op.by_columns = False
    ex.run()
    late = sum(int(op.metrics()["late_records_dropped"]) for op in ops)
    return ex.output(0), late


@pytest.mark.parametrize("window", sorted(WINDOWS))
@pytest.mark.parametrize("group", ["k", ""])
@pytest.mark.parametrize("seed", [1, 7, 12])
def test_columnar_matches_python_accumulators(window: str, group: str, seed: int) -> None:
    distinct = "" if window == "session" else ", COUNT(DISTINCT s) AS ds, SUM(DISTINCT v) AS sd"
    graph = job(window, group, AGGS + distinct)
    table = events(600, seed, dyadic=True)
    batch = [23, 7, 61][seed % 3]
    got, late = run(graph, table, True, batch)
    want, late_python = run(graph, table, False, batch)
    assert late == late_python and late > 0
    folded = fold_multiset(got)
    assert folded == fold_multiset(want) and sum(folded.values()) > 10


@pytest.mark.parametrize("window", sorted(WINDOWS))
def test_random_doubles_match_to_the_bit(window: str) -> None:
    """Sums of doubles depend on the order of the additions: the columnar ones add each slice's
    values in arrival order and the slices' sums in slice order, as the per-row path (not
    AVG's: `_columnar` sums a batch's values first)."""
    graph = job(window, "k", AGGS.replace("AVG(x) AS ax,", ""))
    table = events(1500, 5, dyadic=False)
    got, _ = run(graph, table, True, 17)
    want, _ = run(graph, table, False, 17)
    assert fold_multiset(got) == fold_multiset(want)


@pytest.mark.parametrize("window", ["hop", "cumulate", "session"])
def test_columnar_state_restores_from_a_checkpoint(window: str) -> None:
    graph = job(window, "k")
    table = events(500, 3, dyadic=True)
    whole, _ = run(graph, table, False, 23)
    for steps in (5, 11):
        first = Executor(graph, tables={"t": table}, batch_size=23)
        assert all(op.by_columns for op in window_ops(first, graph))
        first.run(max_steps=steps)
        payload = first.snapshot()
        committed = first.output(0)
        resumed = Executor(graph, tables={"t": table}, batch_size=23, restore=payload)
        resumed.run()
        parts = [p for p in (committed, resumed.output(0)) if p is not None]
        assert fold_multiset(pa.concat_tables(parts)) == fold_multiset(whole)


@pytest.mark.parametrize(
    "aggs",
    [
        "FIRST_VALUE(d) AS f",  # Arrow's hash_first takes no decimals
        "LISTAGG(s, s) AS l",  # a separator per row
        "LISTAGG(DISTINCT s) AS l",
        "STDDEV_POP(DISTINCT v) AS sp",
        "ARRAY_AGG(DISTINCT v) AS a",
    ],
)
def test_other_aggregates_stay_per_row(aggs: str) -> None:
    graph = job("hop", "k", aggs)
    ex = Executor(graph, tables={"t": events(50, 1, dyadic=True)}, batch_size=23)
    assert not any(op.by_columns for op in window_ops(ex, graph))


def test_a_window_takes_its_slices_in_slice_order_not_arrival_order() -> None:
    """A HOP window's FIRST_VALUE/LISTAGG/ARRAY_AGG read its slices in slice order (as the
    per-row accumulators merge them), even when the later slice was created first."""
    sql = """SELECT FIRST_VALUE(s) AS f, LAST_VALUE(s) AS l, LISTAGG(s) AS la, ARRAY_AGG(v) AS a,
        window_start FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND,
        INTERVAL '4' SECOND)) GROUP BY window_start, window_end;"""
    graph = lower_to_stream(compile_sql(DDL + sql).optimized)
    base = dt.datetime(2026, 1, 1)
    rows = [("later-slice", 1, 3000), ("earlier-slice", 2, 1500), ("later-again", 3, 3500)]
    table = pa.table(
        {
            "k": pa.array([1] * 3, pa.int64()),
            "s": [s for s, _, _ in rows],
            "v": pa.array([v for _, v, _ in rows], pa.int64()),
            "x": pa.array([None] * 3, pa.float64()),
            "d": pa.array([None] * 3, pa.decimal128(10, 2)),
            "ts": pa.array([base + dt.timedelta(milliseconds=ms) for *_, ms in rows]),
        }
    )
    got, _ = run(graph, table, True, 1)
    want, _ = run(graph, table, False, 1)
    assert fold_multiset(got) == fold_multiset(want)
    window = [r for r in got.to_pylist() if r["window_start"] == base]
    assert window == [
        {
            "f": "earlier-slice",
            "l": "later-again",
            "la": "earlier-slice,later-slice,later-again",
            "a": [2, 1, 3],
            "window_start": base,
        }
    ]


@pytest.mark.parametrize("window", ["hop", "session"])
def test_exact_moments_beyond_decimal38(window: str) -> None:
    """Sums of squares past 10^38 (kept as DECIMAL256, those that fit as int64 or DECIMAL(38))
    stay exact across pieces and slices."""
    table = events(300, 2, dyadic=True)
    rng = random.Random(4)
    big = [rng.choice([2**62, -(2**62), 3, 2**31, None]) for _ in range(table.num_rows)]
    table = table.set_column(2, "v", pa.array(big, pa.int64()))
    graph = job(window, "k", "STDDEV_POP(v) AS sp, STDDEV_SAMP(v) FILTER (WHERE x > 0) AS ss")
    got, _ = run(graph, table, True, 13)
    want, _ = run(graph, table, False, 13)
    assert fold_multiset(got) == fold_multiset(want)
