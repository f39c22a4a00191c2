"""Columnar GROUP BY state: group_agg's when every aggregate is `_columnar` and its argument is
a number (MIN/MAX: any type Arrow orders). Keys get dense slots (`KeySlots`); per slot, numpy
arrays: `rows` (rows folded in: a key is live while positive), per distinct (argument, FILTER)
the count of its non-NULL values (COUNT(*) without FILTER is `rows` itself), and per aggregate
its sum or its minimum/maximum; a MIN/MAX of a type numpy does not hold (strings, decimals,
dates, booleans) and a DECIMAL sum (exact, as DECIMAL(38, s)) keep their value in a
`SlotValues` pool instead. So do LISTAGG (its separator one string), ARRAY_AGG and, under
retraction, FIRST_VALUE/LAST_VALUE: LISTAGG over an input without retractions keeps the text, a
batch's values (Arrow's ordered hash_list) joined on; the others keep the list of values: a
batch's inserted ones appended and, per retracted value, the oldest equal element taken out
(LAST_VALUE: the newest present at the retraction's row), as the per-row accumulators do (the
batch's rows per key by hash_list of row numbers, as a NULL is an ARRAY_AGG element); a result
is read from the list when asked for.

STDDEV_POP/STDDEV_SAMP/VAR_POP/VAR_SAMP of one (argument, FILTER) share moments beside its
count. Of integers and decimals: the exact sum and sum of squares of the unscaled values (int64,
widened to Python ints in an object array when one outgrows it, narrowed again on restore; a
batch's signed sums by Arrow in DECIMAL256), so the variance is the
exact (n Q - S^2) / (n (n - ddof)) rounded once, as the per-row accumulators' (a result rounded
HALF_UP to an integer or decimal type does not flip at .5). Of doubles: a float64 mean and sum
of squared deviations (M2), updated a batch at a time by Chan's formulas: the batch's inserted
values (count, mean, variance by Arrow's hash aggregate) join the group's, its retracted values
then leave by the same formula solved for one part (the batch target, DuckDB, runs Welford in
double; no sum of squares minus a squared sum, which cancels).

Counts are int32, widened to int64 when one outgrows it (narrowed again on restore). A count of
non-NULL values is no array at all while it equals `rows` (a NOT NULL argument without FILTER:
always), and becomes one, a copy of `rows`, at the first batch where they differ: per group the
fixed cost is then the key, its index entry and 4 bytes, next to the result row's values.

A batch is pre-aggregated by key with Arrow, signed (retractions subtract); the keys are found or
added in one lookup; the arrays are updated in place for every key at once; and the results
before and after are compared column by column to emit the changelog once per touched key
(Flink's mini-batch): +I for a new group, -U/+U when its result changed, -D when its last row was
retracted. Dead slots keep their key until the dead outnumber the live, then the state compacts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..api import OP_COLUMN
from . import _columnar as col
from ._accumulators import ORDERED, STATS, AggFn
from ._keys import NULL_EXACT, rows_equal
from ._partials import (
    HASH_AGG,
    ddof_of,
    decimal_ints,
    exact_variance,
    first_or_last,
    listagg,
    precision,
    stat_column,
    stat_number,
    without_nulls,
)
from ._rows import DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE
from ._slots import KeySlots
from ._slotvalues import SlotValues
from ._values import ValueCounts

ROWS = "rows"
ROW_LIST = "row_list"  # a pre-aggregated batch's row numbers per key
_NUMPY_AGGS = frozenset({"sum", "min", "max"})
SMALL_BATCH = 512  # rows a batch pre-aggregated by numpy has fewer of
# per array or pool name its values at some slots (`ColumnarGroups._state`)
State = dict[str, Any]
_INT32 = np.iinfo(np.int32)
_INT64 = np.iinfo(np.int64)
GROWTH = 1.25
MIN_COMPACT = 1024
INT_BYTES = 32  # sys.getsizeof of a Python int of 31 to 59 bits (28 below, 36 up to 89)


def supports(
    fns: Sequence[AggFn],
    arg_types: Sequence[pa.DataType | None],
    key_types: Sequence[pa.DataType],
    separators: Mapping[int, str] = MappingProxyType({}),
) -> bool:
    """`separators`: the LISTAGG calls whose separator is one string (position -> it)."""
    if not all(col.groupable(t) for t in key_types):
        return False
    for x, (fn, typ) in enumerate(zip(fns, arg_types, strict=True)):
        if first_or_last(fn, typ):
            continue
        if listagg(fn, typ) and x in separators:
            continue
        if _listed(fn) and typ is not None and col.groupable(typ):
            continue
        if fn.name in STATS and not fn.distinct and typ is not None and stat_number(typ):
            continue
        if not col.supports([fn], [typ], True):
            return False
        if typ is None or fn.name in ("COUNT", "MIN", "MAX"):
            continue
        if pa.types.is_decimal(typ) and not fn.distinct:
            continue
        if not (pa.types.is_integer(typ) or pa.types.is_floating(typ)):
            return False
    return True


def _listed(fn: AggFn) -> bool:
    """ARRAY_AGG, and FIRST_VALUE/LAST_VALUE under retraction: the list of values per group."""
    plain = not fn.distinct and len(fn.args) == 1
    return plain and (fn.name == "ARRAY_AGG" or (fn.name in ORDERED and fn.retracting))


def _numpy(typ: pa.DataType) -> bool:
    """Whether a MIN/MAX of `typ` fits a numpy array (as int64 or float64)."""
    return pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_timestamp(typ)


def _dtype(typ: pa.DataType) -> Any:
    return np.float64 if pa.types.is_floating(typ) else np.int64


def _arrow(dtype: Any) -> pa.DataType:
    return pa.float64() if dtype is np.float64 else pa.int64()


class ColumnarGroups:
    def __init__(
        self,
        group: Sequence[int],
        fns: Sequence[AggFn],
        in_schema: pa.Schema,
        out_schema: pa.Schema,
        separators: Mapping[int, str] = MappingProxyType({}),
    ) -> None:
        self.group = tuple(group)
        self.fns = tuple(fns)
        self.in_schema = in_schema
        self.out_schema = out_schema
        self.changelog_schema = out_schema.append(pa.field(OP_COLUMN, pa.int8()))
        fields = [in_schema.field(i) for i in group] or [pa.field("_all", pa.int8())]
        self.slots = KeySlots(pa.schema([(f"k{j}", f.type) for j, f in enumerate(fields)]))
        self.keys = self.slots.names
        self.types = [out_schema.field(len(group) + x).type for x in range(len(fns))]
        self.counts: list[str] = []  # the count array of each aggregate
        self.dtypes: dict[str, Any] = {ROWS: np.int32}
        # DISTINCT and retracting MIN/MAX: a value multiset per (argument, FILTER), the
        # aggregates that read it, and its number of distinct values present as their count
        self.values: dict[str, ValueCounts] = {}
        self.readers: dict[str, list[int]] = {}
        self.pooled: dict[str, SlotValues] = {}  # MIN/MAX of types numpy does not hold
        # STDDEV/VAR: aggregate -> its (argument, FILTER)'s moments `w{arg}_{flt}`, and the
        # moments -> (their count, the scale of an exact argument: arrays `...s` the sum and
        # `...q` the sum of squares; None for doubles: `...u` the mean and `...q` M2)
        self.moments_of: dict[int, str] = {}
        self.moments: dict[str, tuple[str, int | None]] = {}
        # LISTAGG: position -> separator; in the pool `l{x}` its text, or (`listed`: under
        # retraction; ARRAY_AGG always; retracting FIRST/LAST_VALUE) the list of its values in
        # arrival order
        self.separators = {x: separators[x] for x, fn in enumerate(fns) if fn.name == "LISTAGG"}
        self.listed = frozenset(
            x for x, fn in enumerate(fns) if _listed(fn) or (x in self.separators and fn.retracting)
        )
        for x, fn in enumerate(fns):
            if fn.name == "COUNT" and not fn.args and fn.filter is None:
                self.counts.append(ROWS)
                continue
            arg, flt = fn.args[0] if fn.args else "", "" if fn.filter is None else fn.filter
            name = f"n{arg}_{flt}"
            if col.keeps_values(fn):
                store = f"v{arg}_{flt}"
                if store not in self.values:
                    self.values[store] = ValueCounts(in_schema.field(fn.args[0]).type)
                self.readers.setdefault(store, []).append(x)
                name = f"c{store}"
            self.counts.append(name)
            self.dtypes[name] = np.int32
            if fn.name in ("LISTAGG", "ARRAY_AGG") or x in self.listed:
                typ = in_schema.field(fn.args[0]).type
                self.pooled[f"l{x}"] = SlotValues(pa.list_(typ) if x in self.listed else typ)
            elif fn.name in STATS:
                moments = self.moments_of[x] = f"w{arg}_{flt}"
                typ = in_schema.field(fn.args[0]).type
                scale = None if pa.types.is_floating(typ) else getattr(typ, "scale", 0)
                self.moments[moments] = (name, scale)
                kept = "uq" if scale is None else "sq"
                for part in kept:
                    self.dtypes[f"{moments}{part}"] = np.float64 if scale is None else np.int64
            elif fn.name != "COUNT":
                arg = in_schema.field(fn.args[0]).type
                if fn.name in ORDERED:
                    self.pooled[self._acc(x)] = SlotValues(arg)
                elif pa.types.is_decimal(arg) and fn.name in col.SUMS:
                    self.pooled[self._acc(x)] = SlotValues(pa.decimal128(38, arg.scale))
                elif fn.name in col.SUMS or _numpy(arg):
                    self.dtypes[self._acc(x)] = _dtype(arg)
                else:
                    self.pooled[self._acc(x)] = SlotValues(arg)
        # counts of non-NULL values (not of distinct values) that equal `rows`, kept as no array
        self.shareable = frozenset(c for c in self.counts if c[0] == "n")
        self.shared = set(self.shareable)
        self.arrays = {k: np.zeros(0, t) for k, t in self.dtypes.items() if k not in self.shared}
        self.live = 0

    # -- one batch -----------------------------------------------------------------------
    def apply(self, batch: pa.RecordBatch, ops: np.ndarray) -> pa.RecordBatch | None:
        """Fold a batch in (`ops` its row kinds); the changelog it causes."""
        sign = np.where((ops == UPDATE_BEFORE) | (ops == DELETE), -1, 1).astype(np.int64)
        keys = self._key_columns(batch)
        inputs = col.inputs(batch, self.fns)
        elements = self._elements(batch, inputs)
        delta, owner = self._pre_aggregate(keys, inputs, sign, elements)
        slots, _ = self.slots.slots(delta.select(self.keys))
        self._grow(self.slots.size)
        live_before = self.arrays[ROWS][slots] > 0
        before = self._state(slots)
        # a retraction of a group not live (its rows never seen: state lost) is ignored
        touched = live_before | (np.asarray(delta.column(ROWS)) > 0)
        if not touched.all():
            slots_touched, delta_touched = slots[touched], delta.filter(pa.array(touched))
        else:  # no retraction of a lost group (always without retractions): no filter
            slots_touched, delta_touched = slots, delta
        self._update(slots_touched, delta_touched, elements)
        if owner is not None:
            self._update_values(inputs, sign, slots[owner], touched[owner])
        live_after = self.arrays[ROWS][slots] > 0
        if not live_after.all():
            gone = slots[~live_after]
            for key, store in self.values.items():
                # values still present only after retractions of rows never seen (state lost):
                # else no scan of the multiset's pairs
                if self.arrays[f"c{key}"][gone].any():
                    store.forget(gone)
            for a in self.arrays.values():
                a[gone] = 0  # a group that comes back starts afresh
            for pool in self.pooled.values():
                pool.clear(gone)
        self.live += int(np.count_nonzero(live_after)) - int(np.count_nonzero(live_before))
        # the results before and after in one pass (every result is per slot): half the
        # fixed cost of the Arrow calls a result takes
        k = len(slots)
        both = self._results(_joined(before, self._state(slots)))
        same = _unchanged(both, k)
        out = self._changelog(delta, both, live_before, live_after, same)
        if self.slots.size - self.live > max(MIN_COMPACT, self.live):
            self._compact()
        return out

    def _key_columns(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        if not self.group:
            return {self.keys[0]: pa.nulls(batch.num_rows, pa.int8())}
        return {k: batch.column(i) for k, i in zip(self.keys, self.group, strict=True)}

    def _elements(
        self, batch: pa.RecordBatch, inputs: dict[str, pa.Array]
    ) -> dict[int, tuple[pa.Array, np.ndarray]]:
        """The `listed` aggregates' values and which rows have one: ARRAY_AGG's argument (a
        NULL is an element) where FILTER holds, the others' non-NULL values."""
        out: dict[int, tuple[pa.Array, np.ndarray]] = {}
        for x in self.listed:
            fn = self.fns[x]
            if fn.name != "ARRAY_AGG":
                value = inputs[f"a{x}"]
                out[x] = value, np.asarray(value.is_valid())
                continue
            present = np.ones(batch.num_rows, bool)
            if fn.filter is not None:
                present = np.asarray(pc.fill_null(batch.column(fn.filter), False))
            out[x] = batch.column(fn.args[0]), present
        return out

    def _pre_aggregate(
        self,
        keys: dict[str, pa.Array],
        inputs: dict[str, pa.Array],
        sign: np.ndarray,
        elements: dict[int, tuple[pa.Array, np.ndarray]],
    ) -> tuple[pa.Table, np.ndarray | None]:
        """The batch's net change per key: `rows`, the counts, sums and minima/maxima (of the
        aggregates that do not keep their values), the `listed` aggregates' rows; and, when
        there are value multisets (they take the rows one by one), each row's key position."""
        columns = dict(keys)
        columns[ROWS] = pa.array(sign)
        aggs: list[col.Agg] = [(ROWS, "sum", ROWS)]
        signed = bool((sign < 0).any())  # without retractions no sign is applied
        for x, fn in enumerate(self.fns):
            if col.keeps_values(fn):
                continue
            value = inputs[f"a{x}"]
            count = self.counts[x]
            if count in self.shared and fn.args and not value.null_count:
                pass  # a count still kept as `rows` that this batch keeps equal to it
            elif count not in columns:
                # a FILTER made the value NULL (COUNT(*): 0) where the row does not count
                ones = np.asarray(pc.is_valid(value)) if fn.args else np.asarray(value) != 0
                columns[count] = pa.array(ones.astype(np.int64) * sign)
                aggs.append((count, "sum", count))
            if fn.name == "COUNT":
                continue
            if x in self.moments_of:
                self._moment_aggs(self.moments_of[x], value, sign, columns, aggs)
                continue
            if x in self.listed:
                # each key's rows with an element, inserted and retracted, in arrival order (row
                # numbers: Arrow's hash_list would not tell a NULL element from no element)
                present = elements[x][1]
                rows = np.arange(len(sign))
                columns[f"l{x}+"] = pa.array(rows, mask=~(present & (sign > 0)))
                columns[f"l{x}-"] = pa.array(rows, mask=~(present & (sign < 0)))
                aggs += [(f"l{x}+", "list", f"l{x}+"), (f"l{x}-", "list", f"l{x}-")]
                continue
            if x in self.separators:  # the batch's values of each key, in arrival order
                columns[f"l{x}"] = value
                aggs.append((f"l{x}", "list", f"l{x}"))
                continue
            name = self._acc(x)
            if name in self.pooled:
                if fn.name in col.SUMS:
                    if signed:  # retractions subtract
                        value = pc.if_else(pa.array(sign < 0), pc.negate(value), value)
                    aggs.append((name, "sum", name))
                else:
                    aggs.append((name, HASH_AGG.get(fn.name, fn.name.lower()), name))
                columns[name] = value
                continue
            typ = _arrow(self.dtypes[name])
            number = pc.cast(value, typ)
            if fn.name in col.SUMS:
                columns[f"s{x}"] = pc.multiply(number, pa.array(sign, typ)) if signed else number
                aggs.append((f"s{x}", "sum", f"s{x}"))
            else:
                columns[f"m{x}"] = number
                aggs.append((f"m{x}", fn.name.lower(), f"m{x}"))
        return self._group(columns, aggs, len(sign))

    def _group(
        self, columns: dict[str, pa.Array], aggs: list[col.Agg], n: int
    ) -> tuple[pa.Table, np.ndarray | None]:
        """`col.group` of the batch by key, with each row's key position when the value
        multisets need it. By numpy for a small batch whose key is one column its own code and
        whose aggregates are int64 sums, minima or maxima: Arrow's hash aggregate costs a fixed
        0.1-0.2 ms, most of a small batch's time (numpy's sort and scatter catch up with it at
        about 500 rows)."""
        simple = n < SMALL_BATCH and all(
            op in _NUMPY_AGGS and columns[c].type == pa.int64() for c, op, _ in aggs
        )
        positions = self._key_positions(columns[self.keys[0]], n) if simple else None
        if positions is None:
            if self.values:  # each key's row numbers, for the rows' key positions
                columns[ROW_LIST] = pa.array(np.arange(n))
                aggs = [*aggs, (ROW_LIST, "list", ROW_LIST)]
            delta = col.group(pa.table(columns), self.keys, aggs)
            if not self.values:
                return delta, None
            return delta.drop_columns([ROW_LIST]), _owners(delta.column(ROW_LIST), n)
        first, at = positions
        k = len(first)
        out = {self.keys[0]: columns[self.keys[0]].take(pa.array(first))}
        for name, op, alias in aggs:
            out[alias] = _aggregate(columns[name], op, at, k)
        return pa.table(out), at if self.values else None

    def _key_positions(self, key: pa.Array, n: int) -> tuple[np.ndarray, np.ndarray] | None:
        """For a key column its own code: the first row of each distinct key in order of
        appearance, and each row's key position (None for other keys, or when NULL and the
        least int64, which share a code, are both in the batch)."""
        if len(self.keys) != 1 or not self.slots.coder.exact:
            return None
        codes, nulls = self.slots.coder.codes([key], n)
        if nulls.any() and (codes[~nulls] == NULL_EXACT).any():
            return None
        _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        order = np.argsort(first)
        position = np.empty(len(first), np.int64)
        position[order] = np.arange(len(first))
        return first[order], position[inverse.ravel()]

    def _moment_aggs(
        self,
        key: str,
        value: pa.Array,
        sign: np.ndarray,
        columns: dict[str, pa.Array],
        aggs: list[col.Agg],
    ) -> None:
        """Once per (argument, FILTER): exact, the signed sum and sum of squares per key (in
        DECIMAL256, wide enough for any batch); doubles, the count, mean and population
        variance per key of the inserted (`{key}+`) and of the retracted (`{key}-`) values."""
        if f"{key}q" in columns or f"{key}+" in columns:
            return
        if self.moments[key][1] is not None:
            exact = value.cast(pa.decimal256(precision(value.type), self.moments[key][1]))
            signed = pc.if_else(pa.array(sign < 0), pc.negate(exact), exact)
            columns[f"{key}s"] = signed
            columns[f"{key}q"] = pc.multiply(signed, exact)
            aggs += [(f"{key}s", "sum", f"{key}s"), (f"{key}q", "sum", f"{key}q")]
            return
        number = pc.cast(value, pa.float64())
        inserted = pa.array(sign > 0)
        none = pa.scalar(None, pa.float64())
        columns[f"{key}+"] = pc.if_else(inserted, number, none)
        columns[f"{key}-"] = pc.if_else(inserted, none, number)
        for part in (f"{key}+", f"{key}-"):
            aggs += [(part, op, f"{part}{op[0]}") for op in ("count", "mean", "variance")]

    def _update_moments(self, slots: np.ndarray, delta: pa.Table) -> None:
        """Fold the batch into the moments, before the counts take it in: exact sums add;
        doubles by Chan's parallel formulas, the inserted values joining each group's mean and
        M2, then the retracted values leaving them."""
        for key, (count, scale) in self.moments.items():
            if scale is not None:
                for part in "sq":
                    array = self.arrays[f"{key}{part}"]
                    new = array[slots].astype(object) + decimal_ints(delta.column(f"{key}{part}"))
                    if array.dtype != object and _exact(new).dtype == object:
                        array = self.arrays[f"{key}{part}"] = array.astype(object)
                    array[slots] = new
                continue
            n0 = self._count(count)[slots].astype(np.float64)
            mean, m2 = self.arrays[f"{key}u"], self.arrays[f"{key}q"]
            u0, q0 = mean[slots], m2[slots]
            nb, ub, qb = self._moments(delta, f"{key}+")
            n1 = n0 + nb
            d = ub - u0
            share = nb / np.where(n1 > 0, n1, 1)
            u1 = u0 + d * share
            q1 = q0 + qb + d * d * n0 * share
            nr, ur, qr = self._moments(delta, f"{key}-")
            n2 = n1 - nr
            left = n2 > 0  # none left (or more retracted than there were: state lost): reset
            u2 = np.where(left, (n1 * u1 - nr * ur) / np.where(left, n2, 1), 0.0)
            d = ur - u2
            q2 = np.where(left, q1 - qr - d * d * n2 * nr / np.where(n1 > 0, n1, 1), 0.0)
            # nothing retracted: exactly as after the inserts ((n * u) / n need not be u)
            mean[slots] = np.where(nr > 0, u2, u1)
            m2[slots] = np.where(nr > 0, np.maximum(q2, 0.0), q1)

    @staticmethod
    def _moments(delta: pa.Table, part: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(count, mean, M2) of one part of the batch per key, 0 where it has no value."""
        n, u, v = (_filled(delta.column(f"{part}{op}")).astype(np.float64) for op in "cmv")
        return n, u, v * n

    @staticmethod
    def _update_listagg(
        pool: SlotValues, sep: str, slots: np.ndarray, batch: pa.ChunkedArray
    ) -> None:
        """Each group's text gets the batch's non-NULL values joined on."""
        lists = without_nulls(batch.combine_chunks())
        added = pa.array(np.asarray(pc.list_value_length(lists)) > 0)
        at = slots[np.asarray(added)]
        text = pc.binary_join(lists.filter(added), sep)
        pool.set(at, pc.binary_join_element_wise(pool.get(at), text, sep, null_handling="skip"))

    def _variance(self, x: int, count: np.ndarray, state: State) -> np.ndarray:
        """Aggregate x's variance (population or sample) per group, as doubles (any value
        where there are too few values)."""
        key = self.moments_of[x]
        scale = self.moments[key][1]
        ddof = ddof_of(self.fns[x])
        if scale is None:
            return np.maximum(state[f"{key}q"] / np.maximum(count - ddof, 1), 0.0)
        total, squares = (state[f"{key}{p}"].astype(object) for p in "sq")
        return exact_variance(count, ddof, total, squares, scale)

    def _update_values(
        self, inputs: dict[str, pa.Array], sign: np.ndarray, rows: np.ndarray, mine: np.ndarray
    ) -> None:
        """Fold the rows of the touched groups (`rows`: each row's group slot; `mine`: which
        rows' groups are touched) into the value multisets; distinct counts and sums follow the
        values that appeared or went, MIN/MAX are recomputed where they did."""
        every = bool(mine.all())
        take = pa.array(mine)
        for key, store in self.values.items():
            readers = self.readers[key]
            value = inputs[f"a{readers[0]}"]  # one argument and FILTER for all
            if every:
                group, change, values = store.apply(rows, value, sign)
            else:
                group, change, values = store.apply(rows[mine], value.filter(take), sign[mine])
            had = self.arrays[f"c{key}"][group] > 0  # the group had a value before the batch
            np.add.at(self.arrays[f"c{key}"], group, change)
            for x in readers:
                name = self._acc(x)
                if self.fns[x].name in col.SUMS:
                    number = np.asarray(pc.cast(values, _arrow(self.dtypes[name])))
                    np.add.at(self.arrays[name], group, change * number)
            extreme = [x for x in readers if self.fns[x].name in ("MIN", "MAX")]
            if extreme:
                self._update_extremes(store, extreme, group, change, values, had)
            store.maybe_compact(self.slots.size)

    def _update_extremes(
        self,
        store: ValueCounts,
        extreme: list[int],
        group: np.ndarray,
        change: np.ndarray,
        values: pa.Array,
        had: np.ndarray,
    ) -> None:
        """MIN/MAX readers of a value multiset after its presence changes (`group`, `change`,
        `values`; `had`: the group had a value before) from the multiset's present values;
        integers follow the values that came, and only a group whose extreme went is searched
        in the multiset (a scan of every present pair)."""
        moved = np.unique(group)
        if all(self.dtypes.get(self._acc(x)) is np.int64 for x in extreme):
            at = np.searchsorted(moved, group)
            before = np.zeros(len(moved), np.bool_)
            before[at] = had
            lost = np.zeros(len(moved), np.bool_)
            number = np.asarray(pc.cast(values, pa.int64()))
            for x in extreme:
                lost |= self._follow(x, moved, before, at, change, number)
            moved = moved[lost]
            if not len(moved):
                return
        best, tops = store.extremes(moved, [self.fns[x].name for x in extreme])
        for x, top in zip(extreme, tops, strict=True):
            name = self._acc(x)
            if name in self.pooled:
                self.pooled[name].clear(moved)
                self.pooled[name].set(best, top)
            else:
                self.arrays[name][moved] = 0
                self.arrays[name][best] = np.asarray(pc.cast(top, _arrow(self.dtypes[name])))

    def _follow(
        self,
        x: int,
        moved: np.ndarray,
        had: np.ndarray,
        at: np.ndarray,
        change: np.ndarray,
        number: np.ndarray,
    ) -> np.ndarray:
        """An integer MIN/MAX x of the groups `moved` (`had`: with a value before) takes the
        values that became present (their group's position `at` in `moved`, `change` +1,
        `number`); which of the groups lost their extreme (a value that went equal to it: the
        multiset must tell the new one)."""
        array = self.arrays[self._acc(x)]
        low = self.fns[x].name == "MIN"
        old = array[moved]
        none = _INT64.max if low else _INT64.min
        new = np.where(had, old, none)
        came = change > 0
        (np.minimum if low else np.maximum).at(new, at[came], number[came])
        array[moved] = np.where(had | (np.bincount(at[came], minlength=len(moved)) > 0), new, 0)
        lost = np.zeros(len(moved), np.bool_)
        lost[at[(change < 0) & (number == old[at])]] = True
        return lost & had

    def _acc(self, x: int) -> str:
        return f"{'s' if self.fns[x].name in col.SUMS else 'm'}{x}"

    def _count(self, name: str) -> np.ndarray:
        return self.arrays[ROWS if name in self.shared else name]

    def _update(
        self,
        slots: np.ndarray,
        delta: pa.Table,
        elements: dict[int, tuple[pa.Array, np.ndarray]],
    ) -> None:
        names = delta.column_names[len(self.keys) :]
        rows = np.asarray(delta.column(ROWS))
        for name in self.shared & set(names):
            if not np.array_equal(_filled(delta.column(name)), rows):
                self.shared.discard(name)
                self.arrays[name] = self.arrays[ROWS].copy()  # as it was before this batch
        had = {n: self._count(self.counts[int(n[1:])])[slots] > 0 for n in names if n[0] == "m"}
        if self.moments:
            self._update_moments(slots, delta)
        for x in self.listed:
            added, gone = delta.column(f"l{x}+"), delta.column(f"l{x}-")
            newest = self.fns[x].name == "LAST_VALUE"  # its retraction takes the newest
            _update_lists(self.pooled[f"l{x}"], slots, elements[x][0], added, gone, newest)
        for x, sep in self.separators.items():
            if x not in self.listed:
                self._update_listagg(self.pooled[f"l{x}"], sep, slots, delta.column(f"l{x}"))
        for name in names:
            if name in self.shared or name[0] in "wl":
                continue
            change = delta.column(name)
            if name in self.pooled:
                self._update_pooled(name, slots, change, had.get(name))
                continue
            array = self.arrays[name]
            if name not in had:
                self._add(name, slots, _filled(change))
                continue
            value = _filled(change).astype(array.dtype, copy=False)
            pick = np.minimum if self.fns[int(name[1:])].name == "MIN" else np.maximum
            old = array[slots]
            merged = np.where(had[name], pick(old, value), value)
            array[slots] = np.where(np.asarray(pc.is_valid(change)), merged, old)

    def _update_pooled(
        self, name: str, slots: np.ndarray, change: pa.ChunkedArray, had: np.ndarray | None
    ) -> None:
        """A pooled MIN/MAX takes the batch's extreme where it is better than the kept one
        (Arrow orders strings and bytes by their bytes, as Flink and DuckDB do); a pooled
        DECIMAL sum adds the batch's sum (in a wider decimal: DECIMAL(38) + DECIMAL(38) is
        DECIMAL(39) to Arrow; a total beyond DECIMAL(38) is an error)."""
        pool = self.pooled[name]
        change = change.combine_chunks()
        if name[0] == "s":
            moved = np.asarray(change.is_valid())
            delta, at = change.filter(pa.array(moved)), slots[moved]
            old = pool.get(at)
            wide = pa.decimal256(40, old.type.scale)
            total = pc.add(pc.fill_null(old.cast(wide), pa.scalar(0, wide)), delta.cast(wide))
            pool.set(at, total.cast(old.type))
            return
        assert had is not None
        fn = self.fns[int(name[1:])].name
        valid = np.asarray(change.is_valid())
        if fn in ORDERED:  # the first value stays, the last is replaced
            take = valid & ~had if fn == "FIRST_VALUE" else valid
            pool.set(slots[take], change.filter(pa.array(take)))
            return
        better = pc.less if fn == "MIN" else pc.greater
        replaces = pc.fill_null(better(change, pool.get(slots)), True)
        take = (~had | np.asarray(replaces)) & valid
        pool.set(slots[take], change.filter(pa.array(take)))

    def _add(self, name: str, slots: np.ndarray, change: np.ndarray) -> None:
        """array[slots] += change, an int32 array widened first if a result would not fit."""
        array = self.arrays[name]
        if array.dtype != np.int32:
            array[slots] += change.astype(array.dtype, copy=False)
            return
        new = array[slots] + change.astype(np.int64, copy=False)
        if len(new) and (new.max() > _INT32.max or new.min() < _INT32.min):
            array = self.arrays[name] = array.astype(np.int64)
        array[slots] = new

    def _state(self, slots: np.ndarray) -> State:
        """What the results of `slots` are computed from: each array's and pool's values at
        them, a count kept as no array under its name too (as `rows`)."""
        state: State = {name: a[slots] for name, a in self.arrays.items()}
        for name in self.shared:
            state[name] = state[ROWS]
        for name, pool in self.pooled.items():
            state[name] = pool.get(slots)
        return state

    def _results(self, state: State) -> list[pa.Array]:
        # `_columnar`'s aggregates from partials named by their position among them (j)
        columns: dict[str, pa.Array] = {}
        out: dict[int, pa.Array] = {}
        partial: list[int] = []
        for x, fn in enumerate(self.fns):
            count = state[self.counts[x]]
            if x in self.moments_of:
                out[x] = stat_column(fn, count, self._variance(x, count, state), self.types[x])
                continue
            if fn.name == "ARRAY_AGG":
                out[x] = state[f"l{x}"].cast(self.types[x])
                continue
            if x in self.listed and fn.name in ORDERED:
                out[x] = _end(state[f"l{x}"], fn.name == "LAST_VALUE").cast(self.types[x])
                continue
            if x in self.separators:
                text = state[f"l{x}"]
                if x in self.listed:
                    text = pc.binary_join(text, self.separators[x])
                text = pc.if_else(pa.array(count == 0), pa.scalar(None, text.type), text)
                out[x] = text if text.type == self.types[x] else text.cast(self.types[x])
                continue
            if fn.name == "COUNT":  # the count itself: no partials table to build
                out[x] = pa.array(count, self.types[x])
                continue
            j = len(partial)
            partial.append(x)
            columns[f"c{j}"] = pa.array(count)
            name = self._acc(x)
            if name in self.pooled:
                kept = state[name]
                value = pc.if_else(pa.array(count == 0), pa.scalar(None, kept.type), kept)
            else:
                value = pa.array(state[name], mask=count == 0)
            columns[f"{name[0]}{j}"] = value
        if partial:
            fns = [self.fns[x] for x in partial]
            values = col.results(fns, pa.table(columns), [self.types[x] for x in partial])
            out.update(zip(partial, values, strict=True))
        return [out[x] for x in range(len(self.fns))]

    def _changelog(
        self,
        delta: pa.Table,
        both: list[pa.Array],
        live_before: np.ndarray,
        live_after: np.ndarray,
        same: np.ndarray,
    ) -> pa.RecordBatch | None:
        k = len(live_before)
        inserted = ~live_before & live_after
        deleted = live_before & ~live_after
        updated = live_before & live_after & ~same
        i = np.arange(k)
        first = np.where(deleted | updated, i, -1)
        second = np.where(inserted | updated, k + i, -1)
        first_op = np.where(deleted, DELETE, UPDATE_BEFORE)
        second_op = np.where(inserted, INSERT, UPDATE_AFTER)
        take = np.stack([first, second], 1).ravel()
        ops = np.stack([first_op, second_op], 1).ravel()
        keep = take >= 0
        if not keep.any():
            return None
        keys = [delta.column(k_).combine_chunks() for k_ in self.keys[: len(self.group)]]
        columns = [pa.concat_arrays([c, c]) for c in keys]
        columns += both
        schema = self.out_schema
        columns = [
            c if c.type == f.type else c.cast(f.type) for c, f in zip(columns, schema, strict=True)
        ]
        out = pa.RecordBatch.from_arrays(columns, schema=schema).take(pa.array(take[keep]))
        op = pa.array(ops[keep].astype(np.int8))
        return pa.RecordBatch.from_arrays([*out.columns, op], schema=self.changelog_schema)

    # -- storage -------------------------------------------------------------------------
    def _grow(self, size: int) -> None:
        capacity = len(self.arrays[ROWS])
        if size <= capacity:
            return
        capacity = max(size, int(capacity * GROWTH))
        for name, array in self.arrays.items():
            grown = np.zeros(capacity, array.dtype)
            grown[: len(array)] = array
            self.arrays[name] = grown
        for pool in self.pooled.values():
            pool.grow(capacity)

    def _renumbering(self) -> tuple[np.ndarray, np.ndarray]:
        """The live slots, and old slot -> its position among them (-1 when dead)."""
        keep = np.flatnonzero(self.arrays[ROWS][: self.slots.size] > 0)
        slots = np.full(self.slots.size, -1, np.int64)
        slots[keep] = np.arange(len(keep))
        return keep, slots

    def _compact(self) -> None:
        keep, slots = self._renumbering()
        self.slots.reset(self.slots.keys.take(pa.array(keep)))
        self.arrays = {k: a[keep].copy() for k, a in self.arrays.items()}
        for pool in self.pooled.values():
            pool.keep(keep)
        for store in self.values.values():
            store.remap(slots)

    def rows(self) -> int:
        return self.live

    def nbytes(self) -> int:
        stores = sum(v.nbytes for v in self.values.values())
        stores += sum(p.nbytes for p in self.pooled.values())
        # an exact moment array holds pointers to Python ints: 32 bytes each up to 2**60
        ints = sum(INT_BYTES * len(a) for a in self.arrays.values() if a.dtype == object)
        return self.slots.nbytes + sum(a.nbytes for a in self.arrays.values()) + stores + ints

    def live_results(self) -> pa.Table:
        """One result row per live group (what the state stands for)."""
        live = np.flatnonzero(self.arrays[ROWS][: self.slots.size] > 0)
        keys = self.slots.keys.take(pa.array(live))
        columns = [keys.column(k) for k in self.keys[: len(self.group)]]
        columns += self._results(self._state(live))
        return pa.Table.from_arrays(columns, names=self.out_schema.names)

    def kept_arrow_bytes(self) -> int:
        """The Arrow size of what the state stands for: one result row per live group, and
        the values (with multiplicities) the DISTINCT and retracting MIN/MAX aggregates keep,
        and the lists of retracting LISTAGG."""
        values = sum(v.kept_arrow_bytes() for v in self.values.values())
        live = np.flatnonzero(self.arrays[ROWS][: self.slots.size] > 0)
        for x in self.separators:
            if x in self.listed:
                values += self.pooled[f"l{x}"].get(live).nbytes
        return self.live_results().nbytes + values

    def snapshot(self) -> dict[str, Any]:
        live, slots = self._renumbering()
        return {
            "keys": self.slots.keys.take(pa.array(live)),
            "arrays": {k: a[live] for k, a in self.arrays.items()},
            "values": {x: v.snapshot(slots) for x, v in self.values.items()},
            "pooled": {x: p.get(live) for x, p in self.pooled.items()},
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.slots.reset(state["keys"])
        self.arrays = {
            # exact sums widened to Python ints: narrowed again if they fit
            k: _exact(a) if a.dtype == object else _fit(a, self.dtypes[k])
            for k, a in state["arrays"].items()
        }
        self.shared = set(self.shareable - self.arrays.keys())
        self.live = len(self.arrays[ROWS])
        for x, values in state["values"].items():
            self.values[x].restore(values)
        for x, kept in state.get("pooled", {}).items():
            self.pooled[x].restore(kept)


def _aggregate(values: pa.Array, op: str, at: np.ndarray, k: int) -> pa.Array:
    """Arrow's hash sum/min/max of int64 `values` in groups `at` (of `k`): NULLs skipped, NULL
    for a group without a value (a sum wraps around as Arrow's does)."""
    valid = np.asarray(values.is_valid()) if values.null_count else None
    number = np.asarray(values.fill_null(0) if valid is not None else values)
    if op == "sum":
        out = np.zeros(k, np.int64)
        np.add.at(out, at, number)
    else:
        ufunc = np.minimum if op == "min" else np.maximum
        out = np.full(k, _INT64.max if op == "min" else _INT64.min, np.int64)
        if valid is None:
            ufunc.at(out, at, number)
        else:
            ufunc.at(out, at[valid], number[valid])
    if valid is None:
        return pa.array(out)
    return pa.array(out, mask=np.bincount(at[valid], minlength=k) == 0)


def _unchanged(both: list[pa.Array], k: int) -> np.ndarray:
    """Per group whether every result before (the first `k` of `both`) equals the one after;
    numbers without NULLs compared by numpy (`rows_equal` takes several Arrow calls a column;
    NaN is unequal to itself either way)."""
    same = np.ones(k, np.bool_)
    rest = []
    for column in both:
        typ = column.type
        if column.null_count or not (pa.types.is_integer(typ) or pa.types.is_floating(typ)):
            rest.append(column)
            continue
        values = np.asarray(column)
        same &= values[:k] == values[k:]
    if rest:
        same &= rows_equal([c[:k] for c in rest], [c[k:] for c in rest], k)
    return same


def _owners(lists: pa.ChunkedArray, n: int) -> np.ndarray:
    """Per row of a batch its key's position among the pre-aggregated keys (from the lists of
    the rows of each)."""
    lists = lists.combine_chunks()
    owner = np.empty(n, np.int64)
    owner[np.asarray(lists.flatten())] = np.asarray(pc.list_parent_indices(lists))
    return owner


def _filled(column: pa.ChunkedArray) -> np.ndarray:
    """A numeric column as numpy, 0 where NULL (Arrow's fill_null only when there is one: a
    compute call costs more than a small batch's numpy work)."""
    if column.null_count:
        column = pc.fill_null(column, 0)
    return np.asarray(column)


def _joined(first: State, second: State) -> State:
    """Two states one after the other (an array widened in between: the wider type)."""
    out: State = {}
    for name, a in first.items():
        b = second[name]
        out[name] = pa.concat_arrays([a, b]) if isinstance(a, pa.Array) else np.concatenate([a, b])
    return out


def _update_lists(
    pool: SlotValues,
    slots: np.ndarray,
    column: pa.Array,
    inserted: pa.ChunkedArray,
    retracted: pa.ChunkedArray,
    newest: bool = False,
) -> None:
    """Each group's list of values gets the batch's inserted ones appended (`column` at the
    rows listed per group), then loses, per retracted value, its oldest equal element (as the
    per-row accumulators and Flink's ArrayAggFunction and ListAggWithRetract take one out;
    `newest`: the newest equal element present at the retraction's row, as LAST_VALUE's); a
    list left empty is no list."""
    old = pool.get(slots)
    rows, parents = _listed_rows(inserted)
    # each group's old elements, then its inserted ones; seq: their order (old ones < 0)
    values = pa.concat_arrays([old.flatten(), column.take(pa.array(rows))])
    group = np.concatenate([np.asarray(pc.list_parent_indices(old), np.int64), parents])
    seq = np.concatenate([np.arange(len(values) - len(rows)) - len(values), rows])
    order = np.argsort(group, kind="stable")
    values, group, seq = values.take(pa.array(order)), group[order], seq[order]
    rows, parents = _listed_rows(retracted)
    if len(rows):
        # a (group, value) key per element and per retraction
        both = pa.concat_arrays([values, column.take(pa.array(rows))])
        codes = np.asarray(pc.dictionary_encode(both, null_encoding="encode").indices, np.int64)
        width = int(codes.max()) + 1
        key = group * width + codes[: len(values)]
        gone = parents * width + codes[len(values) :]
        keep = _stack(key, seq, gone, rows) if newest else _queue(key, gone)
        values, group = values.filter(pa.array(keep)), group[keep]
    counts = np.bincount(group, minlength=len(slots))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
    lists = pa.ListArray.from_arrays(offsets, values, mask=pa.array(counts == 0))
    pool.set(slots, lists.cast(pool.type))


def _queue(key: np.ndarray, gone: np.ndarray) -> np.ndarray:
    """Which elements (their keys, in age order) stay when each retraction takes the oldest
    of its key: each one's rank by age among its key's against the number retracted (the
    oldest present at a retraction's row is the oldest of all, as the batch only appends)."""
    retracted, times = np.unique(gone, return_counts=True)
    by_key = np.argsort(key, kind="stable")
    sorted_key = key[by_key]
    rank = np.empty(len(key), np.int64)
    rank[by_key] = np.arange(len(key)) - np.searchsorted(sorted_key, sorted_key)
    at = np.minimum(np.searchsorted(retracted, key), len(retracted) - 1)
    return rank >= np.where(retracted[at] == key, times[at], 0)


def _stack(key: np.ndarray, seq: np.ndarray, gone: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Which elements (key, seq) stay when each retraction (key, row `when`) takes the newest
    of its key present at its row; one finding none does nothing. Per key, in row order, the
    stack's depth (a retraction at 0 stays at 0); an element stays unless the depth after it
    falls below its own."""
    n = len(key)
    keys = np.concatenate([key, gone])
    step = np.concatenate([np.ones(n, np.int64), np.full(len(gone), -1, np.int64)])
    order = np.lexsort((np.concatenate([seq, when]), keys))
    keys, step = keys[order], step[order]
    start = np.concatenate([[True], keys[1:] != keys[:-1]])
    run = np.cumsum(start) - 1
    total = np.cumsum(step)
    level = total - (total - step)[start][run]  # the running sum within the key
    big = 2 * len(keys) + 2  # keys apart: a run's values below (or above) all earlier ones
    low = np.minimum.accumulate(level - run * big) + run * big
    depth = level - np.minimum(low, 0)
    least = np.minimum.accumulate((depth + run * big)[::-1])[::-1] - run * big
    same = np.concatenate([~start[1:], [False]])
    after = np.where(same, np.concatenate([least[1:], [0]]), big)
    stays = np.empty(len(keys), bool)
    stays[order] = (step > 0) & (after >= depth)
    return stays[:n]


def _end(lists: pa.Array, last: bool) -> pa.Array:
    """Each list's first or last element (NULL for no list)."""
    length = np.asarray(pc.fill_null(pc.list_value_length(lists), 0))
    end = np.cumsum(length) - (1 if last else length)
    return lists.flatten().take(pa.array(end, mask=length == 0))


def _listed_rows(lists: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """The row numbers in lists of them (NULL: a row without an element) and their list's."""
    lists = lists.combine_chunks()
    rows = lists.flatten()
    valid = np.asarray(rows.is_valid())
    parents = np.asarray(pc.list_parent_indices(lists), np.int64)[valid]
    return np.asarray(rows.filter(pa.array(valid)), np.int64), parents


def _exact(values: np.ndarray) -> np.ndarray:
    """Exact sums as int64 when every one fits, else as Python ints (an object array)."""
    values = values.astype(object)
    if len(values) and not ((values >= _INT64.min) & (values <= _INT64.max)).all():
        return values
    return values.astype(np.int64)


def _fit(array: np.ndarray, dtype: Any) -> np.ndarray:
    """A restored array as `dtype`; a count int32 unless a value needs int64."""
    if dtype is not np.int32:
        return np.array(array, dtype)
    wide = len(array) and (array.max() > _INT32.max or array.min() < _INT32.min)
    return np.array(array, np.int64 if wide else np.int32)


def ops_array(batch: pa.RecordBatch) -> np.ndarray:
    """The batch's row kinds (all inserts when it has no `_op` column)."""
    index = batch.schema.get_field_index(OP_COLUMN)
    if index < 0:
        return np.full(batch.num_rows, INSERT, np.int8)
    ops = batch.column(index)
    return np.asarray(ops.fill_null(INSERT) if ops.null_count else ops)
