"""Retraction-aware accumulators shared by group_agg, window_agg and over_agg, with the batch
target's result rules (compiler/lower/duckdb_aggs.py): AVG of an integer type is that type,
truncated; SUM of nothing is NULL, SUM0 is 0; COUNT counts non-NULL arguments; FILTER (WHERE f)
skips rows whose filter is not TRUE; DISTINCT counts each value once however often it occurs.

An accumulator is a small list [count, state, values]: `count` is the number of non-NULL values
folded in; `state` is the running SUM (SUM, SUM0, AVG), [sum, sum of squares] (STDDEV_*,
VAR_*), or the current value (MIN/MAX/FIRST_VALUE/LAST_VALUE over an input without
retractions); `values` is a value -> multiplicity dict (DISTINCT, COLLECT, and MIN/MAX under
retraction) or, for order-sensitive aggregates under retraction (FIRST_VALUE, LAST_VALUE),
LISTAGG and ARRAY_AGG, the values in arrival order. Accumulators of slices merge (in slice order).

ARRAY_AGG follows Flink's ArrayAggFunction (RESPECT NULLS, its default and the batch target's
LIST): NULLs are elements, a retraction removes the oldest equal element, and a group without
elements is NULL. ARRAY_AGG(DISTINCT) lists the values present in order of first appearance
(a dict keeps insertion order; a value retracted to zero and added again goes last).
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nrtg.catalog.types import Kind, SqlType
from nrtg.compiler.plan.expr import AggCall

INTEGER_KINDS = frozenset({Kind.TINYINT, Kind.SMALLINT, Kind.INT, Kind.BIGINT})
STATS = frozenset({"STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP"})
ORDERED = frozenset({"FIRST_VALUE", "LAST_VALUE"})
# Every aggregate these accumulators implement (the stream lowering refuses the others).
SUPPORTED = frozenset(
    {"COUNT", "SUM", "SUM0", "AVG", "MIN", "MAX", "LISTAGG", "COLLECT", "ARRAY_AGG"}
    | STATS
    | ORDERED
)


@dataclass(frozen=True)
class AggFn:
    name: str  # one of SUPPORTED
    args: tuple[int, ...]
    filter: int | None
    distinct: bool
    type: SqlType
    arg_type: SqlType | None
    retracting: bool = True  # False: the input never retracts (keep less state)

    @property
    def keeps_values(self) -> bool:
        """A value -> multiplicity dict."""
        if self.distinct or self.name == "COLLECT":
            return True
        return self.retracting and self.name in ("MIN", "MAX")

    @property
    def keeps_list(self) -> bool:
        """The values in arrival order."""
        if self.distinct:
            return False
        return self.name in ("LISTAGG", "ARRAY_AGG") or (self.retracting and self.name in ORDERED)


def agg_fns(
    aggs: Sequence[AggCall], input_types: Sequence[SqlType], retracting: bool = True
) -> tuple[AggFn, ...]:
    out = []
    for a in aggs:
        name = a.name.upper().lstrip("$")
        arg_type = input_types[a.args[0]] if a.args else None
        out.append(AggFn(name, a.args, a.filter, a.distinct, a.type, arg_type, retracting))
    return tuple(out)


def new_acc() -> list[Any]:
    return [0, None, None]


def value_of(fn: AggFn, row: Sequence[Any]) -> tuple[bool, Any]:
    """(counts?, value) of one input row for `fn`."""
    if fn.filter is not None and row[fn.filter] is not True:
        return False, None
    if not fn.args:
        return True, None
    if fn.name == "ARRAY_AGG":
        return True, row[fn.args[0]]  # a NULL is an element
    if fn.name == "LISTAGG":
        v = row[fn.args[0]]
        return v is not None, (v, row[fn.args[1]] if len(fn.args) > 1 else ",")
    if len(fn.args) == 1:
        v = row[fn.args[0]]
        return v is not None, v
    vs = tuple(row[i] for i in fn.args)
    return all(v is not None for v in vs), vs


def add(fn: AggFn, acc: list[Any], row: Sequence[Any], sign: int) -> None:
    ok, v = value_of(fn, row)
    if not ok:
        return
    if fn.keeps_values:
        values: dict[Any, int] = acc[2] if acc[2] is not None else {}
        acc[2] = values
        c = values.get(v, 0) + sign
        if c:
            values[v] = c
        else:
            del values[v]
    elif fn.keeps_list:
        items: list[Any] = acc[2] if acc[2] is not None else []
        acc[2] = items
        if sign > 0:
            items.append(v)
        elif v in items:
            # the newest equal value goes first for LAST_VALUE, the oldest otherwise
            at = (
                len(items) - 1 - items[::-1].index(v) if fn.name == "LAST_VALUE" else items.index(v)
            )
            del items[at]
    acc[0] += sign
    name = fn.name
    if fn.distinct:
        return
    if name in ("SUM", "SUM0", "AVG"):
        acc[1] = v * sign if acc[1] is None else acc[1] + v * sign
    elif name in STATS:
        s = acc[1] if acc[1] is not None else [0, 0]
        acc[1] = [s[0] + v * sign, s[1] + v * v * sign]
    elif not fn.retracting and sign > 0:
        current = acc[1]
        if name == "MIN":
            acc[1] = v if current is None or v < current else current
        elif name == "MAX":
            acc[1] = v if current is None or v > current else current
        elif name == "FIRST_VALUE":
            acc[1] = v if acc[0] == 1 else current
        elif name == "LAST_VALUE":
            acc[1] = v


def merge(fn: AggFn, into: list[Any], other: list[Any]) -> None:
    """Fold `other` (a later slice) into `into`."""
    first = into[0]
    into[0] += other[0]
    name = fn.name
    if other[1] is not None and not fn.distinct:
        mine = into[1]
        if mine is None:
            into[1] = other[1] if name not in STATS else list(other[1])
        elif name in STATS:
            into[1] = [mine[0] + other[1][0], mine[1] + other[1][1]]
        elif name == "MIN":
            into[1] = min(mine, other[1])
        elif name == "MAX":
            into[1] = max(mine, other[1])
        elif name == "FIRST_VALUE":
            into[1] = mine if first else other[1]
        elif name == "LAST_VALUE":
            into[1] = other[1]
        else:
            into[1] = mine + other[1]
    if other[2]:
        if isinstance(other[2], list):
            into[2] = (into[2] or []) + other[2]
            return
        values: dict[Any, int] = into[2] if into[2] is not None else {}
        into[2] = values
        for v, c in other[2].items():
            values[v] = values.get(v, 0) + c


def result(fn: AggFn, acc: list[Any]) -> Any:
    count, total, values = acc
    name = fn.name
    if name == "COUNT":
        return len(values or ()) if fn.distinct else count
    if name == "COLLECT":
        return _multiset(values or {}, fn.distinct)
    if name == "ARRAY_AGG":
        # a copy: the group keeps changing the accumulator after its result was taken
        return list(values) if values else None
    if name in ("MIN", "MAX"):
        if fn.keeps_values:
            if not values:
                return None
            return min(values) if name == "MIN" else max(values)
        return total if count else None
    if name in ORDERED or name == "LISTAGG":
        items = list(values) if fn.distinct and values else values
        if fn.keeps_list or fn.distinct:
            if not items:
                return None
            if name == "FIRST_VALUE":
                return items[0]
            if name == "LAST_VALUE":
                return items[-1]
            text = items[0][0]
            for v, sep in items[1:]:
                text += sep + v
            return text
        return total if count else None
    if fn.distinct:
        keys = list(values or {})
        count = len(keys)
        if name in STATS:
            total = [sum(keys), sum(k * k for k in keys)] if keys else None
        else:
            total = sum(keys) if keys else None
    if name in ("SUM", "SUM0"):
        if count == 0 or total is None:
            return 0 if name == "SUM0" else None
        return _as_type(total, fn.type)
    if name == "AVG":
        if count == 0 or total is None:
            return None
        return average(total, count, fn)
    if name in STATS:
        return _stat(name, count, total, fn.type)
    raise ValueError(f"no accumulator for {name}")


def _stat(name: str, count: int, sums: list[Any] | None, typ: SqlType) -> Any:
    """VAR/STDDEV from count, sum and sum of squares (exact for integers and decimals), the
    result converted to the aggregate's type as the batch target's CAST does."""
    ddof = 1 if name.endswith("_SAMP") else 0
    if sums is None or count - ddof <= 0:
        return None
    s, ss = sums
    if isinstance(s, decimal.Decimal | int) and isinstance(ss, decimal.Decimal | int):
        with decimal.localcontext() as ctx:
            ctx.prec = 60
            s_, ss_ = decimal.Decimal(s), decimal.Decimal(ss)
            var = float((ss_ - s_ * s_ / count) / (count - ddof))
    else:
        var = (ss - s * s / count) / (count - ddof)
    var = max(var, 0.0)
    return stat_as_type(math.sqrt(var) if name.startswith("STDDEV") else var, typ)


def stat_as_type(value: float, typ: SqlType) -> Any:
    """A VAR/STDDEV value as the aggregate's type, as the batch target's CAST of its double:
    integers and decimals rounded HALF_UP."""
    kind = typ.kind
    if kind in INTEGER_KINDS:
        return int(decimal.Decimal(value).quantize(decimal.Decimal(1), decimal.ROUND_HALF_UP))
    if kind is Kind.DECIMAL:
        scale = decimal.Decimal(1).scaleb(-(typ.scale or 0))
        return decimal.Decimal(value).quantize(scale, decimal.ROUND_HALF_UP)
    return value


def average(total: Any, count: int, fn: AggFn) -> Any:
    kind = fn.type.kind
    if kind in INTEGER_KINDS:
        q = abs(int(total)) // count
        return q if total >= 0 else -q
    if kind is Kind.DECIMAL:
        scale = fn.type.scale or 0
        with decimal.localcontext() as ctx:
            ctx.prec = 60
            value = decimal.Decimal(total) / decimal.Decimal(count)
            return value.quantize(decimal.Decimal(1).scaleb(-scale), decimal.ROUND_HALF_UP)
    return float(total) / count


def _as_type(v: Any, typ: SqlType) -> Any:
    if typ.kind in (Kind.DOUBLE, Kind.FLOAT):
        return float(v)
    return v


def _multiset(counts: dict[Any, int], distinct: bool) -> list[tuple[Any, int]]:
    """COLLECT's MULTISET as (value, count) pairs: one each under DISTINCT, in key order (a
    multiset has none of its own; the batch target's histogram writes key order too), or in
    first-appearance order for values Python cannot order (ROWs holding NULLs)."""
    pairs = [(v, 1 if distinct else c) for v, c in counts.items() if c > 0]
    try:
        return sorted(pairs, key=lambda pair: pair[0])
    except TypeError:
        return pairs
