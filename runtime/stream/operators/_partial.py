"""Vectorized partial aggregation of one batch into window slices, for window_agg's per-key
Python accumulators (windows with DISTINCT aggregates; the others keep `_slices`): slice ends
computed with pyarrow.compute, then one Arrow hash aggregate per batch grouped by (keys, slice
end). The accumulators it returns have the layout of `_accumulators`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.plan import nodes as n

from ._accumulators import AggFn
from ._windows import slice_size

Partial = tuple[int, tuple[Any, ...], list[list[Any]]]
VECTORIZED = frozenset({"COUNT", "SUM", "SUM0", "AVG", "MIN", "MAX"})


def epoch_ms_array(column: pa.Array) -> pa.Array:
    """A TIMESTAMP (or integer) column as int64 epoch milliseconds."""
    typ = column.type
    if pa.types.is_timestamp(typ):
        if typ.tz is not None:
            column = column.cast(pa.timestamp(typ.unit))
        column = column.cast(pa.timestamp("ms"), safe=False)
    return pc.cast(column, pa.int64())


def partial_aggregates(
    batch: pa.RecordBatch,
    node: n.WindowAggregate,
    fns: Sequence[AggFn],
    window: n.WindowSpec,
    watermark: int,
) -> tuple[int, list[Partial]] | None:
    if any(len(fn.args) > 1 or fn.name not in VECTORIZED for fn in fns):
        return None
    t = epoch_ms_array(batch.column(window.time_col))
    size = slice_size(window)
    rel = pc.subtract(t, window.offset_ms)
    low = pc.min(rel).as_py()
    if low is not None and low < 0:
        return None  # truncating division would round toward zero: use the exact path
    end = pc.add(pc.add(pc.multiply(pc.divide(rel, size), size), window.offset_ms), size)
    keep = pc.fill_null(pc.greater(end, watermark + 1 if watermark < 2**62 else 2**62), False)
    kept = pc.sum(pc.cast(keep, pa.int64())).as_py() or 0
    nonnull = len(t) - t.null_count
    late = nonnull - kept
    columns: dict[str, pa.Array] = {}
    keys = []
    for j, i in enumerate(node.group):
        columns[f"k{j}"] = batch.column(i)
        keys.append(f"k{j}")
    columns["_end"] = end
    aggs: list[tuple[str, str]] = []
    layout: list[tuple[str, ...]] = []
    for x, fn in enumerate(fns):
        flt = (
            pc.fill_null(pc.equal(batch.column(fn.filter), True), False)
            if fn.filter is not None
            else None
        )
        if not fn.args:
            ones = pa.array([1] * batch.num_rows, pa.int64())
            columns[f"a{x}"] = ones if flt is None else pc.cast(flt, pa.int64())
            aggs.append((f"a{x}", "sum"))
            layout.append(("countstar", f"a{x}_sum"))
            continue
        value = batch.column(fn.args[0])
        if flt is not None:
            value = pc.if_else(flt, value, pa.scalar(None, value.type))
        columns[f"a{x}"] = value
        if fn.distinct:
            aggs.append((f"a{x}", "distinct"))
            layout.append(("distinct", f"a{x}_distinct"))
        elif fn.name in ("MIN", "MAX"):
            op = fn.name.lower()
            aggs.append((f"a{x}", op))
            layout.append(("minmax", f"a{x}_{op}", str(x)))
        elif fn.name == "COUNT":
            aggs.append((f"a{x}", "count"))
            layout.append(("count", f"a{x}_count"))
        else:
            aggs += [(f"a{x}", "sum"), (f"a{x}", "count")]
            layout.append(("sum", f"a{x}_sum", f"a{x}_count"))
    table = pa.Table.from_pydict(columns).filter(keep)
    try:
        grouped = table.group_by([*keys, "_end"], use_threads=False).aggregate(aggs)
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    out_cols = {name: grouped.column(name).to_pylist() for name in grouped.column_names}
    key_lists = [out_cols[k] for k in keys]
    ends = out_cols["_end"]
    result: list[Partial] = []
    for r in range(grouped.num_rows):
        accs: list[list[Any]] = []
        for spec in layout:
            kind = spec[0]
            if kind in ("countstar", "count"):
                accs.append([out_cols[spec[1]][r] or 0, None, None])
            elif kind == "sum":
                c = out_cols[spec[2]][r] or 0
                accs.append([c, out_cols[spec[1]][r] if c else None, None])
            elif kind == "minmax":
                v = out_cols[spec[1]][r]
                keeps_values = fns[int(spec[2])].keeps_values  # this aggregate's own layout
                if v is None:
                    accs.append([0, None, None])
                else:
                    accs.append([1, None, {v: 1}] if keeps_values else [1, v, None])
            else:
                vs = [v for v in out_cols[spec[1]][r] if v is not None]
                accs.append([len(vs), None, dict.fromkeys(vs, 1)])
        result.append((ends[r], tuple(k[r] for k in key_lists), accs))
    return late, result
