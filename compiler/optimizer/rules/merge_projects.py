"""merge_projects: a projection of a projection becomes one; identity projections vanish.

Project: exprs=[a + 1 AS x]            Project: exprs=[(price * 2) + 1 AS x]
  Project: exprs=[price * 2 AS a]  =>    Scan
    Scan

Project: exprs=[a, b]   (the input's columns, in order, same names)  =>  Scan
  Scan
"""

from __future__ import annotations

from ...plan.expr import substitute
from ...plan.nodes import Plan, Project
from ..driver import RuleContext, rule
from ._patterns import is_identity, safe_to_inline


@rule(Project, order="bottom_up", phase="logical")
def merge_projects(node: Plan, ctx: RuleContext) -> Plan:
    """Project(Project(x, inner), outer) => Project(x, outer[inner]); Project(x, identity) => x.

    An inner non-deterministic expression (RAND(), PROCTIME(), ...) read more than once by the
    outer projection is not inlined: one evaluation must not become several."""
    if not isinstance(node, Project):
        return node
    if is_identity(node.input, node.exprs, node.names):
        return node.input if node.input.schema == node.schema else node
    inner = node.input
    if not isinstance(inner, Project) or not safe_to_inline(node.exprs, inner.exprs):
        return node
    exprs = tuple(substitute(e, inner.exprs) for e in node.exprs)
    merged = Project(input=inner.input, exprs=exprs, names=node.names, span=node.span)
    if merged.schema != node.schema:
        return node  # a time attribute or type that only survives through the two steps
    if is_identity(merged.input, merged.exprs, merged.names):
        return merged.input if merged.input.schema == node.schema else merged
    return merged
