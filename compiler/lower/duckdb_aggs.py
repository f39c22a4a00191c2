"""Aggregate calls (GROUP BY and OVER) -> DuckDB, with Flink's result types.

- AVG of an integer type returns that integer type, truncated: SUM // COUNT.
- SUM of integers is computed by DuckDB as HUGEINT and cast back to Flink's type.
- `FILTER (WHERE f)` is DuckDB's FILTER clause on each underlying aggregate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot import exp

from nrtg.catalog.types import Kind, SqlType
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall

from .duckdb_context import ColRefs
from .duckdb_expr import LowerContext, cast, decimal_quotient, fn, interval_ms
from .duckdb_types import is_integer

_SIMPLE = {
    "MIN": "min",
    "MAX": "max",
    "SUM": "sum",
    "STDDEV_POP": "stddev_pop",
    "STDDEV_SAMP": "stddev_samp",
    "VAR_POP": "var_pop",
    "VAR_SAMP": "var_samp",
    "BOOL_AND": "bool_and",
    "BOOL_OR": "bool_or",
    "COLLECT": "list",
    "ARRAY_AGG": "list",
    # Arbitrary among the group's non-NULL values: Flink's result depends on arrival order.
    "FIRST_VALUE": "any_value",
    "LAST_VALUE": "last",
}
_RANKING = {
    "ROW_NUMBER": "row_number",
    "RANK": "rank",
    "DENSE_RANK": "dense_rank",
    "PERCENT_RANK": "percent_rank",
    "CUME_DIST": "cume_dist",
    "NTILE": "ntile",
    "LAG": "lag",
    "LEAD": "lead",
}

Wrap = Callable[[exp.Expression], exp.Expression]


def _identity(e: exp.Expression) -> exp.Expression:
    return e


def lower_agg(
    a: AggCall,
    cols: ColRefs,
    types: Sequence[SqlType],
    ctx: LowerContext,
    wrap: Wrap = _identity,
) -> exp.Expression:
    """One aggregate; `wrap` turns each underlying aggregate into a window call for OVER."""
    args = [cols[i] for i in a.args]

    def agg(name: str, *xs: exp.Expression) -> exp.Expression:
        inner: list[exp.Expression] = list(xs)
        call: exp.Expression
        if a.distinct and inner:
            call = exp.Anonymous(this=name, expressions=[exp.Distinct(expressions=inner)])
        else:
            call = exp.Anonymous(this=name, expressions=inner)
        if a.filter is not None:
            call = exp.Filter(this=call, expression=exp.Where(this=cols[a.filter]))
        return wrap(call)

    name = a.name.upper()
    if name == "COUNT":
        if not args:
            return agg("count_star")
        if len(args) == 1:
            return agg("count", args[0])
        if a.distinct:
            return agg("count", exp.Tuple(expressions=args))
        # COUNT(a, b) counts rows where every argument is non-NULL.
        all_set = exp.and_(
            *[exp.Not(this=exp.Is(this=x, expression=exp.Null())) for x in args], copy=False
        )
        return agg("count", exp.Case(ifs=[exp.If(this=all_set, true=exp.Literal.number(1))]))
    if name == "AVG":
        src = types[a.args[0]]
        if is_integer(src):
            # Flink: AVG of an integer type is that type, truncated (AVG(BIGINT) is BIGINT).
            q = exp.IntDiv(this=agg("sum", args[0]), expression=agg("count", args[0].copy()))
            return cast(q, a.type)
        if src.kind is Kind.DECIMAL and a.type.kind is Kind.DECIMAL:
            # Flink: SUM / COUNT as DECIMAL(38, max(6, s)), rounded HALF_UP; exact here.
            total, count = agg("sum", args[0]), agg("count", args[0].copy())
            return decimal_quotient(total, src.scale or 0, count, 0, a.type, ctx)
        return cast(agg("avg", args[0]), a.type)
    if name in ("SUM0", "$SUM0"):
        total = fn("coalesce", agg("sum", args[0]), exp.Literal.number(0))
        return cast(total, a.type)
    if name == "LISTAGG":
        sep = args[1] if len(args) > 1 else exp.Literal.string(",")
        return agg("string_agg", args[0], sep)
    if name in _SIMPLE:
        out = agg(_SIMPLE[name], *args)
        if a.type.is_numeric and name not in ("MIN", "MAX", "FIRST_VALUE", "LAST_VALUE"):
            out = cast(out, a.type)
        return out
    raise UnsupportedError(f"aggregate {a.name} is not supported by the batch target yet")


def over_call(
    c: AggCall, p: n.Over, cols: ColRefs, types: Sequence[SqlType], ctx: LowerContext
) -> exp.Expression:
    from .duckdb_rel import ordered

    partition = [cols[i] for i in p.partition] or None
    order = exp.Order(expressions=[ordered(cols[k.index], k) for k in p.order]) if p.order else None
    name = c.name.upper()
    if name in _RANKING:
        call = exp.Anonymous(this=_RANKING[name], expressions=[cols[i] for i in c.args])
        return exp.Window(this=call, partition_by=partition, order=order)
    spec = _frame(p, types)

    def wrap(e: exp.Expression) -> exp.Expression:
        return exp.Window(
            this=e,
            partition_by=[x.copy() for x in partition] if partition else None,
            order=order.copy() if order else None,
            spec=spec.copy() if spec is not None else None,
        )

    return lower_agg(c, cols, types, ctx, wrap)


def _frame(p: n.Over, types: Sequence[SqlType]) -> exp.WindowSpec | None:
    f = p.frame
    if not p.order:
        return None
    time_order = bool(p.order) and types[p.order[0].index].kind in (
        Kind.TIMESTAMP,
        Kind.TIMESTAMP_LTZ,
    )

    def offset(v: int) -> exp.Expression:
        if f.mode.upper() == "RANGE" and time_order:
            return interval_ms(v)
        return exp.Literal.number(v)

    if f.lower is None:
        start: exp.Expression | str = "UNBOUNDED"
    elif f.lower == 0:
        start = "CURRENT ROW"
    else:
        start = offset(f.lower)
    end: exp.Expression | str = "CURRENT ROW" if f.upper == 0 else offset(f.upper)
    return exp.WindowSpec(
        kind=f.mode.upper(),
        start=start,
        start_side=None if start == "CURRENT ROW" else "PRECEDING",
        end=end,
        end_side=None if end == "CURRENT ROW" else "FOLLOWING",
    )
