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

import pyarrow as pa

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, ColumnRef, Expr, Literal

from ..api import MAX_WATERMARK, MIN_WATERMARK, Output
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program
from ._rows import SPLIT_COLUMN, conform, epoch_ms_array


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
            values, nulls = epoch_ms_array(batch.column(column))
        else:
            assert self.program is not None
            values, nulls = epoch_ms_array(self.program.run(batch).column(0))
            delay = 0
        # the largest mark per split, vectorized (a batch holds tens of thousands of rows)
        marks = pa.table({"split": splits, "mark": pa.array(values, mask=nulls)})
        largest = marks.group_by("split", use_threads=False).aggregate([("mark", "max")])
        for split, mark in zip(
            largest["split"].to_pylist(), largest["mark_max"].to_pylist(), strict=True
        ):
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
