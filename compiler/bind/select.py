"""One SELECT block: FROM/WHERE, GROUP BY and aggregates (incl. legacy group windows), HAVING,
OVER windows, the projection, DISTINCT, ORDER BY and LIMIT."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlglot import exp

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field

from ..errors import BindError, TypeCheckError, UnsupportedError
from ..plan import nodes as n
from ..plan.expr import AggCall, Call, ColumnRef, Expr, Literal
from . import functions, grouping_sets, subqueries
from .contents import AGG, WINDOW, Contents
from .expressions import ExprBinder, interval_literal, span, sql_name
from .query import Bound, output_name
from .scope import Scope

if TYPE_CHECKING:
    from .query import QueryBinder

LEGACY_WINDOWS = {
    "TUMBLE": n.WindowKind.TUMBLE,
    "HOP": n.WindowKind.HOP,
    "SESSION": n.WindowKind.SESSION,
}
LEGACY_PROPERTIES = {"START": "window_start", "END": "window_end", "ROWTIME": "window_time"}


def _name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).upper()
    return sql_name(type(node)) if isinstance(node, exp.Func) else ""


@dataclass
class Grouping:
    """Post-aggregation binding: aggregates and group expressions become column refs."""

    pre: ExprBinder
    group_exprs: list[Expr]
    contents: Contents
    agg_refs: dict[int, ColumnRef] = field(default_factory=dict)
    legacy: dict[str, int] = field(default_factory=dict)  # window property -> output ordinal
    sets: grouping_sets.GroupingSets | None = None

    def hook(self, node: exp.Expression) -> Expr | None:
        if id(node) in self.agg_refs:
            return self.agg_refs[id(node)]
        name = _name(node)
        if self.sets is not None and name in grouping_sets.FUNCTIONS:
            return self.sets.grouping(node, self.pre.bind)
        if "_" in name and self.legacy:
            base, _, prop = name.rpartition("_")
            if base in LEGACY_WINDOWS and prop in LEGACY_PROPERTIES:
                return _ref(self.legacy[LEGACY_PROPERTIES[prop]], self, name)
        if self.contents.of(node) & (AGG | WINDOW):
            return None
        if isinstance(node, exp.Literal | exp.Boolean | exp.Null | exp.Interval):
            return None
        bound = self.pre.bind(node)
        for i, g in enumerate(self.group_exprs):
            if g == bound:
                typ = self.sets.key_types[i] if self.sets is not None else g.type
                return ColumnRef(index=i, name=_group_name(g, i), type=typ, span=bound.span)
        if not bound.column_refs:
            return bound
        if isinstance(node, exp.Column | exp.Dot):
            raise BindError(
                f"expression '{node.sql()}' is not being grouped",
                span(node),
                hint="add it to GROUP BY or wrap it in an aggregate function such as MAX(...)",
            )
        return None


def _ref(index: int, g: Grouping, name: str) -> ColumnRef:
    e = g.group_exprs[index]
    return ColumnRef(index=index, name=name.lower(), type=e.type)


def _group_name(e: Expr, i: int) -> str:
    return e.name if isinstance(e, ColumnRef) else f"$f{i}"


def bind_select(qb: QueryBinder, sel: exp.Select) -> Bound:
    contents = Contents()
    scalar_sel, src = subqueries.bind_scalars(qb, sel, qb.bind_from(sel), contents)
    if scalar_sel is not sel:  # a copy with the subqueries replaced
        sel, contents = scalar_sel, Contents()
    plan, scope = src.plan, src.scope
    where = sel.args.get("where")
    if where is not None:
        if contents.of(where.this) & AGG:
            raise BindError(
                "aggregate functions are not allowed in WHERE", span(where), hint="use HAVING"
            )
        plan = subqueries.bind_where(qb, plan, scope, where)

    items = _expand_star(sel.expressions, scope)
    group = sel.args.get("group")
    having = sel.args.get("having")
    aggs = [a for item in items for a in contents.aggs(item)]
    if having is not None:
        aggs += contents.aggs(having.this)
    order = sel.args.get("order")
    if order is not None:
        aggs += [a for o in order.expressions for a in contents.aggs(o)]

    hook = None
    if group is not None or aggs:
        plan, scope, grouping = _aggregate(qb, plan, scope, group, aggs, contents)
        hook = grouping.hook
        if having is not None:
            pred = qb.expr_binder(scope, hook).bind_predicate(having.this, "HAVING")
            plan = n.Filter(input=plan, predicate=pred, span=span(having))
    elif having is not None:
        raise BindError("HAVING needs GROUP BY or an aggregate", span(having))

    windows = [w for item in items for w in contents.windows(item)]
    if windows:
        named = {str(d.this.name).lower(): d for d in sel.args.get("windows") or []}
        plan, scope, hook = _over(qb, plan, scope, hook, windows, named)

    binder = qb.expr_binder(scope, hook)
    exprs = tuple(binder.bind(item.this if isinstance(item, exp.Alias) else item) for item in items)
    names = _dedupe(
        [output_name(item, e, i) for i, (item, e) in enumerate(zip(items, exprs, strict=True))]
    )
    proj_names = tuple(names)
    extra_order: list[Expr] = []
    sort_keys: list[n.SortKey] = []
    if order is not None:
        for o in order.expressions:
            target = o.this
            idx = _order_target(target, names, exprs, binder)
            if idx is None:
                extra_order.append(binder.bind(target))
                idx = len(exprs) + len(extra_order) - 1
            desc = bool(o.args.get("desc"))
            nf = o.args.get("nulls_first")
            explicit = _explicit_nulls(o)
            sort_keys.append(n.SortKey(idx, desc, bool(nf) if explicit else None))
    all_exprs = exprs + tuple(extra_order)
    all_names = proj_names + tuple(f"$order{i}" for i in range(len(extra_order)))
    plan = n.Project(input=plan, exprs=all_exprs, names=all_names, span=span(sel))
    if sel.args.get("distinct") is not None:
        if extra_order:
            raise BindError("ORDER BY expressions must appear in SELECT DISTINCT", span(order))
        plan = n.Aggregate(input=plan, group=tuple(range(len(all_exprs))), aggs=())
    limit, offset = _limit(sel)
    if sort_keys or limit is not None:
        plan = n.Sort(
            input=plan,
            keys=tuple(sort_keys),
            limit=limit,
            offset=offset or 0,
            span=span(order or sel),
        )
    if extra_order:
        refs = tuple(
            ColumnRef(index=i, name=nm, type=f.type)
            for i, (nm, f) in enumerate(zip(proj_names, plan.schema.fields, strict=False))
        )
        plan = n.Project(input=plan, exprs=refs, names=proj_names)
    return Bound(plan, Scope.of(plan.schema.fields, None))


def _explicit_nulls(o: exp.Ordered) -> bool:
    """Whether sqlglot's default generator prints NULLS FIRST/LAST in the sort key's text.
    It prints one for this key exactly when `nulls_first` equals `desc` (its default dialect
    sorts NULLs as small). A plain column key without comments cannot add either phrase
    through its names, so the text is generated only for other keys."""
    if bool(o.args.get("nulls_first")) == bool(o.args.get("desc")):
        return True
    key = o.this
    if (
        type(key) is exp.Column
        and not o.comments
        and not key.comments
        and o.args.get("with_fill") is None
        and all(
            type(p) is exp.Identifier and not p.comments and "NULLS" not in p.name.upper()
            for p in key.parts
        )
    ):
        return False
    text = o.sql().upper()
    return "NULLS FIRST" in text or "NULLS LAST" in text


def _order_target(
    target: exp.Expression, names: list[str], exprs: tuple[Expr, ...], binder: ExprBinder
) -> int | None:
    if isinstance(target, exp.Column) and not target.table and target.name in names:
        return names.index(target.name)
    if isinstance(target, exp.Literal) and not target.is_string:
        pos = int(target.this)
        if 1 <= pos <= len(exprs):
            return pos - 1
        raise BindError(f"ORDER BY position {pos} is out of range", span(target))
    bound = binder.bind(target)
    for i, e in enumerate(exprs):
        if e == bound:
            return i
    return None


def _limit(sel: exp.Select) -> tuple[int | None, int | None]:
    def value(node: exp.Expression | None) -> int | None:
        if node is None:
            return None
        inner = node.expression if isinstance(node, exp.Limit | exp.Offset) else node
        if isinstance(node, exp.Fetch):
            inner = node.args.get("count")
        if not isinstance(inner, exp.Literal) or inner.is_string:
            raise TypeCheckError("LIMIT/OFFSET must be an integer literal", span(node))
        return int(inner.this)

    return value(sel.args.get("limit")), value(sel.args.get("offset"))


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for nm in names:
        if nm in seen:
            k = seen[nm]
            while f"{nm}{k}" in seen or f"{nm}{k}" in names:
                k += 1
            seen[nm] = k + 1
            nm = f"{nm}{k}"
        seen.setdefault(nm, 0)
        out.append(nm)
    return out


def _expand_star(items: list[exp.Expression], scope: Scope) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    for item in items:
        star_table = None
        if isinstance(item, exp.Star):
            star_table = ""
        elif isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
            star_table = item.table
        if star_table is None:
            out.append(item)
            continue
        cols = [
            c
            for c in scope.columns
            if not c.hidden and (not star_table or c.qualifier == star_table)
        ]
        if star_table and not cols:
            raise BindError(f"table or alias '{star_table}' not found", span(item))
        for c in cols:
            col = (
                exp.column(c.field.name, table=c.qualifier, quoted=True)
                if c.qualifier
                else exp.column(c.field.name, quoted=True)
            )
            col.meta.update(item.meta)
            out.append(col)
    return out


def _aggregate(
    qb: QueryBinder,
    plan: n.Plan,
    scope: Scope,
    group: exp.Group | None,
    aggs: list[exp.Expression],
    contents: Contents,
) -> tuple[n.Plan, Scope, Grouping]:
    pre = qb.expr_binder(scope)
    group_nodes = list(group.expressions) if group is not None else []
    if group is not None and grouping_sets.present(group_nodes):
        return _grouping_sets(pre, plan, group, aggs, contents)
    windows = [g for g in group_nodes if _is_legacy_window(g)]
    if len(windows) > 1:
        raise BindError("only one group window is allowed in GROUP BY", span(windows[1]))
    keys: dict[int, Expr] = {}
    for i, g in enumerate(group_nodes):
        if g in windows:
            continue
        if contents.of(g) & AGG:
            raise BindError("aggregate functions are not allowed in GROUP BY", span(g))
        # A numeric literal groups by the literal (Flink has no GROUP BY ordinals).
        keys[i] = pre.bind(g)
    legacy_props: dict[str, int] = {}
    group_exprs: list[Expr] = []
    for i, g in enumerate(group_nodes):
        if i in keys:
            group_exprs.append(keys[i])
            continue
        # Legacy group windows are per key: a SESSION is partitioned by the other group keys.
        partition = _session_partition(g, list(keys.values()))
        plan, spec_fields = _legacy_window(qb, plan, scope, g, partition)
        scope = Scope(scope.columns + Scope.of(spec_fields, None).columns[len(scope.columns) :])
        pre = qb.expr_binder(scope)
        base = len(plan.schema) - 3
        for k, prop in enumerate(("window_start", "window_end", "window_time")):
            legacy_props[prop] = len(group_exprs)
            f = plan.schema.fields[base + k]
            group_exprs.append(ColumnRef(index=base + k, name=f.name, type=f.type))
    pre_exprs: list[Expr] = list(group_exprs)
    calls, refs = _calls(pre, aggs, contents, pre_exprs, 0, len(group_exprs))
    names = tuple(
        _group_name(e, i) if i < len(group_exprs) else f"$e{i}" for i, e in enumerate(pre_exprs)
    )
    names = tuple(_dedupe(list(names)))
    proj = n.Project(input=plan, exprs=tuple(pre_exprs), names=names)
    agg = n.Aggregate(
        input=proj,
        group=tuple(range(len(group_exprs))),
        aggs=tuple(calls),
        span=span(group) if group is not None else None,
    )
    out_scope = Scope.of(agg.schema.fields, None)
    grouping = Grouping(
        pre=pre, group_exprs=group_exprs, contents=contents, agg_refs=refs, legacy=legacy_props
    )
    return agg, out_scope, grouping


def _calls(
    pre: ExprBinder,
    aggs: list[exp.Expression],
    contents: Contents,
    pre_exprs: list[Expr],
    first_arg: int,
    first_out: int,
) -> tuple[list[AggCall], dict[int, ColumnRef]]:
    """The aggregate calls, their arguments and FILTERs slotted into `pre_exprs` (sharing an
    equal expression from `first_arg` on), and each aggregate node's output column (from
    `first_out` on)."""

    def slot(e: Expr) -> int:
        for i in range(first_arg, len(pre_exprs)):
            if pre_exprs[i] == e:
                return i
        pre_exprs.append(e)
        return len(pre_exprs) - 1

    calls: list[AggCall] = []
    refs: dict[int, ColumnRef] = {}
    seen: dict[tuple[object, ...], int] = {}
    for node in aggs:
        filt = None
        inner = node
        if isinstance(node, exp.Filter):
            inner = node.this
            filt_expr = pre.bind_predicate(node.expression.this, "FILTER")
            filt = slot(filt_expr)
        name, args, distinct = _agg_parts(inner)
        for a in args:
            if contents.of(a) & AGG:
                raise BindError("aggregate calls cannot be nested", span(a))
        bound_args = [pre.bind(a) for a in args]
        rtype = functions.aggregate_type(
            name, tuple(a.type for a in bound_args), distinct, span(inner)
        )
        arg_slots = tuple(slot(a) for a in bound_args)
        key = (name, arg_slots, distinct, filt)
        if key not in seen:
            calls.append(
                AggCall(
                    name=name,
                    args=arg_slots,
                    type=rtype,
                    distinct=distinct,
                    filter=filt,
                    alias=f"$f{first_out + len(calls)}",
                    span=span(node),
                )
            )
            seen[key] = len(calls) - 1
        k = seen[key]
        refs[id(node)] = ColumnRef(index=first_out + k, name=calls[k].alias, type=calls[k].type)
        if node is not inner:
            refs[id(inner)] = refs[id(node)]
    return calls, refs


def _grouping_sets(
    pre: ExprBinder,
    plan: n.Plan,
    group: exp.Group,
    aggs: list[exp.Expression],
    contents: Contents,
) -> tuple[n.Plan, Scope, Grouping]:
    """GROUP BY with GROUPING SETS/ROLLUP/CUBE (see grouping_sets.py): aggregate arguments get
    slots of their own, apart from the keys a set makes NULL."""
    for g in group.expressions:
        if _is_legacy_window(g) or any(_is_legacy_window(x) for x in g.iter_expressions()):
            raise UnsupportedError("group windows cannot be combined with GROUPING SETS", span(g))
        if contents.of(g) & AGG:
            raise BindError("aggregate functions are not allowed in GROUP BY", span(g))
    keys, sets = grouping_sets.enumerate_sets(list(group.expressions), pre.bind)
    pre_exprs: list[Expr] = list(keys)
    calls, refs = _calls(pre, aggs, contents, pre_exprs, len(keys), len(keys) + 1)
    names = tuple(
        _dedupe([_group_name(e, i) if i < len(keys) else f"$e{i}" for i, e in enumerate(pre_exprs)])
    )
    proj = n.Project(input=plan, exprs=tuple(pre_exprs), names=names)
    agg = n.Aggregate(
        input=grouping_sets.expand(proj, len(keys), sets),
        group=(*range(len(keys)), len(pre_exprs)),
        aggs=tuple(calls),
        span=span(group),
    )
    fields = agg.schema.fields
    number = ColumnRef(index=len(keys), name=grouping_sets.SET_NUMBER, type=fields[len(keys)].type)
    found = grouping_sets.GroupingSets(
        keys=tuple(keys),
        sets=tuple(sets),
        number=number,
        key_types=tuple(f.type for f in fields[: len(keys)]),
    )
    grouping = Grouping(
        pre=pre, group_exprs=[*keys, number], contents=contents, agg_refs=refs, sets=found
    )
    return agg, Scope.of(fields, None), grouping


def _agg_parts(node: exp.Expression) -> tuple[str, list[exp.Expression], bool]:
    if isinstance(node, exp.Anonymous):
        args = list(node.expressions)
        name = str(node.name).upper()
    else:
        name = sql_name(type(node))
        name = {"ARRAY_AGG": "COLLECT", "GROUP_CONCAT": "LISTAGG"}.get(name, name)
        name = {"VARIANCE": "VAR_SAMP", "VARIANCE_POP": "VAR_POP", "STDDEV": "STDDEV_SAMP"}.get(
            name, name
        )
        args = [v for k in node.arg_types for v in _as_list(node.args.get(k))]
    distinct = False
    if len(args) == 1 and isinstance(args[0], exp.Distinct):
        distinct = True
        args = list(args[0].expressions)
    if len(args) == 1 and isinstance(args[0], exp.Star):
        args = []
    return name, args, distinct


def _as_list(value: object) -> list[exp.Expression]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, exp.Expression)]
    if isinstance(value, exp.Expression):
        return [value]
    return []


def _is_legacy_window(g: exp.Expression) -> bool:
    return _name(g) in LEGACY_WINDOWS and isinstance(g, exp.Anonymous | exp.Func)


def _session_partition(g: exp.Expression, keys: list[Expr]) -> tuple[int, ...]:
    if _name(g) != "SESSION":
        return ()
    for k in keys:
        if not isinstance(k, ColumnRef):
            raise UnsupportedError(
                "GROUP BY SESSION(...) with an expression key is not supported",
                k.span,
                hint="compute the key in a subquery and group by its column",
            )
    return tuple(k.index for k in keys if isinstance(k, ColumnRef))


def _legacy_window(
    qb: QueryBinder, plan: n.Plan, scope: Scope, g: exp.Expression, partition: tuple[int, ...]
) -> tuple[n.Plan, tuple[Field, ...]]:
    """GROUP BY TUMBLE(ts, size) / HOP(ts, slide, size) / SESSION(ts, gap): rewritten to the
    window TVF, grouped by window_start, window_end (and window_time for *_ROWTIME)."""
    name = _name(g)
    args = (
        list(g.expressions)
        if isinstance(g, exp.Anonymous)
        else [v for k in g.arg_types for v in _as_list(g.args.get(k))]
    )
    binder = qb.expr_binder(scope)
    if not args:
        raise BindError(f"{name} needs a time attribute and an interval", span(g))
    time = binder.bind(args[0])
    if not isinstance(time, ColumnRef) or plan.schema.fields[time.index].time_attr is None:
        from ..errors import PlanValidationError

        raise PlanValidationError(
            f"{name} needs a time attribute as its first argument",
            span(args[0]),
            hint="declare a WATERMARK FOR the column, or use a PROCTIME() column",
        )
    intervals = []
    for a in args[1:]:
        if not isinstance(a, exp.Interval):
            raise TypeCheckError(f"{name} expects INTERVAL literals", span(a))
        lit: Literal = interval_literal(a)
        intervals.append(round(lit.value.total_seconds() * 1000))  # type: ignore[union-attr]
    kind = LEGACY_WINDOWS[name]
    expected = {
        n.WindowKind.TUMBLE: (1, 2),
        n.WindowKind.HOP: (2, 3),
        n.WindowKind.SESSION: (1, 1),
    }[kind]
    if not expected[0] <= len(intervals) <= expected[1]:
        raise TypeCheckError(f"{name} takes {expected[0] + 1} arguments", span(g))
    if kind is n.WindowKind.TUMBLE:
        spec = n.WindowSpec(
            kind=kind,
            time_col=time.index,
            size_ms=intervals[0],
            offset_ms=intervals[1] if len(intervals) > 1 else 0,
        )
    elif kind is n.WindowKind.HOP:
        spec = n.WindowSpec(
            kind=kind, time_col=time.index, slide_ms=intervals[0], size_ms=intervals[1]
        )
    else:
        spec = n.WindowSpec(
            kind=kind, time_col=time.index, gap_ms=intervals[0], partition=partition
        )
    from .query import _check_window

    _check_window(spec, span(g))
    tvf = n.WindowTVF(input=plan, window=spec, span=span(g))
    return tvf, tvf.schema.fields


def _definition(w: exp.Window, named: dict[str, exp.Window]) -> exp.Window:
    """The window that defines `w`'s partition, order and frame: itself, or for `OVER name`
    the WINDOW clause's `name AS (...)`."""
    alias = w.args.get("alias")
    if alias is None or any(w.args.get(k) for k in ("partition_by", "order", "spec")):
        return w
    found = named.get(str(alias.name).lower())
    if found is None:
        raise BindError(
            f"window '{alias.name}' is not defined",
            span(alias) or span(w),
            hint=f"define it after FROM/WHERE/GROUP BY/HAVING: WINDOW {alias.name} AS (...)",
        )
    return found


def _over(
    qb: QueryBinder,
    plan: n.Plan,
    scope: Scope,
    hook: object,
    windows: list[exp.Window],
    named: dict[str, exp.Window],
) -> tuple[n.Plan, Scope, object]:
    binder = qb.expr_binder(scope, hook)
    width = len(plan.schema)
    extra: list[Expr] = []

    def col(e: Expr) -> int:
        if isinstance(e, ColumnRef):
            return e.index
        for i, x in enumerate(extra):
            if x == e:
                return width + i
        extra.append(e)
        return width + len(extra) - 1

    groups: dict[tuple[object, ...], list[tuple[exp.Window, AggCall]]] = {}
    for w in windows:
        s = span(w)
        func = w.this
        if isinstance(func, exp.Filter):
            raise UnsupportedError("FILTER inside an OVER aggregate is not supported", s)
        name, args, distinct = (
            _agg_parts(func) if not isinstance(func, exp.RowNumber) else ("ROW_NUMBER", [], False)
        )
        if name in ("RANK", "DENSE_RANK", "ROW_NUMBER"):
            args = []
        if distinct:
            raise UnsupportedError("DISTINCT in an OVER aggregate is not supported", s)
        bound_args = [binder.bind(a) for a in args]
        d = _definition(w, named)
        partition = tuple(col(binder.bind(p)) for p in (d.args.get("partition_by") or []))
        order_node = d.args.get("order")
        order = tuple(
            n.SortKey(
                col(binder.bind(o.this)),
                bool(o.args.get("desc")),
                bool(o.args.get("nulls_first")) if _explicit_nulls(o) else None,
            )
            for o in (order_node.expressions if order_node is not None else [])
        )
        frame = _frame(d, order_node is not None)
        if name not in ("ROW_NUMBER", "RANK", "DENSE_RANK") and not functions.is_aggregate(name):
            raise BindError(f"{name} is not an aggregate or window function", s)
        if name in ("ROW_NUMBER", "RANK", "DENSE_RANK") and not order:
            raise BindError(f"{name}() needs ORDER BY in its OVER clause", s)
        rtype = functions.aggregate_type(name, tuple(a.type for a in bound_args), False, s)
        call = AggCall(
            name=name, args=tuple(col(a) for a in bound_args), type=rtype, alias="", span=s
        )
        groups.setdefault((partition, order, frame), []).append((w, call))
    if extra:
        refs = tuple(
            ColumnRef(index=i, name=f.name, type=f.type) for i, f in enumerate(plan.schema.fields)
        )
        names = plan.schema.names + tuple(f"$w{i}" for i in range(len(extra)))
        plan = n.Project(input=plan, exprs=refs + tuple(extra), names=names)
    window_refs: dict[int, ColumnRef] = {}
    for (partition, order, frame), calls in groups.items():
        start = len(plan.schema)
        named = tuple(
            AggCall(name=c.name, args=c.args, type=c.type, alias=f"w{start + k}$", span=c.span)
            for k, (_, c) in enumerate(calls)
        )
        plan = n.Over(input=plan, partition=partition, order=order, frame=frame, calls=named)  # type: ignore[arg-type]
        for k, (w, c) in enumerate(calls):
            window_refs[id(w)] = ColumnRef(index=start + k, name=named[k].alias, type=c.type)
    inner_hook = hook

    def over_hook(node: exp.Expression) -> Expr | None:
        if id(node) in window_refs:
            return window_refs[id(node)]
        return inner_hook(node) if callable(inner_hook) else None

    new_scope = Scope(
        scope.columns + Scope.of(plan.schema.fields, None).columns[len(scope.columns) :]
    )
    return plan, new_scope, over_hook


def _frame(w: exp.Window, ordered: bool) -> n.Frame:
    spec = w.args.get("spec")
    if spec is None:
        return n.Frame(mode="RANGE" if ordered else "ROWS", lower=None, upper=0)
    mode = str(spec.args.get("kind") or "RANGE").upper()
    start = spec.args.get("start")
    start_side = str(spec.args.get("start_side") or "").upper()
    end = spec.args.get("end")
    if (
        end is not None
        and str(end).upper() not in ("CURRENT ROW",)
        and not (isinstance(end, str) and end.upper() == "CURRENT ROW")
    ):
        end_text = end if isinstance(end, str) else end.sql()
        if end_text.upper() != "CURRENT ROW":
            raise UnsupportedError("OVER frames must end at CURRENT ROW (as in Flink)", span(w))
    if isinstance(start, str) and start.upper() == "UNBOUNDED":
        return n.Frame(mode=mode, lower=None)
    if isinstance(start, str) and start.upper() == "CURRENT ROW":
        return n.Frame(mode=mode, lower=0)
    if start_side and start_side != "PRECEDING":
        raise UnsupportedError("OVER frames must start PRECEDING", span(w))
    if isinstance(start, exp.Interval):
        lit = interval_literal(start)
        return n.Frame(mode=mode, lower=round(lit.value.total_seconds() * 1000))  # type: ignore[union-attr]
    if isinstance(start, exp.Literal) and not start.is_string:
        return n.Frame(mode=mode, lower=int(start.this))
    raise UnsupportedError(f"OVER frame start {start} is not supported", span(w))


__all__ = ["Call", "bind_select", "t"]
