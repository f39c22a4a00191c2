"""topn: a ROW_NUMBER/RANK/DENSE_RANK filter is Flink's Rank (Top-N) operator.

    Project: exprs=[auction, price]                        Project: exprs=[auction, price]
      Filter: predicate=rn <= 3                      =>      Rank: fn=ROW_NUMBER,
        Project: exprs=[auction, price, w$ AS rn]                  partition=[auction],
          Over: partition=[auction], order=[price DESC],           order=[price DESC],
                calls=[ROW_NUMBER() AS w$]                         range=[1, 3]
            Scan                                               Scan

`rn <= N`, `rn < N`, `rn = N`, `rn >= M`, `rn > M` and BETWEEN bound the range (an upper bound is
required); other conjuncts stay in a Filter above. The rank number is an output column only when
the projection above (or, without one, the query) reads it.
"""

from __future__ import annotations

from ...plan.nodes import Over, Plan, Rank
from ..driver import RuleContext, rule
from ._patterns import match_rank_at, reads, rebuild_above_rank, ref, retype


@rule(Over, order="top_down", phase="streaming")
def topn(node: Plan, ctx: RuleContext) -> Plan:
    """[Project over] Filter(rn <= N) over [Project over] Over(ROW_NUMBER()) => Rank."""
    found = match_rank_at(node)
    if found is None:
        return node
    m, outer = found
    over = m.over
    keep = reads(outer, m.rank_col)
    ranked = Rank(
        input=over.input,
        partition=over.partition,
        order=over.order,
        fn=m.fn,
        lower=m.lower,
        upper=m.upper,
        rank_name=m.filter.schema.names[m.rank_col] if keep else None,
        span=m.filter.span,
    )
    width = len(over.input.schema)
    rank_out = retype(ref(ranked, width), over.calls[0].type) if keep else None
    return rebuild_above_rank(m, ranked, rank_out, outer)
