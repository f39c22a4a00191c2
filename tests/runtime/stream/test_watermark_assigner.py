"""The watermark assigner's per-split marks: `ts - INTERVAL ...` is computed from each split's
largest `ts` without DuckDB, and agrees with the general (DuckDB) evaluation of an equivalent
expression; TIMESTAMP_LTZ rowtimes count in epoch milliseconds."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.runtime.stream.operators.watermark_assigner import WatermarkAssigner

EPOCH = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)


def assigner(ts_type: str, watermark: str) -> WatermarkAssigner:
    ddl = (
        f"CREATE TABLE ev (k BIGINT, ts {ts_type}, WATERMARK FOR ts AS {watermark}) WITH ("
        "'connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'json');\n"
    )
    graph = lower_to_stream(compile_sql(ddl + "SELECT k, ts FROM ev;").optimized)
    spec = next(s for s in graph.operators if s.kind == "watermark_assigner")
    return WatermarkAssigner(spec)


def batch(ms: list[int], splits: list[str], tz: str | None) -> pa.RecordBatch:
    stamps = pa.array(ms, pa.int64()).cast(pa.timestamp("ms", tz=tz))
    return pa.RecordBatch.from_arrays(
        [pa.array(range(len(ms)), pa.int64()), stamps, pa.array(splits)],
        names=["k", "ts", "_split"],
    )


@pytest.mark.parametrize(("ts_type", "tz"), [("TIMESTAMP(3)", None), ("TIMESTAMP_LTZ(3)", "UTC")])
def test_constant_delay_matches_the_general_evaluation(ts_type: str, tz: str | None) -> None:
    fast = assigner(ts_type, "ts - INTERVAL '1.5' SECOND")
    general = assigner(ts_type, "ts - INTERVAL '2' SECOND + INTERVAL '0.5' SECOND")
    assert fast.program is None and general.program is not None
    rows = batch([EPOCH + 9_000, EPOCH + 3_000, EPOCH + 7_000], ["a", "b", "a"], tz)
    for op in (fast, general):
        op.split_status(set(), 0.0, ("a", "b"))
        out = op.process(rows, 0)
        assert op.per_split == {"a": EPOCH + 7_500, "b": EPOCH + 1_500}
        assert out.watermark == EPOCH + 1_500
        assert out.batches[0].schema.names == ["k", "ts"]  # the split column is dropped


def test_a_lower_mark_later_does_not_move_a_split_back() -> None:
    op = assigner("TIMESTAMP(3)", "ts")
    op.split_status(set(), 0.0, ("a",))
    assert op.process(batch([EPOCH + 5_000], ["a"], None), 0).watermark == EPOCH + 5_000
    assert op.process(batch([EPOCH + 1_000], ["a"], None), 0).watermark is None
    assert op.per_split == {"a": EPOCH + 5_000}
