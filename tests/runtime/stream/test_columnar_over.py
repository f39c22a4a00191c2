"""Columnar OVER aggregates (`_over`) against the per-partition Python accumulators they
replace: the same rows and values for every frame kind (ROWS/RANGE, unbounded and bounded),
ranking functions, NULL values and partition keys, ties and late rows; across a
checkpoint restore; and the calls that stay per row."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.runtime.stream.executor import Executor
from nrtg.runtime.stream.fold import fold_multiset

from ._parity import run_parity
from .test_columnar_aggs import DDL, events

FRAMES = {
    "rows-unbounded": "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
    "rows-2": "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW",
    "rows-0": "ROWS BETWEEN CURRENT ROW AND CURRENT ROW",
    "range-unbounded": "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
    "range-3s": "RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW",
}
CALLS = """COUNT(*) OVER w AS n, COUNT(CASE WHEN x > 0 THEN v END) OVER w AS nf,
  SUM(v) OVER w AS sv, AVG(v) OVER w AS av, MIN(s) OVER w AS lo, MAX(s) OVER w AS hi,
  MAX(ts) OVER w AS mt, MIN(CASE WHEN k > 1 THEN v END) OVER w AS mv, SUM(k) OVER w AS sk"""


def over_sql(frame: str, partition: str, calls: str) -> str:
    by = f"PARTITION BY {partition} " if partition else ""
    return f"SELECT k, s, v, ts, {calls} FROM t WINDOW w AS ({by}ORDER BY ts {FRAMES[frame]});"


def over_job(frame: str, partition: str, calls: str = CALLS) -> Any:
    return lower_to_stream(compile_sql(DDL + over_sql(frame, partition, calls)).optimized)


def run(graph: Any, columnar: bool, table: pa.Table, **kw: Any) -> tuple[Executor, Any]:
    ex = Executor(graph, tables={"t": table}, batch_size=kw.pop("batch_size", 37), **kw)
    (op,) = [o for k, o in ex.operators.items() if graph.operator(k).kind == "over_agg"]
    assert (op.columnar is not None) is True  # type: ignore[attr-defined]
    if not columnar:
        op.columnar = None  # type: ignore[attr-defined]
    return ex, op


@pytest.mark.parametrize("frame", sorted(FRAMES))
@pytest.mark.parametrize("partition", ["k", "k, s", ""])
def test_columnar_over_matches_python_accumulators(frame: str, partition: str) -> None:
    graph = over_job(frame, partition)
    table = events(600)
    columnar, op = run(graph, True, table)
    columnar.run()
    python, reference = run(graph, False, table)
    python.run()
    assert op.late_records_dropped == reference.late_records_dropped > 0
    got = fold_multiset(columnar.output(0))
    assert got == fold_multiset(python.output(0))
    assert sum(got.values()) == 600 - op.late_records_dropped


@pytest.mark.parametrize("frame", ["rows-2", "range-3s", "range-unbounded"])
def test_ranking_functions_match(frame: str) -> None:
    calls = """ROW_NUMBER() OVER w AS rn, RANK() OVER w AS r, DENSE_RANK() OVER w AS dr,
      COUNT(*) OVER w AS n"""
    graph = over_job(frame, "k", calls)
    table = events(400, seed=9)
    columnar, _ = run(graph, True, table)
    columnar.run()
    python, _ = run(graph, False, table)
    python.run()
    got = fold_multiset(columnar.output(0))
    assert got == fold_multiset(python.output(0)) and len(got) > 100


@pytest.mark.parametrize("frame", ["rows-2", "range-3s", "rows-unbounded"])
def test_columnar_over_restores_from_a_checkpoint(frame: str) -> None:
    graph = over_job(frame, "k")
    table = events(500, seed=4)
    whole, _ = run(graph, True, table, batch_size=23)
    whole.run()
    first, op = run(graph, True, table, batch_size=23)
    first.run(max_steps=9)
    assert op.state_rows() > 0
    payload = first.snapshot()
    committed = first.output(0)
    resumed = Executor(graph, tables={"t": table}, batch_size=23, restore=payload)
    resumed.run()
    parts = [p for p in (committed, resumed.output(0)) if p is not None]
    assert fold_multiset(pa.concat_tables(parts)) == fold_multiset(whole.output(0))


def test_state_is_arrow_sized() -> None:
    graph = over_job("range-3s", "k")
    ex, op = run(graph, True, events(3000, late=False), batch_size=50)
    ex.run(max_steps=30)
    assert op.state_rows() > 0
    assert (
        op.state_bytes()
        <= 2 * op.columnar.history.nbytes
        + 2
        * sum(  # type: ignore[attr-defined]
            b.nbytes
            for b in op.columnar.waiting  # type: ignore[attr-defined]
        )
        + 4096
    )


def test_floating_sums_stay_per_row() -> None:
    graph = over_job("rows-2", "k", "SUM(x) OVER w AS sx")
    ex = Executor(graph, tables={"t": events(50)}, batch_size=10)
    (op,) = [o for k, o in ex.operators.items() if graph.operator(k).kind == "over_agg"]
    assert op.columnar is None  # type: ignore[attr-defined]


LAGS = """LAG(v) OVER w AS prev_v, LAG(s, 2, 'none') OVER w AS s2, LAG(v, 0) OVER w AS same,
  COUNT(*) OVER w AS n, MAX(s) OVER w AS hi"""


@pytest.mark.parametrize("frame", ["rows-unbounded", "rows-2", "range-unbounded", "range-3s"])
def test_lag_matches_the_batch_target(frame: str) -> None:
    """LAG n rows back in time order (no ties in these rows), across firings: the history
    keeps each partition's last rows."""
    (plan,) = compile_sql(DDL + over_sql(frame, "k", LAGS)).optimized
    batch, stream = run_parity(plan, tables={"t": events(600, late=False)}, batch_size=31)
    assert stream == batch and sum(batch.values()) == 600
    graph = lower_to_stream((plan,))
    (spec,) = [s for s in graph.operators if s.kind == "over_agg"]
    assert dict(spec.params["lag_offsets"]) == {0: 1, 1: 2, 2: 0}


def test_lag_restores_from_a_checkpoint() -> None:
    graph = over_job("rows-unbounded", "k", LAGS)
    table = events(500, seed=4, late=False)
    whole, _ = run(graph, True, table, batch_size=23)
    whole.run()
    first, _ = run(graph, True, table, batch_size=23)
    first.run(max_steps=9)
    resumed = Executor(graph, tables={"t": table}, batch_size=23, restore=first.snapshot())
    resumed.run()
    parts = [p for p in (first.output(0), resumed.output(0)) if p is not None]
    assert fold_multiset(pa.concat_tables(parts)) == fold_multiset(whole.output(0))


@pytest.mark.parametrize(
    ("calls", "message"),
    [
        ("LEAD(v) OVER w AS nxt", "aggregate LEAD has no streaming accumulator"),
        ("LAG(v, k) OVER w AS p", "LAG's offset must be a non-negative integer literal"),
        ("LAG(v) OVER w AS p, SUM(x) OVER w AS sx", "LAG cannot share an OVER window with SUM"),
    ],
)
def test_lag_refusals(calls: str, message: str) -> None:
    with pytest.raises(UnsupportedError, match=message):
        over_job("rows-2", "k", calls)
