"""window_topn: a rank filter partitioned by window_start and window_end is a window Top-N.

    Filter: predicate=rn <= 3                              Project: exprs=[..., rn]
      Project: exprs=[auction, price, window_start,          WindowRank: fn=ROW_NUMBER,
                      window_end, w$ AS rn]             =>      partition=[window_start,
        Over: partition=[window_start, window_end],             window_end], order=[price DESC],
              order=[price DESC], calls=[ROW_NUMBER()]          range=[1, 3], rank=rn
          WindowTVF: window=TUMBLE(...)                       WindowTVF: ...

The Over's input must be a window TVF or a window aggregate (through Filters and column-passing
Projects), insert-only. Emitted once per window when the watermark passes its end, so the
output is insert-only. The rank number is output only when something above reads it.
"""

from __future__ import annotations

from ...plan.nodes import Over, Plan, WindowRank
from ..driver import RuleContext, rule
from ._patterns import (
    insert_only,
    match_rank_at,
    reads,
    rebuild_above_rank,
    ref,
    retype,
    window_source,
)


@rule(Over, order="top_down", phase="streaming")
def window_topn(node: Plan, ctx: RuleContext) -> Plan:
    """Filter(rn <= N) over Over(PARTITION BY window_start, window_end, ...) => WindowRank."""
    found = match_rank_at(node)
    if found is None:
        return node
    m, outer = found
    over = m.over
    source = window_source(over.input)
    if source is None or not set(source.bounds) <= set(over.partition):
        return node
    if not insert_only(over.input):
        return node
    keep = reads(outer, m.rank_col)
    ranked = WindowRank(
        input=over.input,
        partition=over.partition,
        order=over.order,
        fn=m.fn,
        lower=m.lower,
        upper=m.upper,
        window_bounds=source.bounds,
        rank_name=m.filter.schema.names[m.rank_col] if keep else None,
        span=m.filter.span,
    )
    width = len(over.input.schema)
    rank_out = retype(ref(ranked, width), over.calls[0].type) if keep else None
    return rebuild_above_rank(m, ranked, rank_out, outer)
