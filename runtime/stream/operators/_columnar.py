"""Columnar partial aggregates, shared by window_agg's slices and group_agg's slots: COUNT, SUM,
SUM0, AVG, MIN and MAX of one argument (FILTER allowed, DISTINCT not) as Arrow columns, named
by aggregate position x: `c{x}` the number of counted rows, `s{x}` the sum, `m{x}` the minimum
or maximum. Partials of one key merge by summing `c`/`s` and taking min/max of `m`; the results
follow `_accumulators`' rules (SUM of nothing is NULL, SUM0 0, AVG of an integer type truncates).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from nrtg.catalog.types import Kind

from ._accumulators import INTEGER_KINDS, AggFn, average

COLUMNAR = frozenset({"COUNT", "SUM", "SUM0", "AVG", "MIN", "MAX"})
SUMS = frozenset({"SUM", "SUM0", "AVG"})
Agg = tuple[str, str, str]  # (input column, Arrow hash aggregate, output column)


def groupable(typ: pa.DataType) -> bool:
    """Types Arrow's hash aggregate groups by and takes min/max of."""
    t = pa.types
    return not (
        t.is_nested(typ) or t.is_dictionary(typ) or t.is_null(typ) or t.is_duration(typ)
    ) and not (t.is_interval(typ) or t.is_time(typ))


def supports(
    fns: Sequence[AggFn], arg_types: Sequence[pa.DataType | None], multisets: bool = False
) -> bool:
    """Whether these aggregates have columnar partials; with `multisets` (the caller keeps each
    DISTINCT and retracting MIN/MAX aggregate's values), those count too."""
    for fn, typ in zip(fns, arg_types, strict=True):
        if fn.name not in COLUMNAR or len(fn.args) > 1:
            return False
        if keeps_values(fn) and not multisets:
            return False
        if typ is None:
            continue
        if not groupable(typ):
            return False
        numeric = pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ)
        if fn.name in SUMS and not numeric:
            return False
    return True


def keeps_values(fn: AggFn) -> bool:
    """Needs every value: DISTINCT, or MIN/MAX whose values can be retracted."""
    return fn.distinct or (fn.name in ("MIN", "MAX") and fn.retracting)


def inputs(batch: pa.RecordBatch, fns: Sequence[AggFn]) -> dict[str, pa.Array]:
    """One input column per aggregate, `a{x}`: its argument, NULL where FILTER is not TRUE;
    COUNT(*) gets 1 per counted row (0 when filtered out)."""
    out: dict[str, pa.Array] = {}
    for x, fn in enumerate(fns):
        flt = None
        if fn.filter is not None:
            flt = pc.fill_null(pc.equal(batch.column(fn.filter), True), False)
        if not fn.args:
            if flt is None:
                out[f"a{x}"] = pa.nulls(batch.num_rows, pa.int64()).fill_null(1)
            else:
                out[f"a{x}"] = pc.cast(flt, pa.int64())
            continue
        value = batch.column(fn.args[0])
        if flt is not None:
            value = pc.if_else(flt, value, pa.scalar(None, value.type))
        out[f"a{x}"] = value
    return out


def partial_aggs(fns: Sequence[AggFn]) -> list[Agg]:
    """How the `a{x}` columns of a batch become partials (DISTINCT aggregates have none)."""
    aggs: list[Agg] = []
    for x, fn in enumerate(fns):
        if fn.distinct:
            continue  # from the distinct values, which the caller keeps
        if fn.name == "COUNT":
            aggs.append((f"a{x}", "count" if fn.args else "sum", f"c{x}"))
        elif fn.name in SUMS:
            aggs += [(f"a{x}", "sum", f"s{x}"), (f"a{x}", "count", f"c{x}")]
        else:
            aggs.append((f"a{x}", fn.name.lower(), f"m{x}"))
    return aggs


def merge_aggs(fns: Sequence[AggFn]) -> list[Agg]:
    """How partials of one key merge."""
    return [(out, "sum" if op in ("sum", "count") else op, out) for _, op, out in partial_aggs(fns)]


def group(table: pa.Table, keys: list[str], aggs: Sequence[Agg]) -> pa.Table:
    """`table` aggregated by `keys` (first-appearance order), columns renamed as `aggs` say."""
    unique = list(dict.fromkeys((c, op) for c, op, _ in aggs))
    grouped = table.group_by(keys, use_threads=False).aggregate(unique)
    columns = [grouped.column(k) for k in keys]
    columns += [grouped.column(f"{c}_{op}") for c, op, _ in aggs]
    return pa.table(columns, names=[*keys, *(out for _, _, out in aggs)])


def results(
    fns: Sequence[AggFn], partials: pa.Table, types: Sequence[pa.DataType]
) -> list[pa.Array]:
    """Each aggregate's result column, of its output type."""
    out: list[pa.Array] = []
    for x, (fn, typ) in enumerate(zip(fns, types, strict=True)):
        if fn.name in ("MIN", "MAX", "FIRST_VALUE", "LAST_VALUE"):
            out.append(_cast(partials.column(f"m{x}"), typ))
            continue
        count = pc.fill_null(partials.column(f"c{x}"), 0)
        if fn.name == "COUNT":
            out.append(_cast(count, typ))
            continue
        total = partials.column(f"s{x}")
        none = pc.equal(count, 0)
        if fn.name == "SUM":
            out.append(_cast(pc.if_else(none, pa.scalar(None, total.type), total), typ))
        elif fn.name == "SUM0":
            zero = pa.scalar(0, pa.int64()).cast(total.type)
            out.append(_cast(pc.if_else(none, zero, pc.fill_null(total, zero)), typ))
        else:
            out.append(_average(fn, total, count, none, typ))
    return out


def _average(
    fn: AggFn,
    total: pa.ChunkedArray,
    count: pa.ChunkedArray,
    none: pa.ChunkedArray,
    typ: pa.DataType,
) -> pa.Array:
    if fn.type.kind is Kind.DECIMAL:
        # decimal rounding (HALF_UP at the result scale) is Python's: one call per result row
        values = [
            None if c == 0 or s is None else average(s, c, fn)
            for s, c in zip(total.to_pylist(), count.to_pylist(), strict=True)
        ]
        return pa.array(values, typ)
    divisor = pc.if_else(none, 1, count)
    if fn.type.kind in INTEGER_KINDS:
        # integer division truncates toward zero, as the batch target's cast of the mean does
        value = pc.divide(pc.cast(total, pa.int64()), divisor)
    else:
        value = pc.divide(pc.cast(total, pa.float64()), pc.cast(divisor, pa.float64()))
    return _cast(pc.if_else(none, pa.scalar(None, value.type), value), typ)


def _cast(column: pa.Array | pa.ChunkedArray, typ: pa.DataType) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column if column.type == typ else column.cast(typ)
