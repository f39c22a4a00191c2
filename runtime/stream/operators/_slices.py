"""Columnar window slices (window_agg's aligned state when every aggregate has partials here):
per slice end, Arrow tables of (group keys, partial aggregates), and for DISTINCT aggregates, per
(argument, FILTER), tables of the distinct (group keys, value) pairs. Each batch is pre-aggregated
by (slice, key) with Arrow's hash aggregate and appended to its slices as a new piece; a slice's
pieces are merged into one when the new ones reach a quarter of the merged one (so duplicates
stay bounded at no more than O(1) merges per row); a window fires by merging its slices' pieces,
the DISTINCT aggregates counting, summing or taking min/max of the window's distinct pairs.

The partials (`Partials`, closing sessions' too): `_columnar`'s for COUNT, SUM, AVG, MIN and MAX,
and over an insert-only input, per aggregate x:
- STDDEV_POP/STDDEV_SAMP/VAR_POP/VAR_SAMP, per (argument, FILTER) `w{x}` of its first reader:
  the count, sum and sum of squares (`w{x}c`, `w{x}s`, `w{x}q`), doubles as float64 (the
  per-row accumulators' formula, (Q - S*S/n) / (n - ddof)) and integers and decimals exactly
  (int64 where no sum can overflow it, else DECIMAL256; the exact (n Q - S^2) / (n (n - ddof))
  rounded once, as group_agg's `_groups`);
- FIRST_VALUE/LAST_VALUE: `f{x}`, Arrow's ordered hash_first/hash_last (NULLs skipped);
- LISTAGG (one separator): `t{x}`, the text, Arrow's ordered hash_list of the values or of the
  pieces' texts joined (NULLs skipped; no value is NULL);
- ARRAY_AGG: `e{x}`, the list of values (a NULL is an element; a row FILTER drops is none),
  the rows' one-element lists or the pieces' lists concatenated in row order.
Pieces and slices merge in arrival and slice order, as the per-row accumulators do (a window's
FIRST_VALUE is the first value of its earliest slice that has one, LISTAGG concatenates the
slices' texts in slice order). The doubles' sums are not pre-summed per batch, which would
associate the additions otherwise than the per-row accumulators: a batch's values and squares
wait as rows (layer SUMS) until they are added, in arrival order, onto the slice's sums (layer
SUMMED) when they reach a quarter of its keys or a window reads the slice; a window adds its
slices' sums in slice order. So the results are the per-row path's to the bit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.plan import nodes as n

from . import _columnar as col
from . import _partials as shared
from ._accumulators import ORDERED, STATS, AggFn
from ._windows import epoch_ms_column, slice_size

END = "_end"
VALUE = "_value"
ROW = "_row"
ALL = "_all"
SQUARES = 2**31  # values up to this have int64 squares
SAFE = 2**63  # int64 sums whose terms' absolute values add up to less cannot overflow
MAIN = ""
SUMS = "_w"  # the doubles' STDDEV/VAR values and squares, a batch's rows as they are
SUMMED = "_ws"  # and their sums so far: one piece, a row per key
MAX_PIECES = 16
Layers = dict[str, list[pa.Table]]  # MAIN: partials; a value set's name: its distinct pairs


def supports(
    fns: Sequence[AggFn],
    arg_types: Sequence[pa.DataType | None],
    separators: Mapping[int, str],
    multisets: bool,
) -> bool:
    """Whether every aggregate has partials (`separators`: the LISTAGG calls whose separator is
    one string; `multisets`: DISTINCT aggregates count, their values kept per slice)."""
    for x, (fn, typ) in enumerate(zip(fns, arg_types, strict=True)):
        if fn.name in STATS:
            ok = not fn.distinct and typ is not None and shared.stat_number(typ)
        elif fn.name in ORDERED:
            ok = shared.first_or_last(fn, typ)
        elif fn.name == "LISTAGG":
            ok = shared.listagg(fn, typ) and x in separators
        elif fn.name == "ARRAY_AGG":
            ok = not fn.distinct and len(fn.args) == 1
        else:
            ok = col.supports([fn], [typ], multisets)
        if not ok:
            return False
    return True


class Partials:
    """How a batch's rows become partials per key, how partials merge, and the results: the
    `_columnar` aggregates (`plain`, named by their position j among them) and the others
    (named by their position x, as the module says)."""

    def __init__(
        self,
        fns: Sequence[AggFn],
        arg_types: Sequence[pa.DataType | None],
        separators: Mapping[int, str],
    ) -> None:
        self.fns = tuple(fns)
        self.plain = [x for x, fn in enumerate(fns) if fn.name in col.COLUMNAR]
        self.plain_fns = [self.fns[x] for x in self.plain]
        self.separators = {x: separators[x] for x, fn in enumerate(fns) if fn.name == "LISTAGG"}
        # STDDEV/VAR: aggregate -> the moments it reads (of its argument and FILTER's first
        # reader), and the moments -> the scale of an exact argument (None: doubles)
        self.moments_of: dict[int, str] = {}
        self.scales: dict[str, int | None] = {}
        readers: dict[tuple[int, int | None], str] = {}
        for x, (fn, typ) in enumerate(zip(fns, arg_types, strict=True)):
            if fn.name in STATS and typ is not None:
                name = readers.setdefault((fn.args[0], fn.filter), f"w{x}")
                self.moments_of[x] = name
                self.scales[name] = None if pa.types.is_floating(typ) else getattr(typ, "scale", 0)
        # the exact moments' columns (a batch's values `w`, the sums `ws` and the squares or
        # their sums `wq`) and their scales: summed in int64 where no sum can overflow it, else
        # in DECIMAL256; kept as the narrowest of int64, DECIMAL(38) and DECIMAL256 that holds
        # a piece's sums
        self.exact = {
            f"{w}{p}": scale * (2 if p == "q" else 1)
            for w, scale in self.scales.items()
            if scale is not None
            for p in ("", "s", "q")
        }
        self.doubles = [w for w, scale in self.scales.items() if scale is None]
        self.lists = [f"e{x}" for x, fn in enumerate(fns) if fn.name == "ARRAY_AGG"]
        self.partial = col.partial_aggs(self.plain_fns)
        self.merge = col.merge_aggs(self.plain_fns)
        for w in self.scales:
            self.partial += [(w, "count", f"{w}c"), (w, "sum", f"{w}s"), (f"{w}q", "sum", f"{w}q")]
            self.merge += [(f"{w}{p}", "sum", f"{w}{p}") for p in "csq"]
        for x, fn in enumerate(fns):
            if fn.name in ORDERED:
                op = shared.HASH_AGG[fn.name]
                self.partial.append((f"i{x}", op, f"f{x}"))
                self.merge.append((f"f{x}", op, f"f{x}"))
            elif fn.name == "LISTAGG":
                self.partial.append((f"i{x}", "list", f"t{x}"))
                self.merge.append((f"t{x}", "list", f"t{x}"))

    def inputs(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        """The batch's input columns: `_columnar`'s `a{j}`; per moments its values (float64
        or DECIMAL256) and their squares; FIRST/LAST_VALUE's and LISTAGG's `i{x}` (NULL where
        FILTER is not TRUE); ARRAY_AGG's `e{x}`, one-element lists (none where FILTER drops)."""
        out = col.inputs(batch, self.plain_fns)
        for x, fn in enumerate(self.fns):
            if fn.name == "ARRAY_AGG":
                dropped = None
                if fn.filter is not None:
                    dropped = pc.invert(pc.fill_null(batch.column(fn.filter), False))
                offsets = pa.array(np.arange(batch.num_rows + 1, dtype=np.int32))
                value = batch.column(fn.args[0])
                out[f"e{x}"] = pa.ListArray.from_arrays(offsets, value, mask=dropped)
                continue
            if fn.name not in ORDERED and fn.name not in STATS and fn.name != "LISTAGG":
                continue
            value = col.inputs(batch, [fn])["a0"]
            name = self.moments_of.get(x)
            if name is None:
                out[f"i{x}"] = value
            elif name == f"w{x}":
                scale = self.scales[name]
                if scale is None:
                    value = value.cast(pa.float64())
                elif pa.types.is_decimal(value.type) or _bound(value.cast(pa.int64())) > SQUARES:
                    value = value.cast(pa.decimal256(shared.precision(value.type), scale))
                else:  # every square fits int64
                    value = value.cast(pa.int64())
                out[name], out[f"{name}q"] = value, pc.multiply(value, value)
        return out

    def group(self, tables: Sequence[pa.Table], by: list[str], aggs: Sequence[col.Agg]) -> pa.Table:
        """The rows of `tables` aggregated by `by` (`col.group`), LISTAGG's lists of values or
        texts joined and ARRAY_AGG's lists concatenated, each key's in row order."""
        table = self._summable(tables)
        if self.lists:
            table = table.append_column(ROW, pa.array(np.arange(table.num_rows)))
            aggs = [*aggs, (ROW, "list", ROW)]
        if by:
            grouped = col.group(table, by, aggs)
        else:  # one group (Arrow's hash_list has no scalar twin): all rows under one key
            table = table.append_column(ALL, pa.array(np.zeros(table.num_rows, np.int8)))
            grouped = col.group(table, [ALL], aggs).drop_columns([ALL])
        for x, sep in self.separators.items():
            lists = shared.without_nulls(grouped.column(f"t{x}").combine_chunks())
            text = pc.binary_join(lists, sep)
            empty = pc.equal(pc.list_value_length(lists), 0)
            grouped = _replace(
                grouped, f"t{x}", pc.if_else(empty, pa.scalar(None, text.type), text)
            )
        grouped = self._narrowed(grouped)
        if not self.lists:
            return grouped
        rows = grouped.column(ROW).combine_chunks()
        order = rows.flatten()  # the table's rows, key by key, each key's in row order
        parents = np.asarray(pc.list_parent_indices(rows))
        for name in self.lists:
            lists = table.column(name).take(order).combine_chunks()
            length = np.asarray(pc.fill_null(pc.list_value_length(lists), 0))
            counts = np.bincount(parents, weights=length, minlength=len(rows)).astype(np.int32)
            offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
            joined = pa.ListArray.from_arrays(offsets, lists.flatten(), mask=pa.array(counts == 0))
            grouped = grouped.append_column(name, joined)
        return grouped.drop_columns([ROW])

    def results(self, partials: pa.Table, types: Sequence[pa.DataType]) -> list[pa.Array]:
        """Each aggregate's result column, of its output type."""
        plain = col.results(self.plain_fns, partials, [types[x] for x in self.plain])
        out = dict(zip(self.plain, plain, strict=True))
        for x, fn in enumerate(self.fns):
            if x in out:
                continue
            if x in self.moments_of:
                out[x] = self._stat(x, partials, types[x])
                continue
            name = f"{'f' if fn.name in ORDERED else 't' if fn.name == 'LISTAGG' else 'e'}{x}"
            value = partials.column(name).combine_chunks()
            out[x] = value if value.type == types[x] else value.cast(types[x])
        return [out[x] for x in range(len(self.fns))]

    def _stat(self, x: int, partials: pa.Table, typ: pa.DataType) -> pa.Array:
        fn, name = self.fns[x], self.moments_of[x]
        count = np.asarray(pc.fill_null(partials.column(f"{name}c"), 0), np.int64)
        ddof = shared.ddof_of(fn)
        scale = self.scales[name]
        if scale is None:  # the per-row accumulators' formula, element by element
            n = count.astype(np.float64)
            total, squares = (
                np.asarray(pc.fill_null(partials.column(f"{name}{p}"), 0.0), np.float64)
                for p in "sq"
            )
            with np.errstate(all="ignore"):  # too few values: NULL whatever the value
                var = np.maximum((squares - total * total / n) / (n - ddof), 0.0)
            return shared.stat_column(fn, count, var, typ)
        total, squares = (self._ints(partials.column(f"{name}{p}")) for p in "sq")
        return shared.stat_column(
            fn, count, shared.exact_variance(count, ddof, total, squares, scale), typ
        )

    def _summable(self, tables: Sequence[pa.Table]) -> pa.Table:
        """The tables as one, the exact moments' columns as int64 where no sum of them can
        overflow it (Arrow's int64 sums wrap), else as DECIMAL256."""
        exact = [name for name in self.exact if name in tables[0].column_names]
        if any(t.schema != tables[0].schema for t in tables[1:]):
            tables = [self._widened(t, exact) for t in tables]
        table = pa.concat_tables(tables, promote_options="default")
        wide = [name for name in exact if not _summable(table.column(name), table.num_rows)]
        return self._widened(table, wide)

    def _widened(self, table: pa.Table, names: Sequence[str]) -> pa.Table:
        for name in names:
            if name not in table.column_names:
                continue
            column, wide = table.column(name), pa.decimal256(76, self.exact[name])
            if column.type != wide:
                table = _replace(table, name, column.cast(wide))
        return table

    def _narrowed(self, table: pa.Table) -> pa.Table:
        for name, scale in self.exact.items():
            if name not in table.column_names or table.schema.field(name).type == pa.int64():
                continue
            for typ in [pa.int64()] * (scale == 0) + [pa.decimal128(38, scale)]:
                try:
                    table = _replace(table, name, table.column(name).cast(typ))
                    break
                except pa.ArrowInvalid:  # a sum too wide for it
                    continue
        return table

    def _ints(self, column: pa.ChunkedArray) -> np.ndarray:
        """Exact sums as Python ints of their unscaled values (an object array)."""
        if column.type == pa.int64():
            return np.asarray(pc.fill_null(column, 0)).astype(object)
        return shared.decimal_ints(column.cast(pa.decimal256(76, column.type.scale)))


def _bound(column: pa.Array | pa.ChunkedArray) -> int:
    """The largest absolute value of an int64 column (0 if it has none)."""
    low, high = pc.min_max(column).values()
    return max(abs(low.as_py() or 0), abs(high.as_py() or 0))


def _summable(column: pa.ChunkedArray, rows: int) -> bool:
    """Whether int64 sums of any of its values stay within int64."""
    return column.type == pa.int64() and _bound(column) * rows < SAFE


def _replace(table: pa.Table, name: str, column: pa.Array | pa.ChunkedArray) -> pa.Table:
    at = table.schema.get_field_index(name)
    return table.set_column(at, pa.field(name, column.type), column)


class ColumnarSlices:
    def __init__(
        self,
        group: Sequence[int],
        partials: Partials,
        window: n.WindowSpec,
        arg_types: Sequence[pa.DataType | None],
    ) -> None:
        self.group = tuple(group)
        self.keys = [f"k{j}" for j in range(len(group))]
        self.partials = partials
        self.window = window
        # the distinct value sets, by (argument, FILTER): the plain aggregates (j) reading
        # each, its type
        self.sets: dict[str, list[int]] = {}
        self.types: dict[str, pa.DataType] = {}
        for j, x in enumerate(partials.plain):
            fn, typ = partials.fns[x], arg_types[x]
            if fn.distinct and typ is not None:
                name = f"_v{fn.args[0]}_{'' if fn.filter is None else fn.filter}"
                self.sets.setdefault(name, []).append(j)
                self.types[name] = typ
        # the doubles' sums (of values and of squares) are two layers of their own: a batch's
        # rows as they are, summed in arrival order onto the slice's sums so far (Arrow's hash
        # sum adds a key's values in row order: the per-row accumulators' sums to the bit)
        self.sums = [f"{w}{p}" for w in partials.doubles for p in "sq"]
        self.partial = [a for a in partials.partial if a[2] not in self.sums]
        # how the pieces of each layer merge: (group by, aggregates)
        self.layers: dict[str, tuple[list[str], list[col.Agg]]] = {
            MAIN: (self.keys, [a for a in partials.merge if a[2] not in self.sums])
        }
        self.layers.update({name: ([*self.keys, VALUE], []) for name in self.sets})
        if self.sums:
            self.layers[SUMS] = (self.keys, [(c, "sum", c) for c in self.sums])
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
        columns.update(self.partials.inputs(batch))
        columns[END] = pa.array(ends)
        table = pa.table(columns).filter(pa.array(keep))
        by = [*self.keys, END]
        grouped = {MAIN: self.partials.group([table], by, self.partial)}
        if self.sums:
            values = [table.column(c[:-1] if c[-1] == "s" else c) for c in self.sums]
            grouped[SUMS] = pa.table([*(table.column(k) for k in by), *values], [*by, *self.sums])
        for name, readers in self.sets.items():
            value = table.column(f"a{readers[0]}")  # one argument and FILTER for all readers
            pairs = table.select(by).append_column(VALUE, value).filter(pc.is_valid(value))
            grouped[name] = col.group(pairs, [*by, VALUE], [])
        created = [e for e in np.unique(ends[keep]).tolist() if e not in self.pieces]
        for layer, part in grouped.items():
            slice_ends = part.column(END)
            for end in np.unique(np.asarray(slice_ends)).tolist():
                piece = part.filter(pc.equal(slice_ends, end)).drop_columns([END])
                layers = self.pieces.setdefault(end, {})
                if layer == SUMS:
                    self._add_sums(layers, piece)
                    continue
                pieces = layers.setdefault(layer, [])
                pieces.append(piece)
                extra = sum(p.num_rows for p in pieces[1:])
                if len(pieces) > MAX_PIECES or 4 * extra >= pieces[0].num_rows:
                    pieces[:] = [self._merge(layer, pieces)]
        return late, created

    def _add_sums(self, layers: Layers, rows: pa.Table) -> None:
        raw = layers.setdefault(SUMS, [])
        raw.append(rows)
        summed = sum(p.num_rows for p in layers.get(SUMMED, []))
        if len(raw) > MAX_PIECES or 4 * sum(r.num_rows for r in raw) >= summed:
            self._sum(layers)

    def _sum(self, layers: Layers) -> None:
        """Add a slice's pending double values onto its sums, in arrival order."""
        raw = layers.pop(SUMS, [])
        if raw:
            pieces = [*layers.get(SUMMED, []), *raw]
            by, aggs = self.layers[SUMS]
            layers[SUMMED] = [col.group(pa.concat_tables(pieces), by, aggs)]

    def _merge(self, layer: str, pieces: list[pa.Table]) -> pa.Table:
        if len(pieces) == 1:
            return pieces[0]
        by, aggs = self.layers[layer]
        if layer == MAIN:
            return self.partials.group(pieces, by, aggs)
        return col.group(pa.concat_tables(pieces), by, aggs)  # distinct pairs

    def _final(self, layers: list[Layers]) -> pa.Table:
        """Keys and the final partials of these slices."""
        main = self._merge(MAIN, [p for slices in layers for p in slices.get(MAIN, [])])
        if not self.sets and not self.sums:
            return main
        parts = [main]
        aggs = list(self.layers[MAIN][1])
        if self.sums:
            # each slice's double sums, added up in slice order as the per-row accumulators
            # merge (a slice's pending values summed for good: other windows read it too)
            for slices in layers:
                self._sum(slices)
                parts.append(slices[SUMMED][0])
            aggs += self.layers[SUMS][1]
        for name, readers in self.sets.items():
            pieces = [p for slices in layers for p in slices.get(name, [])]
            pairs = self._merge(name, pieces) if pieces else self._no_pairs(name)
            parts.append(pairs.rename_columns([*self.keys, name]))
            for j in readers:  # over distinct pairs: count, sum, min or max of the values
                fn = self.partials.plain_fns[j]
                if fn.name in col.SUMS:
                    aggs.append((name, "sum", f"s{j}"))
                if fn.name in ("MIN", "MAX"):
                    aggs.append((name, fn.name.lower(), f"m{j}"))
                else:
                    aggs.append((name, "count", f"c{j}"))
        return self.partials.group(parts, self.keys, aggs)

    def _no_pairs(self, name: str) -> pa.Table:
        fields = [*(f for f in self.pieces_schema()), pa.field(VALUE, self.types[name])]
        return pa.schema(fields).empty_table()

    def pieces_schema(self) -> list[pa.Field]:
        """The key fields (of any piece: every slice has main partials)."""
        piece = next(iter(self.pieces.values()))[MAIN][0]
        return [piece.schema.field(k) for k in self.keys]

    def of_window(self, start: int, end: int) -> pa.Table | None:
        """Keys and merged partials of the window [start, end), None if it holds no row."""
        # in slice order: order-sensitive partials merge as the per-row accumulators do
        slices = [self.pieces[e] for e in sorted(self.pieces) if start < e <= end]
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
