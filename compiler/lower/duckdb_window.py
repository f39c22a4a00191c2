"""Window TVF assignment in DuckDB: TUMBLE, HOP, CUMULATE and SESSION, in epoch milliseconds.

Flink's window bounds are `[window_start, window_end)` and `window_time = window_end - 1 ms`.
Windows are aligned to the epoch plus `offset` (TimeWindow.getWindowStartWithOffset); for a
TIMESTAMP_LTZ time column the alignment is in the session time zone's wall-clock time.
"""

from __future__ import annotations

from enum import Enum
from math import gcd
from typing import TYPE_CHECKING

from sqlglot import exp

from nrtg.catalog.schema import Field
from nrtg.catalog.types import Kind
from nrtg.compiler.errors import InternalError
from nrtg.compiler.plan import nodes as n

from .duckdb_context import col
from .duckdb_expr import LowerContext, fn, paren
from .duckdb_generate import Writer
from .duckdb_types import data_type

if TYPE_CHECKING:
    from .duckdb_rel import Rel


ARRIVAL = "$arr"  # a row's position in the window's input, numbered before any row moves
SLICE = "$slice"  # HOP, CUMULATE: the start (epoch ms) of the slice the row falls in


class RowOrder(Enum):
    """What reads a window assignment needs of the order of its rows."""

    ANY = "any"  # nothing: no order-sensitive aggregate above
    SORTED = "sorted"  # a bare TVF: SESSION's rows sorted by `row_order` (others: input order)
    KEYS = "keys"  # `row_order`'s columns kept, for ORDER BY inside the aggregates


def row_order(w: n.WindowSpec) -> list[exp.Ordered]:
    """The order in which the stream target's window aggregate takes a window's rows, which
    LISTAGG, ARRAY_AGG, COLLECT, FIRST_VALUE and LAST_VALUE follow: a TUMBLE window's in arrival
    order; HOP and CUMULATE merge their slices in time order, each slice's rows in arrival
    order (Flink's slicing); a closed session's rows by (time, arrival)
    (`_sessions.Sessions.close`). Over the columns `RowOrder.KEYS` keeps, for ORDER BY inside
    the aggregates: the only order DuckDB promises an aggregate (a sort or a parallel scan
    hands rows over in pieces)."""
    if w.kind is n.WindowKind.TUMBLE:
        return [by_arrival()]
    if w.kind is n.WindowKind.SESSION:
        return [exp.Ordered(this=col("$t"), nulls_first=True), by_arrival()]
    return [exp.Ordered(this=col(SLICE)), by_arrival()]


def order_columns(w: n.WindowSpec) -> tuple[str, ...]:
    """The names of `row_order`'s columns."""
    return tuple(o.this.name for o in row_order(w))


def by_arrival() -> exp.Ordered:
    """ORDER BY "$arr": the order in which a group's rows arrive (`arrival`)."""
    return exp.Ordered(this=col(ARRIVAL))


def arrival() -> exp.Expression:
    """`ROW_NUMBER() OVER () AS "$arr"`: the rows numbered in the order they come (a streaming
    window: a parallel scan's pieces are numbered in input order)."""
    return _alias(exp.Window(this=exp.Anonymous(this="row_number", expressions=[])), ARRIVAL)


def _num(v: int) -> exp.Expression:
    return exp.Literal.number(v)


def _alias(e: exp.Expression, name: str) -> exp.Expression:
    return exp.Alias(this=e, alias=exp.Identifier(this=name, quoted=True))


def _add(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Add(this=paren(a), expression=paren(b))


def _sub(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Sub(this=paren(a), expression=paren(b))


def _mod(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    return exp.Mod(this=paren(a), expression=paren(b))


def _floor_start(m: exp.Expression, size: int, offset: int, ctx: LowerContext) -> exp.Expression:
    """The start (epoch ms) of the aligned `size` window containing m."""
    return ctx.macro("nrtg_window_start", m, _num(size), _num(offset))


def _epoch_ms(ts: exp.Expression, time_field: Field) -> exp.Expression:
    if time_field.type.kind is Kind.TIMESTAMP_LTZ:
        ts = exp.Cast(this=ts, to=data_type("TIMESTAMP"))
    return fn("epoch_ms", ts)


def _bounds(
    start: exp.Expression, end: exp.Expression, time_field: Field, names: tuple[str, ...]
) -> list[exp.Expression]:
    wt = _window_time(end.copy(), time_field)
    return [
        _alias(fn("epoch_ms", start), names[0]),
        _alias(fn("epoch_ms", end), names[1]),
        _alias(wt, names[2]),
    ]


def _window_time(end: exp.Expression, time_field: Field) -> exp.Expression:
    """window_time = window_end - 1 ms, in the time column's type."""
    wt = fn("epoch_ms", _sub(end, _num(1)))
    if time_field.type.kind is Kind.TIMESTAMP_LTZ:
        wt = exp.Cast(this=wt, to=data_type("TIMESTAMPTZ"))
    return wt


def _sub_select(select: exp.Select, name: str) -> exp.Subquery:
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(name)))


def window_starts(
    src: Rel,
    w: n.WindowSpec,
    fields: tuple[Field, ...],
    ctx: LowerContext,
    wr: Writer,
    keys: bool,
) -> str | None:
    """SELECT input columns + "$ws" (each window's start in epoch ms) for TUMBLE and HOP, whose
    end is start + size: a window aggregate groups by this one BIGINT and computes the bounds
    after aggregating (`window_bounds`), instead of per row. `keys`: + `order_columns`. None
    for other windows."""
    m = wr.sql(_epoch_ms(col(src.names[w.time_col]), fields[w.time_col]))
    if w.kind is n.WindowKind.TUMBLE:
        assert w.size_ms is not None
        start = wr.func(ctx.use_macro("nrtg_window_start"), m, str(w.size_ms), str(w.offset_ms))
        numbered = [wr.sql(arrival())] if keys else []
        return wr.select(["*", wr.named(start, "$ws"), *numbered], src.cte)
    if w.kind is n.WindowKind.HOP:
        return _hop_starts(src, w, m, ctx, wr, keys)
    return None


def _hop_starts(
    src: Rel, w: n.WindowSpec, m: str, ctx: LowerContext, wr: Writer, keys: bool
) -> str:
    """SELECT input columns + "$ws", one row per HOP window of each row: the windows starting
    at the row's last aligned start, going back by `slide` while start > t - size. The row's
    epoch ms `m` is computed once, below ("$m"): DuckDB does not share a repeated expression
    inside UNNEST, and the start arithmetic uses it three times (Nexmark q5: ~10% of the
    query's CPU). `keys`: + `order_columns` (slices of gcd(size, slide), as the stream's)."""
    assert w.size_ms is not None and w.slide_ms is not None
    with_m = wr.select(["*", wr.named(m, "$m")] + ([wr.sql(arrival())] if keys else []), src.cte)
    row = wr.quoted("$m")
    window_start = ctx.use_macro("nrtg_window_start")
    last = wr.func(window_start, row, str(w.slide_ms), str(w.offset_ms))
    starts = wr.func("range", last, f"{row} - {w.size_ms}", str(-w.slide_ms))
    if not keys:
        items = [wr.star_except(("$m",)), wr.named(wr.func("unnest", starts), "$ws")]
        return wr.select(items, wr.subquery(with_m, "m"))
    piece = wr.func(window_start, row, str(gcd(w.size_ms, w.slide_ms)), str(w.offset_ms))
    items = [
        wr.star_except(("$m", ARRIVAL)),
        wr.named(wr.func("unnest", starts), "$ws"),
        wr.named(piece, SLICE),
        wr.quoted(ARRIVAL),
    ]
    return wr.select(items, wr.subquery(with_m, "m"))


def window_bounds(
    w: n.WindowSpec,
    time_field: Field,
    properties: tuple[str, ...],
    names: tuple[str, ...],
    wr: Writer,
) -> list[str]:
    """window_start / window_end / window_time from "$ws" (TUMBLE, HOP), named `names`."""
    assert w.size_ms is not None
    ws = wr.quoted("$ws")
    out = []
    for prop, name in zip(properties, names, strict=True):
        if prop == "window_start":
            bound = wr.func("epoch_ms", ws)
        elif prop == "window_end":
            bound = wr.func("epoch_ms", f"{ws} + {w.size_ms}")
        else:
            end = _add(col("$ws"), _num(w.size_ms))
            bound = wr.sql(_window_time(end, time_field))
        out.append(wr.named(bound, name))
    return out


def assign_windows(
    src: Rel,
    w: n.WindowSpec,
    fields: tuple[Field, ...],
    names: tuple[str, ...],
    ctx: LowerContext,
    wr: Writer,
    order: RowOrder,
) -> exp.Select | str:
    """SELECT input columns + window_start, window_end, window_time (named `names`), as a tree
    or (HOP) as text; with `RowOrder.KEYS`, + `order_columns` last."""
    keys = order_columns(w) if order is RowOrder.KEYS else ()
    time_field = fields[w.time_col]
    m = _epoch_ms(col(src.names[w.time_col]), time_field)
    if w.kind is n.WindowKind.TUMBLE:
        assert w.size_ms is not None
        start = _floor_start(m, w.size_ms, w.offset_ms, ctx)
        end = _add(start.copy(), _num(w.size_ms))
        numbered = [arrival()] if keys else []
        return exp.select(
            exp.Star(), *_bounds(start, end, time_field, names), *numbered, copy=False
        ).from_(src.table, copy=False)
    if w.kind is n.WindowKind.HOP:
        assert w.size_ms is not None
        inner = _hop_starts(src, w, wr.sql(m), ctx, wr, bool(keys))
        ws = col("$ws")
        end = _add(ws.copy(), _num(w.size_ms))
        hop_items = [
            wr.star_except(("$ws", *keys)),
            *[wr.sql(b) for b in _bounds(ws, end, time_field, names)],
            *[wr.quoted(k) for k in keys],
        ]
        return wr.select(hop_items, wr.subquery(inner, "h"))
    if w.kind is n.WindowKind.CUMULATE:
        assert w.size_ms is not None and w.step_ms is not None
        # Windows share the aligned start of the `size` window; ends grow by `step`; a row
        # belongs to every window whose end is past it.
        start = _floor_start(m, w.size_ms, w.offset_ms, ctx)
        steps = exp.IntDiv(this=paren(_sub(m.copy(), start.copy())), expression=_num(w.step_ms))
        first_end = _add(
            start.copy(), exp.Mul(this=paren(_add(steps, _num(1))), expression=_num(w.step_ms))
        )
        ends = fn("range", first_end, _add(start.copy(), _num(w.size_ms + 1)), _num(w.step_ms))
        inner = exp.select(
            exp.Star(), _alias(start, "$ws"), _alias(fn("unnest", ends), "$we"), copy=False
        ).from_(src.table, copy=False)
        if keys:  # the row's slice: the `step` one it falls in
            piece = exp.Mul(this=paren(steps.copy()), expression=_num(w.step_ms))
            numbered = exp.select(exp.Star(), arrival(), copy=False).from_(src.table, copy=False)
            inner = inner.select(_alias(_add(start.copy(), piece), SLICE), copy=False).from_(
                _sub_select(numbered, "a"), copy=False
            )
        items = [
            exp.Star(except_=[col(x) for x in ("$ws", "$we", *keys)]),
            *_bounds(col("$ws"), col("$we"), time_field, names),
            *[col(k) for k in keys],
        ]
        return exp.select(*items, copy=False).from_(_sub_select(inner, "c"), copy=False)
    if w.kind is n.WindowKind.SESSION:
        assert w.gap_ms is not None
        return _sessions(src, w, time_field, m, names, order)
    raise InternalError(f"unknown window kind {w.kind}")


def _sessions(
    src: Rel,
    w: n.WindowSpec,
    time_field: Field,
    m: exp.Expression,
    names: tuple[str, ...],
    order: RowOrder,
) -> exp.Select:
    """Per partition, ordered by time: a row starts a new session when it is more than `gap`
    after the previous row (Flink merges windows [t, t + gap) that touch: TimeWindow.intersects
    is inclusive). A session is [first t, last t + gap).

    The window functions leave the rows in no useful order. A window aggregate orders its
    order-sensitive aggregates by `row_order` (`RowOrder.KEYS`: "$t" and "$arr" kept); a bare
    TVF sorts its rows so (`RowOrder.SORTED`), for whatever reads them, as the stream target's
    come (a sort of every row: left out for `RowOrder.ANY`)."""
    assert w.gap_ms is not None
    part = [col(src.names[i]) for i in w.partition]
    t = col("$t")

    def window(this: exp.Expression, extra: list[exp.Expression], ordered: bool) -> exp.Window:
        order = (
            exp.Order(expressions=[exp.Ordered(this=t.copy(), nulls_first=True)])
            if ordered
            else None
        )
        partition = [p.copy() for p in part] + extra
        return exp.Window(this=this, partition_by=partition or None, order=order)

    a = exp.select(exp.Star(), _alias(m, "$t"), copy=False).from_(src.table, copy=False)
    if order is not RowOrder.ANY:
        a = a.select(arrival(), copy=False)
    gap_ok = exp.LTE(
        this=exp.Sub(this=t.copy(), expression=window(fn("lag", t.copy()), [], True)),
        expression=_num(w.gap_ms),
    )
    new = exp.Case(ifs=[exp.If(this=gap_ok, true=_num(0))], default=_num(1))
    b = exp.select(exp.Star(), _alias(new, "$new"), copy=False).from_(
        _sub_select(a, "a"), copy=False
    )
    # RANGE frame (the default with ORDER BY): rows with equal times are peers, so ties agree.
    sid = window(fn("sum", col("$new")), [], True)
    c = exp.select(exp.Star(), _alias(sid, "$sid"), copy=False).from_(
        _sub_select(b, "b"), copy=False
    )
    first = window(fn("min", t.copy()), [col("$sid")], False)
    last = window(fn("max", t.copy()), [col("$sid")], False)
    end = _add(last, _num(w.gap_ms))
    numbered = order is not RowOrder.ANY
    hidden = [col(x) for x in ("$t", "$new", "$sid", *([ARRIVAL] if numbered else []))]
    keys = [col(k) for k in order_columns(w)] if order is RowOrder.KEYS else []
    items = [exp.Star(except_=hidden), *_bounds(first, end, time_field, names), *keys]
    out = exp.select(*items, copy=False).from_(_sub_select(c, "s"), copy=False)
    if order is not RowOrder.SORTED:
        return out
    return out.order_by(*row_order(w), copy=False)
