"""window_aggregate: GROUP BY window_start, window_end over a window TVF is a window aggregate.

    Aggregate: group=[auction, window_start, window_end], aggs=[COUNT(*) AS n]
      Project: exprs=[auction, window_start, window_end]
        WindowTVF: window=TUMBLE(DESCRIPTOR(ts), INTERVAL '10' SECOND)
          Scan
  =>
    Project: exprs=[auction, window_start, window_end, n]
      WindowAggregate: window=TUMBLE(...), group=[auction], aggs=[COUNT(*) AS n],
                       properties=[window_start, window_end]
        Project: exprs=[auction, ts]
          Scan

The Filters and Projects between the Aggregate and the TVF are re-based onto the TVF's input:
they may pass window_start/end/time through (those become window properties) but must not
compute with them; the time column (and a session's partition columns) are carried through.
Grouping by only one of window_start/window_end is a regular aggregation in Flink and stays an
Aggregate; so does a TVF over an updating input (Flink's window aggregate is insert-only).
"""

from __future__ import annotations

from dataclasses import replace

from ...plan.expr import AggCall, ColumnRef, Expr, remap_refs, substitute
from ...plan.nodes import (
    WINDOW_PROPERTIES,
    Aggregate,
    Filter,
    Plan,
    Project,
    WindowAggregate,
    WindowSpec,
    WindowTVF,
)
from ..driver import RuleContext, rule
from ._patterns import compose, insert_only, project, ref

# Column of a rebased plan: an ordinal of the new plan, or a window property's name.
Col = int | str


@rule(Aggregate, order="top_down", phase="streaming")
def window_aggregate(node: Plan, ctx: RuleContext) -> Plan:
    """Aggregate(group ⊇ {window_start, window_end}) over a window TVF => WindowAggregate; a
    Project right above the Aggregate absorbs the reordering projection."""
    if isinstance(node, Project) and isinstance(node.input, Aggregate):
        done = _convert(node.input)
        if done is None:
            return node
        assert isinstance(done, Project) and isinstance(done.input, WindowAggregate)
        exprs = tuple(substitute(e, done.exprs) for e in node.exprs)
        agg, exprs = _drop_unread_window_time(done.input, exprs)
        return project(agg, exprs, node.names)
    if isinstance(node, Aggregate):
        return _convert(node) or node
    return node


def _convert(node: Aggregate) -> Plan | None:
    based = _rebase(node.input)
    if based is None:
        return None
    child, cols, time_col, partition, window = based
    group = [cols[g] for g in node.group]
    props = [p for p in WINDOW_PROPERTIES if p in group]
    if (
        "window_start" not in props
        or "window_end" not in props
        or len(props) != sum(isinstance(g, str) for g in group)
    ):
        return None
    keys = tuple(g for g in group if isinstance(g, int))
    aggs: list[AggCall] = []
    for a in node.aggs:
        args = [cols[i] for i in a.args]
        filt = None if a.filter is None else cols[a.filter]
        if any(isinstance(x, str) for x in (*args, filt)):
            return None  # an aggregate over a window property: leave it to Flink's general path
        aggs.append(replace(a, args=tuple(args), filter=filt))  # type: ignore[arg-type]
    spec = replace(window, time_col=time_col, partition=partition)
    agg = WindowAggregate(
        input=child,
        window=spec,
        group=keys,
        aggs=tuple(aggs),
        properties=tuple(props),
        span=node.span,
    )
    # Output positions of the WindowAggregate, in the Aggregate's column order.
    base = len(keys) + len(aggs)
    order: list[int] = []
    k = 0
    for g in group:
        if isinstance(g, str):
            order.append(base + props.index(g))
        else:
            order.append(k)
            k += 1
    order += [len(keys) + j for j in range(len(aggs))]
    exprs = tuple(ref(agg, i) for i in order)
    return Project(input=agg, exprs=exprs, names=node.schema.names, span=node.span)


def _drop_unread_window_time(
    agg: WindowAggregate, exprs: tuple[Expr, ...]
) -> tuple[WindowAggregate, tuple[Expr, ...]]:
    """window_time is computed only when something above reads it (legacy windows group by it
    whether or not the query selects TUMBLE_ROWTIME)."""
    base = len(agg.group) + len(agg.aggs)
    if "window_time" not in agg.properties:
        return agg, exprs
    k = agg.properties.index("window_time")
    if any(base + k in e.column_refs for e in exprs):
        return agg, exprs
    props = tuple(p for p in agg.properties if p != "window_time")
    trimmed = agg.replace(properties=props)
    assert isinstance(trimmed, WindowAggregate)
    m = {i: i if i < base + k else i - 1 for i in range(len(agg.schema)) if i != base + k}
    return trimmed, tuple(remap_refs(e, m) for e in exprs)


Rebased = tuple[Plan, dict[int, Col], int, tuple[int, ...], WindowSpec]


def _rebase(plan: Plan) -> Rebased | None:
    """`plan` without its window TVF: (new plan, old column -> new column or property, time
    column, session partition columns, window spec), or None when it cannot be done."""
    if isinstance(plan, WindowTVF):
        if not insert_only(plan.input):
            return None
        width = len(plan.input.schema)
        cols: dict[int, Col] = {i: i for i in range(width)}
        cols |= {width + k: p for k, p in enumerate(WINDOW_PROPERTIES)}
        w = plan.window
        return plan.input, cols, w.time_col, w.partition, w
    if isinstance(plan, Filter):
        below = _rebase(plan.input)
        if below is None:
            return None
        child, cols, time_col, partition, w = below
        pred = _remap(plan.predicate, cols)
        if pred is None:
            return None
        return plan.replace(input=child, predicate=pred), cols, time_col, partition, w
    if isinstance(plan, Project):
        below = _rebase(plan.input)
        if below is None:
            return None
        child, cols, time_col, partition, w = below
        exprs: list[Expr] = []
        names: list[str] = []
        out: dict[int, Col] = {}
        for i, (e, name) in enumerate(zip(plan.exprs, plan.names, strict=True)):
            if isinstance(e, ColumnRef) and isinstance(cols[e.index], str):
                out[i] = cols[e.index]
                continue
            new = _remap(e, cols)
            if new is None:
                return None
            out[i] = len(exprs)
            exprs.append(new)
            names.append(name)
        carried: list[int] = []
        for c in (time_col, *partition):
            found = [j for j, e in enumerate(exprs) if isinstance(e, ColumnRef) and e.index == c]
            if not found:
                found = [len(exprs)]
                exprs.append(ref(child, c))
                names.append(_fresh(child.schema.names[c], names))
            carried.append(found[0])
        new_plan = compose(child, tuple(exprs), tuple(names))
        return new_plan, out, carried[0], tuple(carried[1:]), w
    return None


def _remap(e: Expr, cols: dict[int, Col]) -> Expr | None:
    if any(isinstance(cols[i], str) for i in e.column_refs):
        return None
    return remap_refs(e, cols)


def _fresh(name: str, taken: list[str]) -> str:
    out = name
    while out in taken:
        out = f"{out}$"
    return out
