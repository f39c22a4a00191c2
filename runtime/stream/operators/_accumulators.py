"""Retraction-aware accumulators shared by group_agg, window_agg and over_agg, with the batch
target's result rules (compiler/lower/duckdb_aggs.py): AVG of an integer type is that type,
truncated; SUM of nothing is NULL, SUM0 is 0; COUNT counts non-NULL arguments; FILTER (WHERE f)
skips rows whose filter is not TRUE; DISTINCT counts each value once however often it occurs.

An accumulator is a small list: [count, sum, values] where `values` is a value -> multiplicity
dict kept for MIN/MAX (retractable) and DISTINCT. Accumulators of slices merge.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nrtg.catalog.types import Kind, SqlType
from nrtg.compiler.plan.expr import AggCall

INTEGER_KINDS = frozenset({Kind.TINYINT, Kind.SMALLINT, Kind.INT, Kind.BIGINT})


@dataclass(frozen=True)
class AggFn:
    name: str  # COUNT, SUM, SUM0, AVG, MIN, MAX
    args: tuple[int, ...]
    filter: int | None
    distinct: bool
    type: SqlType
    arg_type: SqlType | None

    @property
    def keeps_values(self) -> bool:
        return self.distinct or self.name in ("MIN", "MAX")


def agg_fns(aggs: Sequence[AggCall], input_types: Sequence[SqlType]) -> tuple[AggFn, ...]:
    out = []
    for a in aggs:
        name = a.name.upper().lstrip("$")
        arg_type = input_types[a.args[0]] if a.args else None
        out.append(AggFn(name, a.args, a.filter, a.distinct, a.type, arg_type))
    return tuple(out)


def new_acc() -> list[Any]:
    return [0, None, None]


def value_of(fn: AggFn, row: Sequence[Any]) -> tuple[bool, Any]:
    """(counts?, value) of one input row for `fn`."""
    if fn.filter is not None and row[fn.filter] is not True:
        return False, None
    if not fn.args:
        return True, None
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
    acc[0] += sign
    if fn.name in ("SUM", "SUM0", "AVG") and not fn.distinct:
        acc[1] = v * sign if acc[1] is None else acc[1] + v * sign


def merge(fn: AggFn, into: list[Any], other: list[Any]) -> None:
    into[0] += other[0]
    if other[1] is not None:
        into[1] = other[1] if into[1] is None else into[1] + other[1]
    if other[2]:
        values: dict[Any, int] = into[2] if into[2] is not None else {}
        into[2] = values
        for v, c in other[2].items():
            values[v] = values.get(v, 0) + c


def result(fn: AggFn, acc: list[Any]) -> Any:
    count, total, values = acc
    name = fn.name
    if name == "COUNT":
        return len(values or ()) if fn.distinct else count
    if name in ("MIN", "MAX"):
        if not values:
            return None
        return min(values) if name == "MIN" else max(values)
    if fn.distinct:
        keys = list(values or {})
        count, total = len(keys), (sum(keys) if keys else None)
    if name in ("SUM", "SUM0"):
        if count == 0 or total is None:
            return 0 if name == "SUM0" else None
        return _as_type(total, fn.type)
    if name == "AVG":
        if count == 0 or total is None:
            return None
        return _avg(total, count, fn)
    raise ValueError(f"no accumulator for {name}")


def _avg(total: Any, count: int, fn: AggFn) -> Any:
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
