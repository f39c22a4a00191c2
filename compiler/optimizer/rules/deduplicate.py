"""deduplicate: ROW_NUMBER() = 1 ordered by a time attribute is Flink's Deduplicate.

    Filter: predicate=rn = 1                                 Deduplicate: keys=[auction],
      Project: exprs=[auction, price, ts, w$ AS rn]    =>      order=ts, keep=last
        Over: partition=[auction], order=[ts DESC],              Scan
              calls=[ROW_NUMBER() AS w$]
          Scan

`ORDER BY time ASC` keeps the first row per key (insert-only output), `DESC` the last one (an
updating output). `rn = 1`, `rn <= 1` and `rn < 2` all qualify. Ordering by anything else, RANK
or DENSE_RANK, or an updating input leave it to `topn`. Must run before `topn` in RULES.
"""

from __future__ import annotations

from ...plan.nodes import Deduplicate, Over, Plan, RankFn
from ..driver import RuleContext, rule
from ._patterns import (
    insert_only,
    match_rank_at,
    reads,
    rebuild_above_rank,
    ref,
    retype,
    time_order,
)


@rule(Over, order="top_down", phase="streaming")
def deduplicate(node: Plan, ctx: RuleContext) -> Plan:
    """[Project over] Filter(rn = 1) over Over(ROW_NUMBER() ORDER BY time) => Deduplicate."""
    found = match_rank_at(node)
    if found is None:
        return node
    m, outer = found
    over = m.over
    order = time_order(over)
    if m.fn is not RankFn.ROW_NUMBER or (m.lower, m.upper) != (1, 1) or order is None:
        return node
    if not insert_only(over.input):
        return node
    time_col, descending, _ = order
    keep = reads(outer, m.rank_col)
    dedup = Deduplicate(
        input=over.input,
        keys=over.partition,
        time_col=time_col,
        keep_last=descending,
        rank_name=m.filter.schema.names[m.rank_col] if keep else None,
        span=m.filter.span,
    )
    width = len(over.input.schema)
    rank_out = retype(ref(dedup, width), over.calls[0].type) if keep else None
    return rebuild_above_rank(m, dedup, rank_out, outer)
