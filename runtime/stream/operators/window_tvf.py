"""window_tvf: a TUMBLE/HOP/CUMULATE table function on its own (its rows feed a join, OVER, ...):
each row is copied once per window it belongs to, with window_start, window_end, window_time.
The windows of a whole batch are computed with numpy: for HOP and CUMULATE every row gets the
largest number of windows a row can be in, and the ones that do not contain it are masked out
(row-major, so each row's windows stay together in the order `_windows.windows_of` gives)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import Output
from ._base import BaseOperator
from ._rows import conform, data_width
from ._windows import epoch_ms_column


def ms_array(values: list[int] | np.ndarray, typ: pa.DataType) -> pa.Array:
    arr = pa.array(values, type=pa.int64()).cast(pa.timestamp("ms"))
    return arr.cast(typ, safe=False) if arr.type != typ else arr


def windows(t: np.ndarray, w: n.WindowSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, start, end) of every window of rows at times `t` (epoch ms), row by row."""
    assert w.size_ms is not None
    size, offset = w.size_ms, w.offset_ms
    rows = np.arange(len(t))
    if w.kind is n.WindowKind.TUMBLE:
        start = t - (t - offset) % size
        return rows, start, start + size
    if w.kind is n.WindowKind.HOP:
        assert w.slide_ms is not None
        slide = w.slide_ms
        steps = np.arange(-(-size // slide))
        start = (t - (t - offset) % slide)[:, None] - steps * slide
        valid = start > (t - size)[:, None]
        end = start + size
    else:
        assert w.step_ms is not None
        step = w.step_ms
        first = t - (t - offset) % size
        steps = np.arange(size // step)
        end = (first + ((t - first) // step + 1) * step)[:, None] + steps * step
        valid = end <= (first + size)[:, None]
        start = np.broadcast_to(first[:, None], end.shape)
    row = np.broadcast_to(rows[:, None], end.shape)
    return row[valid], start[valid], end[valid]


class WindowTVF(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.WindowTVF)
        self.window = node.window

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        times = epoch_ms_column(batch.column(self.window.time_col))
        valid = np.flatnonzero(np.asarray(pc.is_valid(times)))
        t = np.asarray(pc.fill_null(times, 0))[valid]
        at, starts, ends = windows(t, self.window)
        rows = batch.take(pa.array(valid[at]))
        width = data_width(batch)
        k = len(self.out_schema) - 3
        arrays = [rows.column(i) for i in range(width)]
        fields = self.out_schema
        window_cols = [
            ms_array(starts, fields.field(k).type),
            ms_array(ends, fields.field(k + 1).type),
            ms_array(ends - 1, fields.field(k + 2).type),
        ]
        names = list(fields.names[:k]) + list(fields.names[k:])
        extra = [rows.column(i) for i in range(width, batch.num_columns)]
        extra_names = [batch.schema.field(i).name for i in range(width, batch.num_columns)]
        out = pa.RecordBatch.from_arrays(arrays + window_cols + extra, names=names + extra_names)
        return self.emit([conform(out, self.out_schema)])
