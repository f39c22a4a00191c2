"""Aggregate calls (GROUP BY and OVER) -> DuckDB, with Flink's result types.

- AVG of an integer type returns that integer type, truncated: SUM // COUNT.
- SUM of integers is computed by DuckDB as HUGEINT and cast back to Flink's type.
- `FILTER (WHERE f)` is DuckDB's FILTER clause on each underlying aggregate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from sqlglot import exp

from nrtg.catalog.types import Kind, SqlType
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall, Literal

from .duckdb_context import ColRefs, IgnoreNulls, col
from .duckdb_expr import (
    LowerContext,
    cast,
    decimal_quotient,
    fn,
    interval_ms,
    lower_expr,
    wrapped,
)
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
    "ARRAY_AGG": "list",
    # Arbitrary among the group's non-NULL values: Flink's result depends on arrival order.
}

# Aggregates whose result follows the order of their input rows (Flink: arrival order).
ORDER_SENSITIVE = frozenset({"FIRST_VALUE", "LAST_VALUE", "LISTAGG", "ARRAY_AGG"})

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


def literal_columns(input_plan: n.Plan, ctx: LowerContext) -> dict[int, exp.Expression]:
    """The columns of an aggregate's input that a projection fills with a literal."""
    if isinstance(input_plan, n.WindowTVF):  # SESSION, CUMULATE: its input's columns come first
        input_plan = input_plan.input
    if not isinstance(input_plan, n.Project):
        return {}
    return {
        i: lower_expr(e, [], ctx) for i, e in enumerate(input_plan.exprs) if isinstance(e, Literal)
    }


def lower_agg(
    a: AggCall,
    cols: ColRefs,
    types: Sequence[SqlType],
    ctx: LowerContext,
    wrap: Wrap = _identity,
    constants: Mapping[int, exp.Expression] = MappingProxyType({}),
    order: Sequence[exp.Ordered] = (),
) -> exp.Expression:
    """One aggregate; `wrap` turns each underlying aggregate into a window call for OVER;
    `constants`: the input columns that are literals (`literal_columns`); `order`: the order
    an ORDER_SENSITIVE aggregate takes its rows in (`ORDER BY` inside the call; DuckDB refuses
    it with DISTINCT unless it orders by the argument, so a DISTINCT one keeps DuckDB's)."""
    args = [cols[i] for i in a.args]
    if a.distinct or a.name.upper() not in ORDER_SENSITIVE:
        order = ()

    def in_order(last: exp.Expression) -> exp.Expression:
        """An aggregate's last argument, followed by ORDER BY `order`."""
        if not order:
            return last
        return exp.Order(this=last, expressions=[o.copy() for o in order])

    def agg(name: str, *xs: exp.Expression) -> exp.Expression:
        inner: list[exp.Expression] = list(xs)
        if inner:
            inner[-1] = in_order(inner[-1])
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
        return wrapped(total, a.type, ctx) if is_integer(a.type) else cast(total, a.type)
    if name in ("FIRST_VALUE", "LAST_VALUE"):
        # Flink skips NULL values; DuckDB's first/last return them
        first_or_last = "first" if name == "FIRST_VALUE" else "last"
        if wrap is _identity:
            present = exp.Not(this=exp.Is(this=args[0].copy(), expression=exp.Null()))
            cond = present if a.filter is None else exp.and_(cols[a.filter], present)
            call = exp.Anonymous(this=first_or_last, expressions=[in_order(args[0])])
            if len(order) == 1 and not order[0].args.get("desc"):
                # One ascending key (arrival: unique, never NULL): the value at its least or
                # greatest, a plain hash aggregate (an ordered one keeps and sorts every row)
                by = "arg_min" if name == "FIRST_VALUE" else "arg_max"
                call = exp.Anonymous(this=by, expressions=[args[0], order[0].this.copy()])
            return exp.Filter(this=call, expression=exp.Where(this=cond))
        # a window takes no FILTER: DuckDB's `IGNORE NULLS` argument
        return wrap(exp.Anonymous(this=first_or_last, expressions=[IgnoreNulls(this=args[0])]))
    if name == "LISTAGG":
        # DuckDB wants the separator as a constant: Flink's is a literal, which the binder
        # projected into a column of the aggregate's input (`constants`)
        sep = exp.Literal.string(",")
        if len(args) > 1:
            if a.args[1] not in constants:
                raise UnsupportedError("LISTAGG's separator must be a string literal")
            sep = constants[a.args[1]]
        # only the value is DISTINCT (agg() would make a DISTINCT tuple of value and separator)
        value = exp.Distinct(expressions=[args[0]]) if a.distinct else args[0]
        call: exp.Expression = exp.Anonymous(this="string_agg", expressions=[value, in_order(sep)])
        if a.filter is not None:
            call = exp.Filter(this=call, expression=exp.Where(this=cols[a.filter]))
        return wrap(call)
    if name == "COLLECT":
        # Flink's MULTISET: value -> count, NULLs not counted, DISTINCT counts each value once,
        # and a group without values has the empty multiset (histogram gives NULL); the map's
        # keys come in key order, as the stream target writes them
        empty = cast(exp.Anonymous(this="map"), a.type)
        return exp.Coalesce(this=cast(agg("histogram", *args), a.type), expressions=[empty])
    if name in _SIMPLE:
        out = agg(_SIMPLE[name], *args)
        if name == "SUM" and is_integer(a.type):  # Flink's SUM of integers overflows as Java
            return wrapped(out, a.type, ctx)
        if a.type.is_numeric and name not in ("MIN", "MAX"):
            out = cast(out, a.type)
        return out
    raise UnsupportedError(f"aggregate {a.name} is not supported by the batch target yet")


def ties_by_arrival(p: n.Over) -> bool:
    """Whether an OVER's order-sensitive aggregates need the input's arrival order (`over_call`):
    frames ordered by something."""
    return bool(p.order)


# RANGE frames of order-sensitive aggregates: the current row's frame size, the rows up to the
# frame's end (both in the RANGE frame's order) and its position in (keys, arrival) order.
RANGE_POSITIONS = ("$size", "$upto", "$pos")


def range_positions(
    p: n.Over, cols: ColRefs, types: Sequence[SqlType], arrival: exp.Expression
) -> list[tuple[exp.Expression, str]]:
    """The `RANGE_POSITIONS` columns of a RANGE frame, which `over_call` turns into a ROWS
    frame over (keys, arrival): a RANGE frame holds whole peer groups and runs from a preceding
    bound (or the current row) to the current row or past it, so in (keys, arrival) order it
    is the `$size` rows that end at row `$upto` (1-based), around the current row `$pos`."""
    spec = _frame(p, types)
    assert spec is not None
    upto = spec.copy()
    upto.set("start", "UNBOUNDED")
    upto.set("start_side", "PRECEDING")
    partition = [cols[i] for i in p.partition]
    keys = [_ordered(cols[k.index], k) for k in p.order]

    def window(
        this: exp.Expression, order: list[exp.Ordered], frame: exp.WindowSpec | None
    ) -> exp.Window:
        return exp.Window(
            this=this,
            partition_by=[x.copy() for x in partition] or None,
            order=exp.Order(expressions=[o.copy() for o in order]),
            spec=frame,
        )

    count = exp.Anonymous(this="count_star", expressions=[])
    row_number = exp.Anonymous(this="row_number", expressions=[])
    return [
        (window(count, keys, spec), RANGE_POSITIONS[0]),
        (window(count.copy(), keys, upto), RANGE_POSITIONS[1]),
        (window(row_number, [*keys, exp.Ordered(this=arrival.copy())], None), RANGE_POSITIONS[2]),
    ]


def _ordered(e: exp.Expression, key: n.SortKey) -> exp.Ordered:
    from .duckdb_rel import ordered

    return ordered(e, key)


def over_call(
    c: AggCall,
    p: n.Over,
    cols: ColRefs,
    types: Sequence[SqlType],
    ctx: LowerContext,
    arrival: exp.Expression | None = None,
) -> exp.Expression:
    """`arrival`: the input rows' arrival order (a column), which the stream target breaks
    time ties by: an ORDER_SENSITIVE aggregate takes tied rows in that order (which rows a ROWS
    frame holds, and their order: DuckDB's window aggregates follow the frame's). A RANGE frame
    holds every peer, and its ORDER BY must stay one key for an offset: it becomes the ROWS
    frame over (keys, arrival) that holds the same rows (`range_positions`: two counts and a
    row number: 1.2-1.7x the RANGE frame's CPU; ORDER BY inside the call costs ~35x)."""
    partition = [cols[i] for i in p.partition] or None
    keys = [_ordered(cols[k.index], k) for k in p.order]
    order = exp.Order(expressions=keys) if p.order else None
    name = c.name.upper()
    if name in _RANKING:
        call = exp.Anonymous(this=_RANKING[name], expressions=[cols[i] for i in c.args])
        return exp.Window(this=call, partition_by=partition, order=order)
    spec = _frame(p, types)
    if arrival is not None and name in ORDER_SENSITIVE and ties_by_arrival(p):
        order = exp.Order(expressions=[*keys, exp.Ordered(this=arrival)])
        if p.frame.mode.upper() == "RANGE":
            size, upto, pos = (col(x) for x in RANGE_POSITIONS)
            before = exp.Sub(this=exp.Add(this=pos.copy(), expression=size), expression=upto)
            preceding = exp.Sub(this=before, expression=exp.Literal.number(1))
            spec = exp.WindowSpec(
                kind="ROWS",
                start=exp.Paren(this=preceding),
                start_side="PRECEDING",
                end=exp.Paren(this=exp.Sub(this=upto.copy(), expression=pos)),
                end_side="FOLLOWING",
            )

    def wrap(e: exp.Expression) -> exp.Expression:
        return exp.Window(
            this=e,
            partition_by=[x.copy() for x in partition] if partition else None,
            order=order.copy() if order else None,
            spec=spec.copy() if spec is not None else None,
        )

    return lower_agg(c, cols, types, ctx, wrap, literal_columns(p.input, ctx))


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
