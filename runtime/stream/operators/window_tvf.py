"""window_tvf: a TUMBLE/HOP/CUMULATE table function on its own (its rows feed a join, OVER, ...):
each row is copied once per window it belongs to, with window_start, window_end, window_time."""

from __future__ import annotations

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import Output
from ._base import BaseOperator
from ._rows import conform, data_width, epoch_ms
from ._windows import windows_of


def ms_array(values: list[int], typ: pa.DataType) -> pa.Array:
    arr = pa.array(values, type=pa.int64()).cast(pa.timestamp("ms"))
    return arr.cast(typ, safe=False) if arr.type != typ else arr


class WindowTVF(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.WindowTVF)
        self.window = node.window

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        times = epoch_ms(batch.column(self.window.time_col))
        take: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        for i, t in enumerate(times):
            if t is None:
                continue
            for s, e in windows_of(t, self.window):
                take.append(i)
                starts.append(s)
                ends.append(e)
        rows = batch.take(pa.array(take, type=pa.int64()))
        width = data_width(batch)
        k = len(self.out_schema) - 3
        arrays = [rows.column(i) for i in range(width)]
        fields = self.out_schema
        window_cols = [
            ms_array(starts, fields.field(k).type),
            ms_array(ends, fields.field(k + 1).type),
            ms_array([e - 1 for e in ends], fields.field(k + 2).type),
        ]
        names = list(fields.names[:k]) + list(fields.names[k:])
        extra = [rows.column(i) for i in range(width, batch.num_columns)]
        extra_names = [batch.schema.field(i).name for i in range(width, batch.num_columns)]
        out = pa.RecordBatch.from_arrays(arrays + window_cols + extra, names=names + extra_names)
        return self.emit([conform(out, self.out_schema)])
