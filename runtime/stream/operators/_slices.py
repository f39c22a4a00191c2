"""Columnar window slices (window_agg's aligned state when every aggregate is `_columnar`): per
slice end, Arrow tables of (group keys, partial aggregates). Each batch is pre-aggregated by
(slice, key) with Arrow's hash aggregate and appended to its slices as a new piece; a slice's
pieces are merged into one when the new ones reach a quarter of the merged one (so duplicates
stay bounded at no more than O(1) merges per row); a window fires by merging its slices' pieces.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.plan import nodes as n

from . import _columnar as col
from ._accumulators import AggFn
from ._partial import epoch_ms_array
from ._windows import slice_size

END = "_end"
MAX_PIECES = 16


class ColumnarSlices:
    def __init__(self, group: Sequence[int], fns: Sequence[AggFn], window: n.WindowSpec) -> None:
        self.group = tuple(group)
        self.keys = [f"k{j}" for j in range(len(group))]
        self.fns = tuple(fns)
        self.window = window
        self.partial = col.partial_aggs(fns)
        self.merging = col.merge_aggs(fns)
        self.pieces: dict[int, list[pa.Table]] = {}

    def add(self, batch: pa.RecordBatch, watermark: int) -> tuple[int, list[int]]:
        """Fold a batch in: (late rows dropped, ends of the slices it created)."""
        t = epoch_ms_array(batch.column(self.window.time_col))
        valid = np.asarray(pc.is_valid(t))
        size, offset = slice_size(self.window), self.window.offset_ms
        ends = (np.asarray(pc.fill_null(t, 0)) - offset) // size * size + offset + size
        on_time = ends - 1 > watermark
        keep = valid & on_time
        late = int(np.count_nonzero(valid & ~on_time))
        if not keep.any():
            return late, []
        columns = {k: batch.column(i) for k, i in zip(self.keys, self.group, strict=True)}
        columns.update(col.inputs(batch, self.fns))
        columns[END] = pa.array(ends)
        table = pa.table(columns).filter(pa.array(keep))
        grouped = col.group(table, [*self.keys, END], self.partial)
        created: list[int] = []
        slice_ends = grouped.column(END)
        for end in np.unique(np.asarray(slice_ends)).tolist():
            piece = grouped.filter(pc.equal(slice_ends, end)).drop_columns([END])
            pieces = self.pieces.get(end)
            if pieces is None:
                self.pieces[end] = [piece]
                created.append(end)
                continue
            pieces.append(piece)
            extra = sum(p.num_rows for p in pieces[1:])
            if len(pieces) > MAX_PIECES or 4 * extra >= pieces[0].num_rows:
                self.pieces[end] = [self._merge(pieces)]
        return late, created

    def _merge(self, pieces: list[pa.Table]) -> pa.Table:
        if len(pieces) == 1:
            return pieces[0]
        return col.group(pa.concat_tables(pieces), self.keys, self.merging)

    def of_window(self, start: int, end: int) -> pa.Table | None:
        """Keys and merged partials of the window [start, end), None if it holds no row."""
        pieces = [p for e, ps in self.pieces.items() if start < e <= end for p in ps]
        return self._merge(pieces) if pieces else None

    def slice(self, end: int) -> pa.Table:
        return self._merge(self.pieces[end])

    def drop(self, end: int) -> None:
        del self.pieces[end]

    def ends(self) -> list[int]:
        return list(self.pieces)

    def rows(self) -> int:
        return sum(p.num_rows for ps in self.pieces.values() for p in ps)

    def nbytes(self) -> int:
        return sum(p.nbytes for ps in self.pieces.values() for p in ps)
