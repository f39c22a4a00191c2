"""prune_columns: read only the columns a projection or aggregate needs, down to the scan.

    Project: exprs=[auction, price]                 Project: exprs=[auction, price]
      Filter: predicate=price > 10             =>     Filter: predicate=price > 10
        AssignWatermark: rowtime=ts, ...                AssignWatermark: rowtime=ts, ...
          TableScan: fields=[auction, bidder,             TableScan: fields=[auction, price, ts]
                             price, channel, ts]

A Project or an Aggregate narrows its input to what it reads; the narrowing goes down through
Filter, Project (unread expressions are dropped), AssignWatermark (keeping the rowtime and what
the watermark expression reads), WindowTVF (keeping the time column and session partition),
Join (both sides, keeping what the condition reads), Over (keeping its partition, order and
call arguments), Sort (keeping its keys), UNION ALL (every branch alike) and Aggregate (unread aggregates dropped, at
least one kept for a global aggregate), to the TableScan, whose fields, metadata keys and primary
key shrink with it, when its format finds columns by name (JSON family, Parquet, ORC; not CSV,
which is positional, nor a Kafka table with a message key). An updating scan keeps its primary
key. Other nodes read all their input.
The node that starts the narrowing keeps its own output, so no root's schema changes.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from ...plan.expr import AggCall, remap_refs
from ...plan.nodes import (
    Aggregate,
    AssignWatermark,
    Filter,
    Join,
    JoinKind,
    Over,
    Plan,
    Project,
    SetOp,
    SetOpKind,
    Sort,
    TableScan,
    WindowTVF,
)
from ..driver import RuleContext, rule
from ._patterns import insert_only, project, ref

Mapping = dict[int, int]


@lru_cache(maxsize=64)
def _identity(width: int) -> Mapping:
    """The mapping of a plan that keeps all its `width` columns. Most narrowings keep
    everything, so this is shared per width rather than built on every call; no caller mutates
    a mapping it is handed (they combine them into new dicts)."""
    return {i: i for i in range(width)}


@rule(Aggregate, Project, order="top_down", phase="logical")
def prune_columns(node: Plan, ctx: RuleContext) -> Plan:
    """Narrows the input of a Project or Aggregate to the columns it reads."""
    if isinstance(node, Project):
        needed = frozenset(i for e in node.exprs for i in e.column_refs)
        child, m = _narrow(node.input, needed)
        if child is node.input:
            return node
        return node.replace(input=child, exprs=tuple(remap_refs(e, m) for e in node.exprs))
    if isinstance(node, Aggregate):
        child, m = _narrow(node.input, _agg_reads(node))
        if child is node.input:
            return node
        return node.replace(input=child, group=_remap(node.group, m), aggs=_remap_aggs(node, m))
    return node


def _narrow(plan: Plan, needed: frozenset[int]) -> tuple[Plan, Mapping]:
    """A plan with at least the `needed` columns of `plan` (same rows), and old -> new ordinals
    for the columns it kept. Returns `plan` itself when nothing can go."""
    width = len(plan.schema)
    same = (plan, _identity(width))
    if len(needed) >= width:
        # Everything is read: nothing goes here, and each Project/Aggregate below narrows its
        # own input when the walk reaches it (stopping here keeps the rule linear).
        return same
    match plan:
        case TableScan():
            if not _reads_by_name(plan):
                return same
            keep = set(needed)
            if not insert_only(plan) and plan.primary_key:
                keep |= set(plan.primary_key)
            cols = sorted(keep) or [0]
            if len(cols) == width:
                return same
            m = {old: new for new, old in enumerate(cols)}
            pk = plan.primary_key
            return plan.replace(
                fields=tuple(plan.fields[i] for i in cols),
                metadata_keys=tuple(plan.metadata_keys[i] for i in cols)
                if plan.metadata_keys
                else (),
                primary_key=_remap(pk, m) if pk and all(k in m for k in pk) else None,
            ), m
        case AssignWatermark():
            reads = needed | {plan.rowtime} | plan.watermark.column_refs
            child, m = _narrow(plan.input, reads)
            if child is plan.input:
                return same
            wm = remap_refs(plan.watermark, m)
            return plan.replace(input=child, rowtime=m[plan.rowtime], watermark=wm), m
        case Filter():
            child, m = _narrow(plan.input, needed | plan.predicate.column_refs)
            if child is plan.input:
                return same
            return plan.replace(input=child, predicate=remap_refs(plan.predicate, m)), m
        case Project():
            cols = sorted(needed) or [0]
            exprs = tuple(plan.exprs[i] for i in cols)
            child, m = _narrow(plan.input, frozenset(i for e in exprs for i in e.column_refs))
            if child is plan.input and len(cols) == width:
                return same
            names = tuple(plan.names[i] for i in cols)
            new_exprs = tuple(remap_refs(e, m) for e in exprs)
            out = plan.replace(input=child, exprs=new_exprs, names=names)
            return out, {old: new for new, old in enumerate(cols)}
        case WindowTVF():
            w = plan.window
            n_in = len(plan.input.schema)
            tvf_reads = frozenset({i for i in needed if i < n_in} | {w.time_col, *w.partition})
            child, m = _narrow(plan.input, tvf_reads)
            if child is plan.input:
                return same
            spec = replace(w, time_col=m[w.time_col], partition=_remap(w.partition, m))
            n_new = len(child.schema)
            out_map = dict(m) | {n_in + k: n_new + k for k in range(3)}
            return plan.replace(input=child, window=spec), out_map
        case Over():
            return _narrow_over(plan, needed)
        case Sort():
            child, m = _narrow(plan.input, needed | {k.index for k in plan.keys})
            if child is plan.input:
                return same
            keys = tuple(replace(k, index=m[k.index]) for k in plan.keys)
            return plan.replace(input=child, keys=keys), m
        case SetOp(kind=SetOpKind.UNION, all=True):
            return _narrow_union(plan, needed)
        case Join():
            return _narrow_join(plan, needed)
        case Aggregate():
            return _narrow_aggregate(plan, needed)
    return same


def _narrow_over(plan: Over, needed: frozenset[int]) -> tuple[Plan, Mapping]:
    """Keeps every OVER call (an Over without calls is no Over) and what they read."""
    n_in = len(plan.input.schema)
    reads = {i for i in needed if i < n_in} | set(plan.partition) | {k.index for k in plan.order}
    for c in plan.calls:
        reads.update(c.args)
        if c.filter is not None:
            reads.add(c.filter)
    child, m = _narrow(plan.input, frozenset(reads))
    if child is plan.input:
        return plan, _identity(len(plan.schema))
    out = plan.replace(
        input=child,
        partition=_remap(plan.partition, m),
        order=tuple(replace(k, index=m[k.index]) for k in plan.order),
        calls=_remap_calls(plan.calls, m),
    )
    n_new = len(child.schema)
    return out, dict(m) | {n_in + k: n_new + k for k in range(len(plan.calls))}


def _narrow_union(plan: SetOp, needed: frozenset[int]) -> tuple[Plan, Mapping]:
    """Each UNION ALL branch keeps exactly the `needed` columns, in order (a projection on top
    when a branch keeps more). UNION (distinct) compares whole rows and reads every column."""
    cols = sorted(needed) or [0]
    branches = []
    for b in plan.inputs:
        child, m = _narrow(b, frozenset(cols))
        exprs = tuple(ref(child, m[i]) for i in cols)
        branches.append(project(child, exprs, tuple(b.schema.names[i] for i in cols)))
    return plan.replace(inputs=tuple(branches)), {old: new for new, old in enumerate(cols)}


def _narrow_join(plan: Join, needed: frozenset[int]) -> tuple[Plan, Mapping]:
    nl = len(plan.left.schema)
    reads = needed | plan.condition.column_refs
    left, lm = _narrow(plan.left, frozenset(i for i in reads if i < nl))
    right, rm = _narrow(plan.right, frozenset(i - nl for i in reads if i >= nl))
    if left is plan.left and right is plan.right:
        return plan, _identity(len(plan.schema))
    new_nl = len(left.schema)
    m = dict(lm) | {nl + old: new_nl + new for old, new in rm.items()}
    out = plan.replace(left=left, right=right, condition=remap_refs(plan.condition, m))
    if plan.kind in (JoinKind.SEMI, JoinKind.ANTI):
        return out, lm
    return out, m


def _narrow_aggregate(plan: Aggregate, needed: frozenset[int]) -> tuple[Plan, Mapping]:
    ng = len(plan.group)
    kept = [j for j in range(len(plan.aggs)) if ng + j in needed]
    if not kept and not plan.group:
        kept = [0]
    aggs = tuple(plan.aggs[j] for j in kept)
    trimmed = plan.replace(aggs=aggs)
    assert isinstance(trimmed, Aggregate)
    child, m = _narrow(plan.input, _agg_reads(trimmed))
    if child is plan.input and len(kept) == len(plan.aggs):
        return plan, _identity(len(plan.schema))
    out = trimmed.replace(input=child, group=_remap(plan.group, m), aggs=_remap_aggs(trimmed, m))
    out_map = _identity(ng) | {ng + j: ng + k for k, j in enumerate(kept)}
    return out, out_map


# Formats whose readers find a column by its name, so a scan may ask for fewer columns. CSV
# (and Hive text) is positional: its reader needs every declared column, in order.
_BY_NAME = frozenset(
    {"json", "debezium-json", "canal-json", "maxwell-json", "ogg-json", "parquet", "orc"}
)


def _reads_by_name(scan: TableScan) -> bool:
    if scan.option("key.format") is not None or scan.option("key.fields") is not None:
        return False  # key columns come from the message key: left alone
    return (scan.option("format") or scan.option("value.format") or "") in _BY_NAME


def _agg_reads(agg: Aggregate) -> frozenset[int]:
    reads = set(agg.group)
    for a in agg.aggs:
        reads.update(a.args)
        if a.filter is not None:
            reads.add(a.filter)
    return frozenset(reads)


def _remap(cols: tuple[int, ...], m: Mapping) -> tuple[int, ...]:
    return tuple(m[i] for i in cols)


def _remap_aggs(agg: Aggregate, m: Mapping) -> tuple[AggCall, ...]:
    return _remap_calls(agg.aggs, m)


def _remap_calls(calls: tuple[AggCall, ...], m: Mapping) -> tuple[AggCall, ...]:
    return tuple(
        replace(a, args=_remap(a.args, m), filter=None if a.filter is None else m[a.filter])
        for a in calls
    )
