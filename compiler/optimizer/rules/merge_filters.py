"""merge_filters: two stacked filters become one.

Filter: predicate=b                 Filter: predicate=a AND b
  Filter: predicate=a        =>       Scan
    Scan
"""

from __future__ import annotations

from ...plan.expr import and_
from ...plan.nodes import Filter, Plan
from ..driver import RuleContext, rule


@rule(Filter, order="bottom_up", phase="logical")
def merge_filters(node: Plan, ctx: RuleContext) -> Plan:
    """Filter(Filter(x, a), b)  =>  Filter(x, a AND b); the inner predicate stays first."""
    match node:
        case Filter(input=Filter(input=inner, predicate=a), predicate=b):
            return Filter(input=inner, predicate=and_(a, b), span=node.span)
    return node
