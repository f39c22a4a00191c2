"""window_deduplicate: ROW_NUMBER() = 1 by event time within each window of a window TVF.

    Filter: predicate=rn = 1                               Project: exprs=[..., 1 AS rn]
      Project: exprs=[..., w$ AS rn]                   =>    WindowDeduplicate: keys=[auction],
        Over: partition=[auction, window_start,                 order=ts, keep=first
                         window_end], order=[ts ASC]          WindowTVF: window=TUMBLE(...)
          WindowTVF: window=TUMBLE(...)

Flink's conditions: the input is a window TVF (not a window aggregate), the partition includes
window_start and window_end, the order is one rowtime attribute, and the range is exactly
[1, 1]. `keys` are the partition columns other than the window bounds. The node has no rank
column: a query that selects rn gets the constant 1 in the projection above.
"""

from __future__ import annotations

from nrtg.catalog.schema import TimeAttr

from ...plan.expr import Literal
from ...plan.nodes import Over, Plan, RankFn, WindowDeduplicate
from ..driver import RuleContext, rule
from ._patterns import (
    insert_only,
    match_rank_at,
    reads,
    rebuild_above_rank,
    time_order,
    window_source,
)


@rule(Over, order="top_down", phase="streaming")
def window_deduplicate(node: Plan, ctx: RuleContext) -> Plan:
    """Filter(rn = 1) over Over(ROW_NUMBER() PARTITION BY window bounds ORDER BY rowtime)."""
    found = match_rank_at(node)
    if found is None:
        return node
    m, outer = found
    over = m.over
    order = time_order(over)
    source = window_source(over.input)
    if m.fn is not RankFn.ROW_NUMBER or (m.lower, m.upper) != (1, 1):
        return node
    if order is None or order[2] is not TimeAttr.ROWTIME or source is None or not source.tvf:
        return node
    if not set(source.bounds) <= set(over.partition) or not insert_only(over.input):
        return node
    dedup = WindowDeduplicate(
        input=over.input,
        keys=tuple(k for k in over.partition if k not in source.bounds),
        time_col=order[0],
        keep_last=order[1],
        window_bounds=source.bounds,
        span=m.filter.span,
    )
    one = Literal(value=1, type=over.calls[0].type)
    return rebuild_above_rank(m, dedup, one if reads(outer, m.rank_col) else None, outer)
