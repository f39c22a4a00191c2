"""Stable plan text (STYLE.md §4): one node per line, two spaces per level, `Name: k=v, ...`,
changelog modes always shown; shared subplans print once as `@N` and later as `ref @N`."""

from __future__ import annotations

from collections.abc import Callable

from . import nodes as n
from . import traits
from .sql_text import _ident, agg, interval_text, sql


def _ms(ms: int | None) -> str:
    import datetime as dt

    return "" if ms is None else interval_text(dt.timedelta(milliseconds=ms))


def _names(p: n.Plan) -> tuple[str, ...]:
    return p.schema.names


def _join_names(p: n.Plan) -> tuple[str, ...]:
    """Left names, then right names; a right name that repeats a left one gets a numeric suffix
    (Calcite's `user_id0`), so conditions like `user_id = user_id0` stay readable."""
    kids = p.children
    left = _names(kids[0])
    taken = set(left)
    right = []
    for name in _names(kids[1]):
        unique, k = name, 0
        while unique in taken:
            unique, k = f"{name}{k}", k + 1
        taken.add(unique)
        right.append(unique)
    return left + tuple(right)


def _cols(indices: tuple[int, ...], names: tuple[str, ...]) -> str:
    return "[" + ", ".join(_ident(names[i]) for i in indices) + "]"


def _sort(keys: tuple[n.SortKey, ...], names: tuple[str, ...]) -> str:
    parts = []
    for k in keys:
        text = _ident(names[k.index]) + (" DESC" if k.descending else " ASC")
        if k.nulls_first is not None:
            text += " NULLS FIRST" if k.nulls_first else " NULLS LAST"
        parts.append(text)
    return "[" + ", ".join(parts) + "]"


def window_text(w: n.WindowSpec, names: tuple[str, ...]) -> str:
    args = [f"DESCRIPTOR({_ident(names[w.time_col])})"]
    if w.kind is n.WindowKind.HOP:
        args += [_ms(w.slide_ms), _ms(w.size_ms)]
    elif w.kind is n.WindowKind.CUMULATE:
        args += [_ms(w.step_ms), _ms(w.size_ms)]
    elif w.kind is n.WindowKind.SESSION:
        args += [_ms(w.gap_ms)]
    else:
        args += [_ms(w.size_ms)]
    if w.offset_ms:
        args.append(_ms(w.offset_ms))
    part = f" PARTITION BY {_cols(w.partition, names)}" if w.partition else ""
    return f"{w.kind.value}({', '.join(args)}){part}"


def _details(p: n.Plan) -> list[str]:
    match p:
        case n.TableScan():
            out = [f"table={p.table}", f"fields={list(p.schema.names)}".replace("'", "")]
            if p.primary_key:
                out.append(f"pk={_cols(p.primary_key, _names(p))}")
            return out
        case n.Values():
            return [f"rows={len(p.rows)}", f"fields={list(p.schema.names)}".replace("'", "")]
        case n.Project():
            names = _names(p.input)
            return [
                "exprs=["
                + ", ".join(
                    sql(e, names)
                    if sql(e, names) == _ident(a)
                    else f"{sql(e, names)} AS {_ident(a)}"
                    for e, a in zip(p.exprs, p.names, strict=True)
                )
                + "]"
            ]
        case n.Filter():
            return [f"predicate={sql(p.predicate, _names(p.input))}"]
        case n.AssignWatermark():
            names = _names(p.input)
            return [f"rowtime={_ident(names[p.rowtime])}", f"watermark={sql(p.watermark, names)}"]
        case n.Aggregate():
            names = _names(p.input)
            return [
                f"group={_cols(p.group, names)}",
                "aggs=[" + ", ".join(agg(a, names) for a in p.aggs) + "]",
            ]
        case n.WindowTVF():
            return [f"window={window_text(p.window, _names(p.input))}"]
        case n.WindowAggregate():
            names = _names(p.input)
            return [
                f"window={window_text(p.window, names)}",
                f"group={_cols(p.group, names)}",
                "aggs=[" + ", ".join(agg(a, names) for a in p.aggs) + "]",
                f"properties=[{', '.join(p.properties)}]",
            ]
        case n.Join() | n.LookupJoin():
            return [f"kind={p.kind.value}", f"condition={sql(p.condition, _join_names(p))}"]
        case n.IntervalJoin():
            names = _join_names(p)
            lt, rt = names[p.left_time], names[len(_names(p.left)) + p.right_time]
            return [
                f"kind={p.kind.value}",
                f"condition={sql(p.condition, names)}",
                f"bounds={_ident(lt)} - {_ident(rt)} BETWEEN "
                f"{_ms_signed(p.lower_ms)} AND {_ms_signed(p.upper_ms)}",
            ]
        case n.TemporalJoin():
            names = _join_names(p)
            return [
                f"kind={p.kind.value}",
                f"condition={sql(p.condition, names)}",
                f"time={_ident(names[p.left_time])}",
                f"version_key={_cols(p.right_key, _names(p.right))}",
            ]
        case n.WindowJoin():
            return [f"kind={p.kind.value}", f"condition={sql(p.condition, _join_names(p))}"]
        case n.Unnest():
            out = [f"expr={sql(p.expr, _names(p.input))}", f"as={list(p.names)}".replace("'", "")]
            return [*out, "ordinality=true"] if p.ordinality else out
        case n.SetOp():
            return [f"kind={p.kind.value}{' ALL' if p.all else ''}"]
        case n.Sort():
            out = [f"keys={_sort(p.keys, _names(p.input))}"]
            if p.limit is not None:
                out.append(f"limit={p.limit}")
            if p.offset:
                out.append(f"offset={p.offset}")
            return out
        case n.Over():
            names = _names(p.input)
            lower = "UNBOUNDED" if p.frame.lower is None else str(p.frame.lower)
            return [
                f"partition={_cols(p.partition, names)}",
                f"order={_sort(p.order, names)}",
                f"frame={p.frame.mode} {lower} PRECEDING",
                "calls=[" + ", ".join(agg(c, names) for c in p.calls) + "]",
            ]
        case n.Rank() | n.WindowRank():
            names = _names(p.input)
            out = [
                f"fn={p.fn.value}",
                f"partition={_cols(p.partition, names)}",
                f"order={_sort(p.order, names)}",
                f"range=[{p.lower}, {p.upper}]",
            ]
            if p.rank_name:
                out.append(f"rank={_ident(p.rank_name)}")
            return out
        case n.Deduplicate() | n.WindowDeduplicate():
            names = _names(p.input)
            return [
                f"keys={_cols(p.keys, names)}",
                f"order={_ident(names[p.time_col])}",
                f"keep={'last' if p.keep_last else 'first'}",
            ]
        case n.Sink():
            out = [f"table={p.table}"]
            if p.overwrite:
                out.append("overwrite=true")
            if p.partition_keys:
                out.append(f"partitioned_by={_cols(p.partition_keys, p.schema.names)}")
            return out
    return []


def _ms_signed(ms: int) -> str:
    return f"-{_ms(-ms)}" if ms < 0 else _ms(ms)


def explain(
    plan: n.Plan | tuple[n.Plan, ...],
    *,
    schema: bool = False,
    changelog: bool = True,
    annotate: Callable[[n.Plan], str] | None = None,
) -> str:
    roots = plan if isinstance(plan, tuple) else (plan,)
    counts: dict[int, int] = {}
    _count(roots, counts)
    labels: dict[int, str] = {}
    lines: list[str] = []

    def emit(p: n.Plan, depth: int) -> None:
        indent = "  " * depth
        key = id(p)
        if key in labels:
            lines.append(f"{indent}ref {labels[key]}")
            return
        prefix = ""
        if counts[key] > 1:
            labels[key] = f"@{len(labels) + 1}"
            prefix = labels[key] + " "
        parts = _details(p)
        if changelog:
            parts.append(f"changelog={traits.render(p.changelog)}")
        if annotate is not None:
            extra = annotate(p)
            if extra:
                parts.append(extra)
        text = f"{indent}{prefix}{type(p).__name__}: {', '.join(parts)}"
        if schema:
            text += " " + str(p.schema)
        lines.append(text)
        for c in p.children:
            emit(c, depth + 1)

    for r in roots:
        emit(r, 0)
    return "\n".join(lines) + "\n"


def _count(roots: tuple[n.Plan, ...], counts: dict[int, int]) -> None:
    stack = list(roots)
    while stack:
        p = stack.pop()
        k = id(p)
        counts[k] = counts.get(k, 0) + 1
        if counts[k] == 1:
            stack.extend(p.children)
