"""The executor: per-split watermarks (minimum, finished splits excluded), late rows dropped and
counted, end of input fires every window, checkpoint + restore gives the uninterrupted result."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.runtime.stream.executor import Executor, run_graph
from nrtg.runtime.stream.fold import fold_multiset
from nrtg.runtime.stream.operators.file_source import MemorySource

DDL = """
CREATE TABLE ev (k BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'json');
"""
QUERY = """
SELECT k, COUNT(*) AS n, window_start FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY k, window_start, window_end;
"""
BASE = dt.datetime(2026, 1, 1)


def table(seconds: list[float]) -> pa.Table:
    return pa.table(
        {
            "k": pa.array([i % 2 for i in range(len(seconds))], pa.int64()),
            "ts": pa.array([BASE + dt.timedelta(seconds=s) for s in seconds], pa.timestamp("ms")),
        }
    )


def graph() -> Any:
    return lower_to_stream(compile_sql(DDL + QUERY).optimized)


def run_splits(
    splits: list[tuple[str, pa.Table]], batch_size: int, interleave: bool = False
) -> tuple[Any, Executor]:
    g = graph()
    ex = Executor(
        g,
        source_factory=lambda spec: MemorySource(spec.node, splits, interleave),  # type: ignore[arg-type]
        batch_size=batch_size,
    )
    ex.run()
    return fold_multiset(ex.output(0)), ex


def test_late_rows_are_dropped_and_counted() -> None:
    # 0..24 s, then a row at 3 s after the watermark passed 10 s: late for window [0, 10).
    rows = table([float(s) for s in range(25)] + [3.0])
    out, ex = run_splits([("a", rows)], batch_size=5)
    late = sum(m["late_records_dropped"] for m in ex.metrics().values())
    assert late == 1
    counts = {(r[0], r[2]): r[1] for r in out}
    assert counts[(1, BASE)] == 5  # the late row (k=1 at 3 s) is not counted


def test_minimum_over_splits_keeps_the_slow_split_on_time() -> None:
    fast = table([float(s) for s in range(0, 40)])
    slow = table([1.0, 2.0, 3.0])
    # Interleaved polls: the slow split's rows at 1-3 s are not late, the watermark is the min.
    src = [("fast", fast), ("slow", slow)]
    out, ex = run_splits(src, batch_size=10, interleave=True)
    assert sum(m["late_records_dropped"] for m in ex.metrics().values()) == 0
    total = sum(r[1] * c for r, c in out.items())
    assert total == 43


def test_checkpoint_restore_equals_uninterrupted() -> None:
    rows = table([s * 0.7 for s in range(200)])
    expected, _ = run_splits([("a", rows)], batch_size=7)
    g = graph()
    factory = lambda spec: MemorySource(spec.node, [("a", rows)])  # noqa: E731
    first = Executor(g, source_factory=factory, batch_size=7)
    first.run(max_steps=11)
    payload = first.snapshot()
    before = first.output(0)
    # The job dies after the checkpoint; everything after it is lost and replayed.
    first.run(max_steps=5)
    resumed = Executor(g, source_factory=factory, batch_size=7, restore=payload)
    resumed.run()
    parts = [t for t in (before, resumed.output(0)) if t is not None]
    combined = pa.concat_tables(parts) if parts else None
    assert fold_multiset(combined) == expected


def test_bounded_input_fires_all_windows() -> None:
    (changes,) = run_graph(graph(), tables={"ev": table([1.0, 15.0, 29.0])})
    assert changes is not None
    assert sorted(r[2] for r in fold_multiset(changes)) == [
        BASE,
        BASE + dt.timedelta(seconds=10),
        BASE + dt.timedelta(seconds=20),
    ]


def test_idle_split_stops_holding_the_watermark_back() -> None:
    from nrtg.runtime.stream.operators.watermark_assigner import WatermarkAssigner

    g = graph()
    spec = next(s for s in g.operators if s.kind == "watermark_assigner")
    op = WatermarkAssigner(spec)
    op.idle_timeout_ms = 1_000
    rows = table([5.0, 6.0])
    a = rows.to_batches()[0].append_column("_split", pa.array(["a", "a"]))
    b = rows.slice(0, 1).to_batches()[0].append_column("_split", pa.array(["b"]))
    op.split_status(set(), 0.0, ("a", "b"))
    op.process(b, 0)  # b at 5 s -> 4 s
    op.split_status(set(), 10.0, ("a", "b"))
    out = op.process(a, 0)  # a at 6 s -> 5 s, b holds the minimum at 4 s
    assert out.watermark is None or out.watermark <= int(BASE.timestamp() * 1000) + 4_000
    op.split_status(set(), 5_000.0, ("a", "b"))
    later = table([7.0]).to_batches()[0].append_column("_split", pa.array(["a"]))
    out = op.process(later, 0)  # b has been idle > 1 s: only a counts now (7 s - 1 s)
    epoch = int(BASE.replace(tzinfo=dt.UTC).timestamp() * 1000)
    assert out.watermark == epoch + 6_000


def test_null_rowtime_fails_the_job_like_flink() -> None:
    import pytest

    from nrtg.catalog.errors import ExecutionError

    rows = pa.table(
        {"k": pa.array([1, 2], pa.int64()), "ts": pa.array([BASE, None], pa.timestamp("ms"))}
    )
    with pytest.raises(ExecutionError, match="should not be NULL"):
        run_graph(graph(), tables={"ev": rows})


def test_temporal_sort_releases_rows_sorted_as_the_watermark_passes() -> None:
    ddl = """CREATE TABLE s (k BIGINT, v INT, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
    WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json');"""
    graph = lower_to_stream(
        compile_sql(ddl + "SELECT k, v, ts FROM s ORDER BY ts, v DESC;").optimized
    )
    base = dt.datetime(2026, 1, 1)
    # out of order, batches of 3: the watermark reaches 4 s after the second batch, so 4 and 0
    # arrive late
    ms = [5, 1, 3, 3, 2, 9, 4, 8, 7, 0]
    table = pa.table(
        {
            "k": pa.array(range(10), pa.int64()),
            "v": pa.array([i % 3 for i in range(10)], pa.int32()),
            "ts": pa.array([base + dt.timedelta(seconds=s) for s in ms], pa.timestamp("ms")),
        }
    )
    ex = Executor(graph, tables={"s": table}, batch_size=3)
    ex.run()
    out = ex.output(0)
    times = [t.second for t in out.column("ts").to_pylist()]
    assert times == [1, 2, 3, 3, 5, 7, 8, 9]  # each firing sorted, firings in order
    ties = [r["v"] for r in out.to_pylist() if r["ts"].second == 3]
    assert ties == sorted(ties, reverse=True)
    (op,) = [o for k, o in ex.operators.items() if graph.operator(k).kind == "temporal_sort"]
    assert op.late_records_dropped == 2
