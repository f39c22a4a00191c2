"""window_rank and window_dedup: Top-N and first/last row per window. Rows wait per window
(window_start, window_end columns of the input) as Arrow record batches; when the watermark
reaches window_end - 1 ms the window's rows are ranked per partition column by column (Arrow sort
indices, numpy ranks) and the kept rows are emitted once, insert-only. Rows of a window that
already fired are late: dropped and counted."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import Output
from ._base import BaseOperator
from ._keys import group_ids
from ._order import group_ranks, sorted_positions
from ._rows import arrow_schema, conform
from ._windows import windows_on_time

Window = tuple[int, int]
MAX_PIECES = 16


class _Windowed(BaseOperator):
    bounds: tuple[int, int]

    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.WindowRank | n.WindowDeduplicate)
        self.in_schema = arrow_schema(node.input.schema)
        self.watermark = -(2**63)
        self.windows: dict[Window, list[pa.RecordBatch]] = {}

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        keep, s, e, late = windows_on_time(
            batch.column(self.bounds[0]), batch.column(self.bounds[1]), self.watermark
        )
        self.late_records_dropped += late
        if not keep.any():
            return self.emit([])
        width = len(self.in_schema)  # data columns, cast to the plan's types
        rows = pa.RecordBatch.from_arrays(
            conform(batch, self.in_schema).columns[:width], schema=self.in_schema
        )
        pairs = np.unique(np.stack([s[keep], e[keep]], 1), axis=0)
        for start, end in pairs.tolist():
            mine = keep & (s == start) & (e == end)
            pieces = self.windows.setdefault((start, end), [])
            pieces.append(rows.filter(pa.array(mine)))
            if len(pieces) > MAX_PIECES:
                pieces[:] = [pa.concat_batches(pieces)]
        return self.emit([])

    def on_watermark(self, watermark: int) -> Output:
        self.watermark = max(self.watermark, watermark)
        out: list[pa.RecordBatch] = []
        for w in sorted(x for x in self.windows if x[1] - 1 <= self.watermark):
            out.append(conform(self.fire(pa.concat_batches(self.windows.pop(w))), self.out_schema))
        return self.emit(out, watermark)

    def fire(self, rows: pa.RecordBatch) -> pa.RecordBatch:
        raise NotImplementedError

    def groups(self, rows: pa.RecordBatch, keys: tuple[int, ...]) -> np.ndarray:
        columns = [rows.column(i) for i in keys]
        return group_ids(columns, rows.num_rows) if columns else np.zeros(rows.num_rows, np.int64)

    def state_rows(self) -> int:
        return sum(b.num_rows for v in self.windows.values() for b in v)

    def state_bytes(self) -> int:
        return sum(b.nbytes for v in self.windows.values() for b in v)

    def state_arrow_bytes(self) -> int:
        return self.state_bytes()  # the kept rows are the state

    def snapshot(self) -> Any:
        return {"watermark": self.watermark, "windows": self.windows}

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        self.windows = state["windows"]


class WindowRank(_Windowed):
    def __init__(self, spec: OperatorSpec) -> None:
        node = spec.node
        assert isinstance(node, n.WindowRank)
        self.node = node
        self.bounds = node.window_bounds
        super().__init__(spec)

    def fire(self, rows: pa.RecordBatch) -> pa.RecordBatch:
        node = self.node
        count = rows.num_rows
        groups = self.groups(rows, node.partition)
        columns = [rows.column(k.index) for k in node.order]
        order = sorted_positions(groups, columns, node.order, np.arange(count))
        ranked = [c.take(pa.array(order)) for c in columns]
        ranks = group_ranks(groups[order], ranked, node.fn)
        keep = (ranks >= node.lower) & (ranks <= node.upper)
        out = rows.take(pa.array(order[keep]))
        if node.rank_name is not None:
            out = out.append_column(node.rank_name, pa.array(ranks[keep], pa.int64()))
        return out


class WindowDedup(_Windowed):
    def __init__(self, spec: OperatorSpec) -> None:
        node = spec.node
        assert isinstance(node, n.WindowDeduplicate)
        self.node = node
        self.bounds = node.window_bounds
        super().__init__(spec)

    def fire(self, rows: pa.RecordBatch) -> pa.RecordBatch:
        """Per key the row with the earliest time (first arrival among equal times) or, keeping
        the last, the latest (last arrival); rows with a NULL time only when a key has no
        other, the first of them."""
        groups = self.groups(rows, self.node.keys)
        column = rows.column(self.node.time_col)
        null = np.asarray(pc.is_null(column))
        t = np.asarray(pc.fill_null(pc.cast(column, pa.int64()), 0))
        arrival = np.arange(rows.num_rows)
        if self.node.keep_last:
            order = np.lexsort((np.where(null, arrival, -arrival), -t, null, groups))
        else:
            order = np.lexsort((arrival, t, null, groups))
        first = np.r_[True, groups[order][1:] != groups[order][:-1]]
        return rows.take(pa.array(order[first]))
