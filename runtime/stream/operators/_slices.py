"""Columnar window slices (window_agg's aligned state when every aggregate is `_columnar`): per
slice end, Arrow tables of (group keys, partial aggregates), and for DISTINCT aggregates, per
(argument, FILTER), tables of the distinct (group keys, value) pairs. Each batch is pre-aggregated
by (slice, key) with Arrow's hash aggregate and appended to its slices as a new piece; a slice's
pieces are merged into one when the new ones reach a quarter of the merged one (so duplicates
stay bounded at no more than O(1) merges per row); a window fires by merging its slices' pieces,
the DISTINCT aggregates counting, summing or taking min/max of the window's distinct pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.plan import nodes as n

from . import _columnar as col
from ._accumulators import AggFn
from ._windows import epoch_ms_column, slice_size

END = "_end"
VALUE = "_value"
MAIN = ""
MAX_PIECES = 16
Layers = dict[str, list[pa.Table]]  # MAIN: partials; a value set's name: its distinct pairs


class ColumnarSlices:
    def __init__(
        self,
        group: Sequence[int],
        fns: Sequence[AggFn],
        window: n.WindowSpec,
        arg_types: Sequence[pa.DataType | None],
    ) -> None:
        self.group = tuple(group)
        self.keys = [f"k{j}" for j in range(len(group))]
        self.fns = tuple(fns)
        self.window = window
        self.partial = col.partial_aggs(fns)
        # the distinct value sets, by (argument, FILTER): the aggregates reading each, its type
        self.sets: dict[str, list[int]] = {}
        self.types: dict[str, pa.DataType] = {}
        for x, (fn, typ) in enumerate(zip(fns, arg_types, strict=True)):
            if fn.distinct and typ is not None:
                name = f"_v{fn.args[0]}_{'' if fn.filter is None else fn.filter}"
                self.sets.setdefault(name, []).append(x)
                self.types[name] = typ
        # how the pieces of each layer merge: (group by, aggregates)
        self.layers: dict[str, tuple[list[str], list[col.Agg]]] = {
            MAIN: (self.keys, col.merge_aggs(fns))
        }
        self.layers.update({name: ([*self.keys, VALUE], []) for name in self.sets})
        self.pieces: dict[int, Layers] = {}

    def add(self, batch: pa.RecordBatch, watermark: int) -> tuple[int, list[int]]:
        """Fold a batch in: (late rows dropped, ends of the slices it created)."""
        t = epoch_ms_column(batch.column(self.window.time_col))
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
        by = [*self.keys, END]
        grouped = {MAIN: col.group(table, by, self.partial)}
        for name, readers in self.sets.items():
            value = table.column(f"a{readers[0]}")  # one argument and FILTER for all readers
            pairs = table.select(by).append_column(VALUE, value).filter(pc.is_valid(value))
            grouped[name] = col.group(pairs, [*by, VALUE], [])
        created = [e for e in np.unique(ends[keep]).tolist() if e not in self.pieces]
        for layer, part in grouped.items():
            slice_ends = part.column(END)
            for end in np.unique(np.asarray(slice_ends)).tolist():
                piece = part.filter(pc.equal(slice_ends, end)).drop_columns([END])
                pieces = self.pieces.setdefault(end, {}).setdefault(layer, [])
                pieces.append(piece)
                extra = sum(p.num_rows for p in pieces[1:])
                if len(pieces) > MAX_PIECES or 4 * extra >= pieces[0].num_rows:
                    pieces[:] = [self._merge(layer, pieces)]
        return late, created

    def _merge(self, layer: str, pieces: list[pa.Table]) -> pa.Table:
        if len(pieces) == 1:
            return pieces[0]
        by, aggs = self.layers[layer]
        return col.group(pa.concat_tables(pieces), by, aggs)

    def _final(self, layers: list[Layers]) -> pa.Table:
        """Keys and the final partials (`_columnar`'s c/s/m columns) of these slices."""
        main = self._merge(MAIN, [p for slices in layers for p in slices.get(MAIN, [])])
        if not self.sets:
            return main
        parts = [main]
        aggs = list(self.layers[MAIN][1])
        for name, readers in self.sets.items():
            pieces = [p for slices in layers for p in slices.get(name, [])]
            pairs = self._merge(name, pieces) if pieces else self._no_pairs(name)
            parts.append(pairs.rename_columns([*self.keys, name]))
            for x in readers:  # over distinct pairs: count, sum, min or max of the values
                fn = self.fns[x]
                if fn.name in col.SUMS:
                    aggs.append((name, "sum", f"s{x}"))
                if fn.name in ("MIN", "MAX"):
                    aggs.append((name, fn.name.lower(), f"m{x}"))
                else:
                    aggs.append((name, "count", f"c{x}"))
        table = pa.concat_tables(parts, promote_options="default")
        return col.group(table, self.keys, aggs)

    def _no_pairs(self, name: str) -> pa.Table:
        fields = [*(f for f in self.pieces_schema()), pa.field(VALUE, self.types[name])]
        return pa.schema(fields).empty_table()

    def pieces_schema(self) -> list[pa.Field]:
        """The key fields (of any piece: every slice has main partials)."""
        piece = next(iter(self.pieces.values()))[MAIN][0]
        return [piece.schema.field(k) for k in self.keys]

    def of_window(self, start: int, end: int) -> pa.Table | None:
        """Keys and merged partials of the window [start, end), None if it holds no row."""
        slices = [layers for e, layers in self.pieces.items() if start < e <= end]
        return self._final(slices) if slices else None

    def slice(self, end: int) -> pa.Table:
        return self._final([self.pieces[end]])

    def drop(self, end: int) -> None:
        del self.pieces[end]

    def ends(self) -> list[int]:
        return list(self.pieces)

    def _all(self) -> list[pa.Table]:
        return [p for layers in self.pieces.values() for ps in layers.values() for p in ps]

    def rows(self) -> int:
        return sum(p.num_rows for p in self._all())

    def nbytes(self) -> int:
        return sum(p.nbytes for p in self._all())
