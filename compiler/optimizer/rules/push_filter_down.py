"""push_filter_down: move filter conjuncts as close to the sources as their meaning allows.

    Filter: predicate=(n > 1) AND (price > 10)      Filter: predicate=n > 1
      Project: exprs=[auction, price, ...]      =>    Project: exprs=[auction, price, ...]
        WindowTVF: ...                                   WindowTVF: ...
                                                           Filter: predicate=price > 10
                                                             Scan

Through a Project (substituting its expressions), a WindowTVF (conjuncts that read no window
column), an Unnest (conjuncts that read no unnested column), a UNION [ALL] (into every branch),
an Aggregate (conjuncts on group keys only), and into Join inputs: above an INNER join
into either side (conjuncts on both sides join the condition), above a LEFT join only into the
left side, a RIGHT join only into the right, SEMI/ANTI into the left, FULL never. A join's own
condition gives its one-sided conjuncts to the side that cannot be null-extended by them.
Non-deterministic conjuncts never move. AssignWatermark, Over, Sort, INTERSECT/EXCEPT and the
temporal and lookup joins stop it.
"""

from __future__ import annotations

from collections.abc import Callable

from ...plan.expr import (
    Call,
    Case,
    Cast,
    ColumnRef,
    Expr,
    FieldAccess,
    and_,
    conjuncts,
    is_deterministic,
    remap_refs,
    substitute,
)
from ...plan.nodes import (
    Aggregate,
    Filter,
    Join,
    JoinKind,
    Plan,
    Project,
    SetOp,
    SetOpKind,
    Unnest,
    WindowTVF,
)
from ..driver import RuleContext, rule

# Which side a conjunct of the condition / of a filter above may move into, per join kind.
_ON_LEFT = frozenset({JoinKind.INNER, JoinKind.RIGHT, JoinKind.SEMI})
_ON_RIGHT = frozenset({JoinKind.INNER, JoinKind.LEFT, JoinKind.SEMI, JoinKind.ANTI})
_ABOVE_LEFT = frozenset({JoinKind.INNER, JoinKind.LEFT, JoinKind.SEMI, JoinKind.ANTI})
_ABOVE_RIGHT = frozenset({JoinKind.INNER, JoinKind.RIGHT})


@rule(Filter, Join, order="top_down", phase="logical")
def push_filter_down(node: Plan, ctx: RuleContext) -> Plan:
    """Filter(Project(x)) => Project(Filter(x)) and friends; see the module docstring."""
    if isinstance(node, Join):
        return _push_join_condition(node)
    if not isinstance(node, Filter):
        return node
    below = node.input
    terms = conjuncts(node.predicate)
    if isinstance(below, Project):
        keep, move = _split(terms, lambda e: is_deterministic(substitute(e, below.exprs)))
        if not move:
            return node
        moved = Filter(input=below.input, predicate=substitute(and_(*move), below.exprs))
        return _above(below.replace(input=moved), keep, node)
    if isinstance(below, WindowTVF):
        width = len(below.input.schema)
        keep, move = _split(terms, lambda e: all(i < width for i in e.column_refs))
        if not move:
            return node
        pushed = Filter(input=below.input, predicate=and_(*move))
        return _above(below.replace(input=pushed), keep, node)
    if isinstance(below, Aggregate) and below.group:
        keys = dict(enumerate(below.group))
        keep, move = _split(terms, lambda e: e.column_refs <= keys.keys())
        if not move:
            return node
        pushed = Filter(input=below.input, predicate=remap_refs(and_(*move), keys))
        return _above(below.replace(input=pushed), keep, node)
    if isinstance(below, Unnest):
        width = len(below.input.schema)
        keep, move = _split(terms, lambda e: all(i < width for i in e.column_refs))
        if not move:
            return node
        pushed = Filter(input=below.input, predicate=and_(*move))
        return _above(below.replace(input=pushed), keep, node)
    if isinstance(below, SetOp) and below.kind is SetOpKind.UNION:
        keep, move = _split(terms, lambda e: True)
        if not move:
            return node
        pred = and_(*move)
        branches = tuple(Filter(input=b, predicate=_retarget(pred, b)) for b in below.inputs)
        return _above(below.replace(inputs=branches), keep, node)
    if isinstance(below, Join):
        return _push_into_join(node, below, terms)
    return node


def _retarget(e: Expr, plan: Plan) -> Expr:
    """`e` over a union branch: its column references take the branch's column types (a union
    column is nullable when any branch's is)."""
    fields = plan.schema.fields
    if isinstance(e, ColumnRef):
        return e.replace(type=fields[e.index].type)
    if isinstance(e, Call):
        return e.replace(args=tuple(_retarget(a, plan) for a in e.args))
    if isinstance(e, Cast | FieldAccess):
        return e.replace(input=_retarget(e.input, plan))
    if isinstance(e, Case):
        whens = tuple((_retarget(c, plan), _retarget(v, plan)) for c, v in e.whens)
        default = None if e.default is None else _retarget(e.default, plan)
        return e.replace(whens=whens, default=default)
    return e


def _split(
    terms: tuple[Expr, ...], movable: Callable[[Expr], bool]
) -> tuple[list[Expr], list[Expr]]:
    keep: list[Expr] = []
    move: list[Expr] = []
    for e in terms:
        ok = is_deterministic(e) and movable(e)
        (move if ok else keep).append(e)
    return keep, move


def _above(plan: Plan, keep: list[Expr], old: Filter) -> Plan:
    return Filter(input=plan, predicate=and_(*keep), span=old.span) if keep else plan


def _push_into_join(node: Filter, join: Join, terms: tuple[Expr, ...]) -> Plan:
    nl = len(join.left.schema)
    left: list[Expr] = []
    right: list[Expr] = []
    both: list[Expr] = []
    keep: list[Expr] = []
    for e in terms:
        refs = e.column_refs
        if not is_deterministic(e):
            keep.append(e)
        elif refs and max(refs) < nl and join.kind in _ABOVE_LEFT:
            left.append(e)
        elif refs and min(refs) >= nl and join.kind in _ABOVE_RIGHT:
            right.append(e)
        elif join.kind is JoinKind.INNER:
            both.append(e)
        else:
            keep.append(e)
    if not (left or right or both):
        return node
    new = _join_with(join, left, right, both)
    return _above(new, keep, node)


def _push_join_condition(join: Join) -> Plan:
    nl = len(join.left.schema)
    left: list[Expr] = []
    right: list[Expr] = []
    keep: list[Expr] = []
    for e in conjuncts(join.condition):
        refs = e.column_refs
        if is_deterministic(e) and refs and max(refs) < nl and join.kind in _ON_LEFT:
            left.append(e)
        elif is_deterministic(e) and refs and min(refs) >= nl and join.kind in _ON_RIGHT:
            right.append(e)
        else:
            keep.append(e)
    if not (left or right):
        return join
    rest = join.replace(condition=and_(*keep))
    assert isinstance(rest, Join)
    return _join_with(rest, left, right, [])


def _join_with(join: Join, left: list[Expr], right: list[Expr], both: list[Expr]) -> Plan:
    nl = len(join.left.schema)
    lhs, rhs = join.left, join.right
    if left:
        lhs = Filter(input=lhs, predicate=and_(*left))
    if right:
        rhs = Filter(input=rhs, predicate=remap_refs(and_(*right), lambda i: i - nl))
    condition = and_(join.condition, *both) if both else join.condition
    return join.replace(left=lhs, right=rhs, condition=condition)
