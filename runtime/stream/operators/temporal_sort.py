"""temporal_sort: ORDER BY an event-time attribute ascending [, more keys] (Flink's TemporalSort).

Rows wait as Arrow batches until the watermark passes their time, then leave sorted by the
ORDER BY keys; a row at or behind the watermark (or without a time) is late, dropped and
counted. The sort is global, so the operator has one partition."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import MIN_WATERMARK, Output
from ._base import BaseOperator
from ._rows import conform, epoch_ms_array


class TemporalSort(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Sort)
        self.time_col = node.keys[0].index
        names = self.out_schema.names
        self.sort_keys = [
            (
                names[k.index],
                "descending" if k.descending else "ascending",
                "at_start" if k.effective_nulls_first else "at_end",
            )
            for k in node.keys
        ]
        self.watermark = MIN_WATERMARK
        self.waiting: list[pa.RecordBatch] = []
        self.waiting_rows = 0

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        t, nulls = epoch_ms_array(batch.column(self.time_col))
        on_time = ~nulls & (t > self.watermark)
        self.late_records_dropped += int(np.count_nonzero(~on_time))
        data = conform(batch, self.out_schema).select(range(len(self.out_schema)))
        kept = data if on_time.all() else data.filter(pa.array(on_time))
        if kept.num_rows:
            self.waiting.append(kept)
            self.waiting_rows += kept.num_rows
        return self.emit([])

    def on_watermark(self, watermark: int) -> Output:
        self.watermark = max(self.watermark, watermark)
        if not self.waiting_rows:
            return Output([], watermark)
        rows = pa.Table.from_batches(self.waiting, self.out_schema)
        t, _ = epoch_ms_array(rows.column(self.time_col))
        ready = t <= self.watermark
        if not ready.any():
            return Output([], watermark)
        later = rows.filter(pa.array(~ready))
        self.waiting = later.combine_chunks().to_batches() if later.num_rows else []
        self.waiting_rows = later.num_rows
        out = rows.filter(pa.array(ready))
        order = pc.sort_indices(out, sort_keys=self.sort_keys)
        return self.emit(out.take(order).combine_chunks().to_batches(), watermark)

    def state_rows(self) -> int:
        return self.waiting_rows

    def state_bytes(self) -> int:
        return sum(b.nbytes for b in self.waiting)

    def snapshot(self) -> Any:
        return {"watermark": self.watermark, "waiting": self.waiting}

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        self.waiting = list(state["waiting"])
        self.waiting_rows = sum(b.num_rows for b in self.waiting)
