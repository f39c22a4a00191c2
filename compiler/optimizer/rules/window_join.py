"""window_join: a join of two windowed inputs on equal window bounds is Flink's window join.

    Join: kind=INNER, condition=(id = seller)              WindowJoin: kind=INNER,
      AND (window_start = window_start)              =>      condition=id = seller
      AND (window_end = window_end)                          WindowAggregate: (person) ...
      WindowAggregate: (person) TUMBLE 10 s                  WindowAggregate: (auction) ...
      WindowAggregate: (auction) TUMBLE 10 s

Both inputs must be a window TVF or window aggregate (through Filters and column-passing
Projects) with the same window shape, both insert-only, and the condition must equate
window_start with window_start and window_end with window_end. The other conjuncts become the
window join's condition. Nexmark q8 takes this shape once window_aggregate has run.
"""

from __future__ import annotations

from ...plan.expr import Call, ColumnRef, Expr, and_, conjuncts
from ...plan.nodes import Join, Plan, WindowJoin
from ..driver import RuleContext, rule
from ._patterns import insert_only, same_window, window_source


@rule(Join, order="bottom_up", phase="streaming")
def window_join(node: Plan, ctx: RuleContext) -> Plan:
    """Join(l.window_start = r.window_start AND l.window_end = r.window_end) => WindowJoin."""
    if not isinstance(node, Join):
        return node
    left, right = window_source(node.left), window_source(node.right)
    if left is None or right is None or not same_window(left.spec, right.spec):
        return node
    if not (insert_only(node.left) and insert_only(node.right)):
        return node
    nl = len(node.left.schema)
    wanted = {
        (left.bounds[0], nl + right.bounds[0]),
        (left.bounds[1], nl + right.bounds[1]),
    }
    rest: list[Expr] = []
    seen: set[tuple[int, int]] = set()
    for e in conjuncts(node.condition):
        pair = _equi_pair(e)
        if pair in wanted:
            seen.add(pair)
        else:
            rest.append(e)
    if seen != wanted:
        return node
    return WindowJoin(
        left=node.left,
        right=node.right,
        kind=node.kind,
        condition=and_(*rest),
        left_bounds=left.bounds,
        right_bounds=right.bounds,
        span=node.span,
    )


def _equi_pair(e: Expr) -> tuple[int, int] | None:
    if isinstance(e, Call) and e.name == "EQUALS" and len(e.args) == 2:
        a, b = e.args
        if isinstance(a, ColumnRef) and isinstance(b, ColumnRef):
            return (min(a.index, b.index), max(a.index, b.index))
    return None
