"""watermark_assigner: evaluates the table's WATERMARK expression on every row and keeps, per
source split (`_split` column), the largest value seen. The operator's watermark is the minimum
over the active splits; a split that finished or has been idle longer than the idle timeout no
longer holds it back. The `_split` column is dropped here.

The bounded out-of-orderness forms, `ts - INTERVAL '<n>' <unit>` and `ts`, are not evaluated per
row: a split's largest watermark is its largest `ts` minus the constant delay. Other
expressions go through DuckDB like a calc."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, ColumnRef, Expr, Literal

from ..api import MAX_WATERMARK, MIN_WATERMARK, Output
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program
from ._rows import SPLIT_COLUMN, conform
from ._windows import epoch_ms_column


def _constant_delay(watermark: Expr) -> tuple[int, int] | None:
    """(column, delay in ms) when the watermark is `column - <day-time interval>` or `column`."""
    if isinstance(watermark, ColumnRef):
        return watermark.index, 0
    if isinstance(watermark, Call) and watermark.name == "MINUS" and len(watermark.args) == 2:
        column, interval = watermark.args
        if (
            isinstance(column, ColumnRef)
            and isinstance(interval, Literal)
            and isinstance(interval.value, dt.timedelta)
            and interval.value % dt.timedelta(milliseconds=1) == dt.timedelta(0)
        ):
            return column.index, interval.value // dt.timedelta(milliseconds=1)
    return None


def largest_per_split(
    splits: pa.Array, marks: pa.Array | pa.ChunkedArray
) -> list[tuple[str, int | None]]:
    """(split, largest mark or None when all are NULL) per split in the batch, vectorized.

    Sources hand over a split's rows in runs (a Kafka poll: one run per fetched partition
    chunk), so the maxima are taken per run with one `reduceat` and folded per split."""
    if not pa.types.is_dictionary(splits.type):
        splits = pc.dictionary_encode(splits)
    codes = splits.indices.to_numpy(zero_copy_only=False)
    names = splits.dictionary.to_pylist()
    if isinstance(marks, pa.ChunkedArray):
        marks = marks.combine_chunks()
    if marks.null_count:
        values = pc.fill_null(marks, MIN_WATERMARK).to_numpy(zero_copy_only=False)
    else:
        values = marks.to_numpy(zero_copy_only=False)
    if len(codes) == 0:
        return []
    starts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    if len(starts) > 64:  # interleaved splits: group them first
        order = np.argsort(codes, kind="stable")
        codes, values = codes[order], values[order]
        starts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate(([0], starts))
    best: dict[int, int] = {}
    for code, mark in zip(
        codes[starts].tolist(), np.maximum.reduceat(values, starts).tolist(), strict=True
    ):
        best[code] = max(best.get(code, MIN_WATERMARK), mark)
    return [(names[c], None if m == MIN_WATERMARK else m) for c, m in best.items()]


class WatermarkAssigner(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.AssignWatermark)
        self.rowtime = node.rowtime
        self.delay = _constant_delay(node.watermark)
        self.program = (
            Program(len(node.input.schema), [("project", (node.watermark,))], env)
            if self.delay is None
            else None
        )
        self.per_split: dict[str, int] = {}
        self.last_seen: dict[str, float] = {}
        self.finished: set[str] = set()
        self.idle_timeout_ms: int | None = None
        self.current = MIN_WATERMARK

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        if batch.column(self.rowtime).null_count:
            name = self.out_schema.field(self.rowtime).name
            raise ExecutionError(
                f"rowtime field {name} should not be NULL (Flink fails the job the same way; "
                "filter the NULLs or COALESCE them before the WATERMARK)"
            )
        split_index = batch.schema.get_field_index(SPLIT_COLUMN)
        if split_index >= 0:
            splits = batch.column(split_index)
            batch = batch.remove_column(split_index)  # before DuckDB: it would copy it through
        else:
            splits = pa.repeat("", batch.num_rows)
        if self.delay is not None:
            column, delay = self.delay
            marks = epoch_ms_column(batch.column(column))  # the rowtime: no NULL (see above)
        else:
            assert self.program is not None
            marks, delay = epoch_ms_column(self.program.run(batch).column(0)), 0
        for split, mark in largest_per_split(splits, marks):
            self.last_seen[split] = self._now
            if mark is not None and mark - delay > self.per_split.get(split, MIN_WATERMARK):
                self.per_split[split] = mark - delay
        return self.emit([conform(batch, self.out_schema)], self._advance())

    _now: float = 0.0

    def split_status(
        self, finished: set[str], now_ms: float, active: tuple[str, ...] = ()
    ) -> int | None:
        """The executor reports the source's finished and active splits and the wall clock (for
        idleness). An active split that has sent nothing yet holds the watermark back."""
        self.finished |= finished
        self._now = now_ms
        for split in active:
            if split not in self.per_split and split not in self.finished:
                self.per_split[split] = MIN_WATERMARK
                self.last_seen.setdefault(split, now_ms)
        return self._advance()

    def _advance(self) -> int | None:
        active = [
            mark
            for split, mark in self.per_split.items()
            if split not in self.finished
            and (
                self.idle_timeout_ms is None
                or self._now - self.last_seen.get(split, self._now) < self.idle_timeout_ms
            )
        ]
        if not active:
            return None
        candidate = min(active)
        if candidate > self.current:
            self.current = candidate
            return candidate
        return None

    def on_watermark(self, watermark: int) -> Output:
        # Only the end of input (MAX) travels from upstream through an assigner.
        if watermark == MAX_WATERMARK:
            self.current = MAX_WATERMARK
            return Output([], MAX_WATERMARK)
        return Output([], None)

    def state_rows(self) -> int:
        return len(self.per_split)

    def snapshot(self) -> Any:
        return {"per_split": dict(self.per_split), "current": self.current}

    def restore(self, state: Any) -> None:
        self.per_split = dict(state["per_split"])
        self.current = state["current"]
