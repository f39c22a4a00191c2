"""interval_join: a join bounded on both sides' event times is Flink's interval join.

    Join: kind=INNER, condition=(auction = id)             IntervalJoin: kind=INNER,
      AND (ts >= (ts - INTERVAL '1' HOUR))           =>      condition=auction = id,
      AND (ts <= (ts + INTERVAL '1' HOUR))                   bounds=ts - ts BETWEEN
      Scan (bids, rowtime ts)                                  -INTERVAL '1' HOUR AND
      Scan (auctions, rowtime ts)                              INTERVAL '1' HOUR

Conjuncts `l.t [± INTERVAL] op r.t [± INTERVAL]` (op one of < <= > >= =, either side first) on
a left and a right ROWTIME column give bounds on `l.t - r.t` in milliseconds; strict bounds
tighten by 1 ms. A lower and an upper bound on the same pair of columns are needed:
`b.dateTime BETWEEN a.dateTime AND a.expires` (Nexmark q4/q9) bounds only one side, since
`expires` is no time attribute, and stays a regular Join. Equi-conditions are optional; the
other conjuncts become the interval join's condition. Both inputs must be insert-only.
"""

from __future__ import annotations

import datetime as dt

from nrtg.catalog.schema import TimeAttr

from ...plan.expr import Call, ColumnRef, Expr, Literal, and_, conjuncts
from ...plan.nodes import IntervalJoin, Join, JoinKind, Plan
from ..driver import RuleContext, rule
from ._patterns import FLIP, insert_only

_KINDS = frozenset({JoinKind.INNER, JoinKind.LEFT, JoinKind.RIGHT, JoinKind.FULL})
# (left time column, right time column) -> [lower, upper] of `l.t - r.t` in ms.
Bounds = dict[tuple[int, int], list[int | None]]


@rule(Join, order="bottom_up", phase="streaming")
def interval_join(node: Plan, ctx: RuleContext) -> Plan:
    """Join with `l.t BETWEEN r.t - a AND r.t + b` on rowtimes => IntervalJoin."""
    if not isinstance(node, Join) or node.kind not in _KINDS:
        return node
    if not (insert_only(node.left) and insert_only(node.right)):
        return node
    nl = len(node.left.schema)
    times = {
        i
        for i, f in enumerate(node.left.schema.fields + node.right.schema.fields)
        if f.time_attr is TimeAttr.ROWTIME
    }
    terms = conjuncts(node.condition)
    found: list[tuple[tuple[int, int], str, int] | None] = [_bound(e, times, nl) for e in terms]
    bounds: Bounds = {}
    for b in found:
        if b is not None:
            pair, op, value = b
            lo_hi = bounds.setdefault(pair, [None, None])
            if op in ("GREATER_THAN_OR_EQUAL", "GREATER_THAN", "EQUALS"):
                low = value + (op == "GREATER_THAN")
                lo_hi[0] = low if lo_hi[0] is None else max(lo_hi[0], low)
            if op in ("LESS_THAN_OR_EQUAL", "LESS_THAN", "EQUALS"):
                high = value - (op == "LESS_THAN")
                lo_hi[1] = high if lo_hi[1] is None else min(lo_hi[1], high)
    pairs = [p for p, (lo, hi) in bounds.items() if lo is not None and hi is not None]
    if not pairs:
        return node
    pair = pairs[0]
    lower, upper = bounds[pair]
    assert lower is not None and upper is not None
    rest = [e for e, b in zip(terms, found, strict=True) if b is None or b[0] != pair]
    return IntervalJoin(
        left=node.left,
        right=node.right,
        kind=node.kind,
        condition=and_(*rest),
        left_time=pair[0],
        right_time=pair[1] - nl,
        lower_ms=lower,
        upper_ms=upper,
        span=node.span,
    )


def _bound(e: Expr, times: set[int], nl: int) -> tuple[tuple[int, int], str, int] | None:
    """`((left time, right time), op, c)` for a conjunct meaning `l.t - r.t op c`."""
    if not (isinstance(e, Call) and e.name in FLIP and len(e.args) == 2):
        return None
    a, b = _time_term(e.args[0], times), _time_term(e.args[1], times)
    if a is None or b is None:
        return None
    (ca, oa), (cb, ob) = a, b
    if ca < nl <= cb:  # l + oa op r + ob  <=>  l - r op ob - oa
        return (ca, cb), e.name, ob - oa
    if cb < nl <= ca:  # r + oa op l + ob  <=>  l - r flip(op) oa - ob
        return (cb, ca), FLIP[e.name], oa - ob
    return None


def _time_term(e: Expr, times: set[int]) -> tuple[int, int] | None:
    """(column, offset ms) for `t`, `t + INTERVAL`, `t - INTERVAL` on a rowtime column."""
    if isinstance(e, ColumnRef):
        return (e.index, 0) if e.index in times else None
    if isinstance(e, Call) and e.name in ("PLUS", "MINUS") and len(e.args) == 2:
        base, delta = e.args
        if not (isinstance(delta, Literal) and isinstance(delta.value, dt.timedelta)):
            return None
        inner = _time_term(base, times)
        if inner is None:
            return None
        ms = delta.value // dt.timedelta(milliseconds=1)
        return inner[0], inner[1] + (ms if e.name == "PLUS" else -ms)
    return None
