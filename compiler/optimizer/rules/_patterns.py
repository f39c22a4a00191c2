"""Private helpers shared by the rule modules: constants, projections, rank filters, windows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from nrtg.catalog.schema import TimeAttr
from nrtg.catalog.types import SqlType

from ...plan import nodes as n
from ...plan import traits
from ...plan.expr import (
    Call,
    Cast,
    ColumnRef,
    Expr,
    Literal,
    and_,
    conjuncts,
    is_deterministic,
    substitute,
)

RANK_FUNCTIONS = {fn.value: fn for fn in n.RankFn}
# `a op b` seen from the other side: `b flip[op] a`.
FLIP = {
    "LESS_THAN": "GREATER_THAN",
    "LESS_THAN_OR_EQUAL": "GREATER_THAN_OR_EQUAL",
    "GREATER_THAN": "LESS_THAN",
    "GREATER_THAN_OR_EQUAL": "LESS_THAN_OR_EQUAL",
    "EQUALS": "EQUALS",
}


def int_value(e: Expr) -> int | None:
    """The integer a literal (or a CAST of an integer literal to an integer type) stands for."""
    if isinstance(e, Cast) and e.type.is_integer and not e.safe:
        return int_value(e.input)
    if isinstance(e, Literal) and isinstance(e.value, int) and not isinstance(e.value, bool):
        return e.value if e.type.is_integer else None
    return None


def ref(plan: n.Plan, index: int) -> ColumnRef:
    f = plan.schema.fields[index]
    return ColumnRef(index=index, name=f.name, type=f.type)


def project(input: n.Plan, exprs: tuple[Expr, ...], names: tuple[str, ...]) -> n.Plan:
    """Project(input, exprs) or just `input` when that projection would be the identity."""
    if is_identity(input, exprs, names):
        return input
    return n.Project(input=input, exprs=exprs, names=names)


def compose(input: n.Plan, exprs: tuple[Expr, ...], names: tuple[str, ...]) -> n.Plan:
    """Project(input, exprs), inlined into `input` when that is a Project and inlining neither
    duplicates a non-deterministic expression nor changes the output; identity dropped."""
    if isinstance(input, n.Project) and safe_to_inline(exprs, input.exprs):
        merged = tuple(substitute(e, input.exprs) for e in exprs)
        out = project(input.input, merged, names)
        if out.schema == n.Project(input=input, exprs=exprs, names=names).schema:
            return out
    return project(input, exprs, names)


def safe_to_inline(outer: tuple[Expr, ...], inner: tuple[Expr, ...]) -> bool:
    """No non-deterministic inner expression is read more than once by `outer`."""
    uses: Counter[int] = Counter()
    for e in outer:
        uses.update(_ref_occurrences(e))
    return all(uses[i] <= 1 for i, e in enumerate(inner) if not is_deterministic(e))


def _ref_occurrences(e: Expr) -> list[int]:
    if isinstance(e, ColumnRef):
        return [e.index]
    return [i for c in e.children for i in _ref_occurrences(c)]


def is_identity(input: n.Plan, exprs: tuple[Expr, ...], names: tuple[str, ...]) -> bool:
    fields = input.schema.fields
    return (
        len(exprs) == len(fields)
        and all(
            isinstance(e, ColumnRef) and e.index == i and e.type == f.type
            for i, (e, f) in enumerate(zip(exprs, fields, strict=True))
        )
        and names == input.schema.names
    )


def passthrough(p: n.Project) -> dict[int, int] | None:
    """Output ordinal -> input ordinal when every expression is a plain column reference."""
    out: dict[int, int] = {}
    for i, e in enumerate(p.exprs):
        if not isinstance(e, ColumnRef):
            return None
        out[i] = e.index
    return out


# -- rank filters: Filter(rn <= N) over [Project over] Over(ROW_NUMBER() ...) ---------------
@dataclass(frozen=True)
class RankMatch:
    filter: n.Filter
    over: n.Over
    fn: n.RankFn
    lower: int
    upper: int
    rest: tuple[Expr, ...]  # other conjuncts of the filter, over the filter's input columns
    # Filter-input column -> Over-output column (the Over's rank column is len(over.input)).
    columns: dict[int, int]
    rank_col: int  # the rank column's ordinal in the filter's input


def match_rank(node: n.Plan) -> RankMatch | None:
    if not isinstance(node, n.Filter):
        return None
    below = node.input
    if isinstance(below, n.Project):
        columns = passthrough(below)
        over = below.input
    else:
        columns = {i: i for i in range(len(below.schema))}
        over = below
    if columns is None or not isinstance(over, n.Over) or len(over.calls) != 1:
        return None
    call = over.calls[0]
    fn = RANK_FUNCTIONS.get(call.name.upper())
    if fn is None or call.args or call.filter is not None or not over.order:
        return None
    width = len(over.input.schema)
    rank_cols = [i for i, j in columns.items() if j == width]
    if len(rank_cols) != 1:
        return None
    bounds = rank_bounds(node.predicate, rank_cols[0])
    if bounds is None:
        return None
    lower, upper, rest = bounds
    if any(rank_cols[0] in e.column_refs for e in rest):
        return None
    return RankMatch(node, over, fn, lower, upper, rest, columns, rank_cols[0])


def rank_bounds(predicate: Expr, rank_col: int) -> tuple[int, int, tuple[Expr, ...]] | None:
    """[lower, upper] from `rn <= N`, `rn < N`, `rn = N`, `rn >= M`, `rn > M` conjuncts."""
    lower, upper = 1, None
    rest: list[Expr] = []
    for c in conjuncts(predicate):
        bound = _rank_bound(c, rank_col)
        if bound is None:
            rest.append(c)
            continue
        op, value = bound
        if op in ("LESS_THAN_OR_EQUAL", "EQUALS"):
            upper = value if upper is None else min(upper, value)
        if op == "LESS_THAN":
            upper = value - 1 if upper is None else min(upper, value - 1)
        if op in ("GREATER_THAN_OR_EQUAL", "EQUALS"):
            lower = max(lower, value)
        if op == "GREATER_THAN":
            lower = max(lower, value + 1)
    if upper is None or upper < lower:
        return None
    return lower, upper, tuple(rest)


def _rank_bound(c: Expr, rank_col: int) -> tuple[str, int] | None:
    if not (isinstance(c, Call) and c.name in FLIP and len(c.args) == 2):
        return None
    a, b = c.args
    if isinstance(a, ColumnRef) and a.index == rank_col and (v := int_value(b)) is not None:
        return c.name, v
    if isinstance(b, ColumnRef) and b.index == rank_col and (v := int_value(a)) is not None:
        return FLIP[c.name], v
    return None


def rebuild_above_rank(
    m: RankMatch, ranked: n.Plan, rank_out: Expr | None, outer: n.Project | None
) -> n.Plan:
    """Put the rest of the filter, the filter's columns and the `outer` projection (if any) back
    above `ranked`, whose first columns are the Over's input columns; `rank_out` stands for the
    rank column (None when nothing reads it)."""
    width = len(m.over.input.schema)
    exprs: list[Expr] = []
    for i in range(len(m.filter.schema)):
        j = m.columns[i]
        if j != width:
            exprs.append(ref(ranked, j))
        elif rank_out is not None:
            exprs.append(rank_out)
        else:
            exprs.append(_unused(m))
    base = ranked
    if m.rest:
        pred = substitute(and_(*m.rest), tuple(exprs))
        base = n.Filter(input=ranked, predicate=pred, span=m.filter.span)
    if outer is None:
        return project(base, tuple(exprs), m.filter.schema.names)
    top = tuple(substitute(e, tuple(exprs)) for e in outer.exprs)
    return project(base, top, outer.names)


def reads(outer: n.Plan | None, column: int) -> bool:
    """Whether the projection `outer` reads `column` (True without a projection)."""
    return not isinstance(outer, n.Project) or any(column in e.column_refs for e in outer.exprs)


def _unused(m: RankMatch) -> Expr:
    # Only reached for a rank column nobody reads (the caller checked): a typed placeholder.
    return Literal(value=None, type=m.over.calls[0].type.with_nullable(True))


def time_order(over: n.Over) -> tuple[int, bool, TimeAttr] | None:
    """(column, descending, kind) when the Over orders by exactly one time attribute."""
    if len(over.order) != 1:
        return None
    key = over.order[0]
    attr = over.input.schema.fields[key.index].time_attr
    return None if attr is None else (key.index, key.descending, attr)


# -- windows ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class WindowSource:
    """Where a plan's window_start/window_end columns come from."""

    spec: n.WindowSpec
    bounds: tuple[int, int]  # ordinals of window_start, window_end in the plan's output
    tvf: bool  # a window TVF (True) or a window aggregate (False)


def window_source(plan: n.Plan) -> WindowSource | None:
    """Follows Filters and Projects that pass window_start and window_end through, down to a
    WindowTVF or WindowAggregate."""
    match plan:
        case n.WindowTVF():
            w = len(plan.input.schema)
            return WindowSource(plan.window, (w, w + 1), True)
        case n.WindowAggregate():
            props = plan.properties
            if "window_start" not in props or "window_end" not in props:
                return None
            base = len(plan.group) + len(plan.aggs)
            bounds = (base + props.index("window_start"), base + props.index("window_end"))
            return WindowSource(plan.window, bounds, False)
        case n.Filter() | n.WindowRank() | n.WindowDeduplicate():
            return window_source(plan.input)
        case n.WindowJoin():
            left = window_source(plan.left)
            return None if left is None else WindowSource(left.spec, plan.left_bounds, False)
        case n.Project():
            below = window_source(plan.input)
            if below is None:
                return None
            refs = [e.index if isinstance(e, ColumnRef) else -1 for e in plan.exprs]
            starts = [i for i, j in enumerate(refs) if j == below.bounds[0]]
            ends = [i for i, j in enumerate(refs) if j == below.bounds[1]]
            if not starts or not ends:
                return None
            return WindowSource(below.spec, (starts[0], ends[0]), below.tvf)
    return None


def same_window(a: n.WindowSpec, b: n.WindowSpec) -> bool:
    """Equal window shapes (the time column and session partition may differ per side)."""
    return (a.kind, a.size_ms, a.slide_ms, a.step_ms, a.gap_ms, a.offset_ms) == (
        b.kind,
        b.size_ms,
        b.slide_ms,
        b.step_ms,
        b.gap_ms,
        b.offset_ms,
    )


def insert_only(plan: n.Plan) -> bool:
    return traits.is_insert_only(plan.changelog)


def match_rank_at(node: n.Plan) -> tuple[RankMatch, n.Project | None] | None:
    """A rank filter at `node`, or just below the projection `node` (which then tells whether
    anything reads the rank number)."""
    if isinstance(node, n.Project):
        inner = match_rank(node.input)
        return None if inner is None else (inner, node)
    m = match_rank(node)
    return None if m is None else (m, None)


def retype(e: Expr, type: SqlType) -> Expr:
    return e if e.type == type else Cast(input=e, type=type)
