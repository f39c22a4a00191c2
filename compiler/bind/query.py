"""Queries -> logical plans: FROM (tables, views, subqueries, joins, window TVFs, UNNEST,
temporal joins), WHERE, then grouping (grouping.py), SELECT, DISTINCT, ORDER BY/LIMIT, set ops."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat

from sqlglot import exp

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, TableDef, TimeAttr, ViewDef

from ..errors import BindError, PlanValidationError, TypeCheckError, UnsupportedError
from ..parse import nodes as pn
from ..parse.hints import Hint, hint_tables
from ..plan import nodes as n
from ..plan.expr import Cast, ColumnRef, Expr, FieldAccess, Literal, and_
from . import coercion, view_cache
from .expressions import ExprBinder, interval_literal, span
from .scope import Scope, ScopeColumn, scope_columns, suggest
from .session import Session
from .tables import scan_plan, with_dynamic_options


@dataclass
class Bound:
    plan: n.Plan
    scope: Scope


@dataclass
class QueryBinder:
    session: Session
    udf: Callable[[str], tuple[str, t.SqlType] | None] | None = None
    ctes: dict[str, Bound] = field(default_factory=dict)
    views_in_progress: tuple[str, ...] = ()
    # Tables created by this script keep their AST so errors point into the script.
    table_asts: dict[object, tuple[dict[str, exp.Expression], dict[str, exp.Expression]]] = field(
        default_factory=dict
    )

    def expr_binder(self, scope: Scope, hook: object = None) -> ExprBinder:
        return ExprBinder(scope, hook=hook, udf=self.udf)  # type: ignore[arg-type]

    # -- queries ----------------------------------------------------------------------------
    def bind_query(self, node: exp.Expression) -> Bound:
        with_ = node.args.get("with_")
        saved = dict(self.ctes)
        if with_ is not None:
            for cte in with_.expressions:
                bound = self.bind_query(cte.this)
                name = cte.alias
                self.ctes[name] = Bound(bound.plan, _requalify(bound.scope, name))
        try:
            return self._bind_query_body(node)
        finally:
            self.ctes = saved

    def _bind_query_body(self, node: exp.Expression) -> Bound:
        if isinstance(node, exp.Select):
            from .select import bind_select

            return bind_select(self, node)
        if isinstance(node, exp.Subquery):
            return self.bind_query(node.this)
        if isinstance(node, exp.Union | exp.Intersect | exp.Except):
            return self._set_op(node)
        if isinstance(node, exp.Values):
            return self._values(node, None)
        raise UnsupportedError(f"query {node.key.upper()} is not supported", span(node))

    def _set_op(self, node: exp.Union | exp.Intersect | exp.Except) -> Bound:
        kind = {
            exp.Union: n.SetOpKind.UNION,
            exp.Intersect: n.SetOpKind.INTERSECT,
            exp.Except: n.SetOpKind.EXCEPT,
        }[type(node)]
        distinct = bool(node.args.get("distinct", True))
        left = self.bind_query(node.this)
        right = self.bind_query(node.expression)
        lf, rf = left.plan.schema.fields, right.plan.schema.fields
        if len(lf) != len(rf):
            raise TypeCheckError(
                f"{kind.value} inputs have {len(lf)} and {len(rf)} columns", span(node)
            )
        types = []
        for i, (a, b) in enumerate(zip(lf, rf, strict=True)):
            common = coercion.common_type([a.type, b.type])
            if common is None:
                raise TypeCheckError(
                    f"{kind.value} column {i + 1} ('{a.name}') has incompatible types "
                    f"{a.type} and {b.type}",
                    span(node),
                )
            types.append(common)
        inputs = tuple(_cast_to(x.plan, types) for x in (left, right))
        plan = n.SetOp(inputs=inputs, kind=kind, all=not distinct, span=span(node))
        return Bound(plan, Scope.of(plan.schema.fields, None))

    def _values(self, node: exp.Values, alias: exp.TableAlias | None) -> Bound:
        binder = self.expr_binder(Scope(()))
        rows = [tuple(binder.bind(e) for e in row.expressions) for row in node.expressions]
        width = len(rows[0])
        if any(len(r) != width for r in rows):
            raise TypeCheckError("VALUES rows have different numbers of columns", span(node))
        alias = alias or node.args.get("alias")
        names = [c.name for c in alias.columns] if alias is not None and alias.columns else []
        names += [f"EXPR${i}" for i in range(len(names), width)]
        fields_ = []
        for i in range(width):
            common = coercion.common_type([r[i].type for r in rows])
            if common is None:
                raise TypeCheckError(f"VALUES column {i + 1} has incompatible types", span(node))
            fields_.append(Field(names[i], common))
        coerced = tuple(
            tuple(_coerce(e, f.type) for e, f in zip(r, fields_, strict=True)) for r in rows
        )
        plan = n.Values(rows=coerced, fields=tuple(fields_), span=span(node))
        qualifier = alias.name if alias is not None else None
        return Bound(plan, Scope.of(plan.schema.fields, qualifier or None))

    # -- FROM -------------------------------------------------------------------------------
    def bind_from(self, select: exp.Select) -> Bound:
        from_ = select.args.get("from_")
        if from_ is None:
            # SELECT without FROM reads one row, as Calcite's `VALUES (0)` with column ZERO; the
            # column is hidden from `*` and never referenced by the projection above it.
            zero = Literal(value=0, type=t.int_(nullable=False))
            one = n.Values(rows=((zero,),), fields=(Field("ZERO", zero.type),))
            bound = Bound(one, Scope((ScopeColumn(None, one.fields[0], 0, hidden=True),)))
        else:
            bound = self.bind_table_factor(from_.this)
            _check_join_hints(select)
        for join in select.args.get("joins") or []:
            bound = self._join(bound, join)
        return bound

    def bind_table_factor(self, node: exp.Expression) -> Bound:
        if isinstance(node, exp.Table) and isinstance(node.this, pn.WindowTVF):
            return self._window_tvf(node.this, node.alias or None)
        if isinstance(node, pn.WindowTVF):
            return self._window_tvf(node, node.alias or None)
        if isinstance(node, exp.Table):
            return self._table(node)
        if isinstance(node, exp.Subquery):
            bound = self.bind_query(node.this)
            alias = node.alias or None
            return Bound(bound.plan, _requalify(bound.scope, alias, node.args.get("alias")))
        if isinstance(node, exp.Values):
            return self._values(node, node.args.get("alias"))
        if isinstance(node, exp.Unnest):
            raise UnsupportedError(
                "UNNEST must follow a table: FROM t CROSS JOIN UNNEST(t.arr) AS u(x)", span(node)
            )
        raise UnsupportedError(f"table expression {node.sql()!r} is not supported", span(node))

    def _table(self, node: exp.Table) -> Bound:
        parts = tuple(p.name for p in node.parts)
        alias = node.alias or parts[-1]
        s = span(node)
        if len(parts) == 1 and parts[0] in self.ctes:
            if node._meta and node.meta.get("options"):
                raise BindError(
                    f"'{parts[0]}' is a WITH query: OPTIONS hints apply to tables",
                    node.meta.get("hint_span", s),
                )
            cte = self.ctes[parts[0]]
            return Bound(cte.plan, _requalify(cte.scope, alias))
        ident = self.session.ident(parts)
        obj = self.session.lookup(ident)
        if obj is None:
            hint = suggest(parts[-1], self.session.known_tables() + list(self.ctes))
            raise BindError(f"table or view '{'.'.join(parts)}' not found", s, hint=hint)
        options = node.meta.get("options") if node._meta else None
        if options:
            obj = with_dynamic_options(
                self.session.options,
                obj,
                options,
                node.meta.get("hint_span", s),
                dict(node.meta.get("option_spans", ())),
            )
        if isinstance(obj, ViewDef):
            return self._view(obj, alias, s)
        asts = self.table_asts.get(obj.ident, ({}, {}))
        plan = scan_plan(obj, s, asts[0], asts[1])
        return Bound(plan, Scope.of(plan.schema.fields, alias))

    def _view(self, view: ViewDef, alias: str, s: object) -> Bound:
        key = str(view.ident)
        if key in self.views_in_progress:
            raise BindError(f"view {key} refers to itself", s)  # type: ignore[arg-type]
        nested = bool(self.views_in_progress)
        plan = view_cache.reuse(view, self.session, self.udf, nested) or self._bind_view(view, key)
        return Bound(plan, Scope.of(plan.schema.fields, alias))

    def _bind_view(self, view: ViewDef, key: str) -> n.Plan:
        functions: list[view_cache.Resolution] = []
        udf = self.udf

        def recording_udf(name: str) -> tuple[str, t.SqlType] | None:
            answer = udf(name) if udf is not None else None
            functions.append((name, answer))
            return answer

        inner = QueryBinder(
            self.session,
            recording_udf if udf is not None else None,
            {},
            (*self.views_in_progress, key),
            self.table_asts,
        )
        with self.session.recording() as reads:
            plan = inner.bind_query(_parsed_view(view.expanded_query or view.query)).plan
        names = [c.name for c in view.columns]
        if names and tuple(names) != plan.schema.names and len(names) == len(plan.schema):
            refs = tuple(
                ColumnRef(index=i, name=f.name, type=f.type)
                for i, f in enumerate(plan.schema.fields)
            )
            plan = n.Project(input=plan, exprs=refs, names=tuple(names))
        view_cache.remember(
            view, self.session, reads, functions, plan, nested=bool(self.views_in_progress)
        )
        return plan

    def _window_tvf(self, node: pn.WindowTVF, alias: str | None) -> Bound:
        s = span(node)
        source = self.bind_table_factor(node.this)
        binder = self.expr_binder(source.scope)
        time = binder.bind(node.args["descriptor"])
        if not isinstance(time, ColumnRef):
            raise BindError(
                "DESCRIPTOR must name a column of the input table", span(node.args["descriptor"])
            )
        tfield = source.plan.schema.fields[time.index]
        if tfield.time_attr is None:
            raise PlanValidationError(
                f"the window's time column '{tfield.name}' is not a time attribute",
                span(node.args["descriptor"]),
                hint="declare a WATERMARK FOR it in the table (event time) or use a PROCTIME() column",
            )
        kind = n.WindowKind(node.kind.upper())

        def ms(key: str) -> int | None:
            value = node.args.get(key)
            if value is None:
                return None
            if not isinstance(value, exp.Interval):
                raise TypeCheckError(
                    f"{kind.value} {key.upper()} must be an INTERVAL literal", span(value)
                )
            lit = interval_literal(value)
            total = round(lit.value.total_seconds() * 1000) if lit.value is not None else 0  # type: ignore[union-attr]
            if total <= 0 and key != "offset":
                raise TypeCheckError(f"{kind.value} {key.upper()} must be positive", span(value))
            return total

        partition: tuple[int, ...] = ()
        for p in node.args.get("partition_by") or []:
            ref = binder.bind(p)
            if not isinstance(ref, ColumnRef):
                raise BindError("PARTITION BY must list columns", span(p))
            partition += (ref.index,)
        spec = n.WindowSpec(
            kind=kind,
            time_col=time.index,
            size_ms=ms("size"),
            slide_ms=ms("slide"),
            step_ms=ms("step"),
            gap_ms=ms("gap"),
            offset_ms=ms("offset") or 0,
            partition=partition,
        )
        _check_window(spec, s)
        plan = n.WindowTVF(input=source.plan, window=spec, span=s)
        qualifier = alias or _single_qualifier(source.scope)
        return Bound(plan, Scope.of(plan.schema.fields, qualifier))

    def _join(self, left: Bound, join: exp.Join) -> Bound:
        target = join.this
        s = span(join)
        side = (join.side or "").upper()
        kind_word = (join.kind or "").upper()
        if isinstance(target, exp.Unnest):
            return self._unnest(left, target, outer=side == "LEFT")
        version = target.args.get("version") if isinstance(target, exp.Table) else None
        right = self.bind_table_factor(target)
        scope = left.scope.concat(right.scope)
        kind = {
            "LEFT": n.JoinKind.LEFT,
            "RIGHT": n.JoinKind.RIGHT,
            "FULL": n.JoinKind.FULL,
        }.get(side, n.JoinKind.INNER)
        if kind_word == "SEMI":
            kind = n.JoinKind.SEMI
        elif kind_word == "ANTI":
            kind = n.JoinKind.ANTI
        binder = self.expr_binder(scope)
        on = join.args.get("on")
        using = join.args.get("using")
        if on is not None:
            condition = binder.bind_predicate(on, "ON")
        elif using:
            terms = []
            for ident in using:
                name = ident.name
                lcol = left.scope.resolve(name, None, span(ident))
                rcol = right.scope.resolve(name, None, span(ident))
                shift = len(left.scope.columns)
                lref = ColumnRef(index=lcol.index, name=name, type=lcol.field.type)
                rref = ColumnRef(index=rcol.index + shift, name=name, type=rcol.field.type)
                from . import functions

                terms.append(functions.operator_call("EQUALS", (lref, rref), span(ident)))
            condition = and_(*terms)
        else:
            if kind is not n.JoinKind.INNER:
                raise BindError(f"{kind.value} JOIN needs an ON condition", s)
            condition = and_()
        if version is not None:
            return self._temporal(left, right, kind, condition, version, s)
        plan = n.Join(left=left.plan, right=right.plan, kind=kind, condition=condition, span=s)
        out_scope = _rescope(scope, plan.schema.fields)
        return Bound(plan, out_scope)

    def _temporal(
        self,
        left: Bound,
        right: Bound,
        kind: n.JoinKind,
        condition: Expr,
        version: exp.Expression,
        s: object,
    ) -> Bound:
        if kind not in (n.JoinKind.INNER, n.JoinKind.LEFT):
            raise UnsupportedError("temporal joins support only INNER and LEFT joins", s)  # type: ignore[arg-type]
        time = self.expr_binder(left.scope).bind(version.args["expression"])
        if not isinstance(time, ColumnRef):
            raise BindError(
                "FOR SYSTEM_TIME AS OF must name a time attribute of the left table", span(version)
            )
        attr = left.plan.schema.fields[time.index].time_attr
        scope = left.scope.concat(right.scope)
        if attr is TimeAttr.PROCTIME:
            plan: n.Plan = n.LookupJoin(
                left=left.plan, right=right.plan, kind=kind, condition=condition, span=s
            )  # type: ignore[arg-type]
            return Bound(plan, _rescope(scope, plan.schema.fields))
        if attr is not TimeAttr.ROWTIME:
            raise PlanValidationError(
                f"FOR SYSTEM_TIME AS OF needs a time attribute, but '{time.name}' is a plain timestamp",
                span(version),
                hint="declare a WATERMARK on the left table's time column, or use a PROCTIME() column",
            )
        rkeys = right.plan.upsert_keys
        if not rkeys:
            raise PlanValidationError(
                "an event-time temporal join needs a primary key on the versioned (right) table",
                span(version),
                hint="add PRIMARY KEY (...) NOT ENFORCED to the right table, or use a deduplicating view",
            )
        rtime = next(
            (i for i, f in enumerate(right.plan.schema.fields) if f.time_attr is TimeAttr.ROWTIME),
            None,
        )
        if rtime is None:
            raise PlanValidationError(
                "an event-time temporal join needs a rowtime attribute (WATERMARK) on the versioned table",
                span(version),
            )
        plan = n.TemporalJoin(
            left=left.plan,
            right=right.plan,
            kind=kind,
            condition=condition,
            left_time=time.index,
            right_time=rtime,
            right_key=min(rkeys),
            span=s,  # type: ignore[arg-type]
        )
        return Bound(plan, _rescope(scope, plan.schema.fields))

    def _unnest(self, left: Bound, node: exp.Unnest, outer: bool) -> Bound:
        s = span(node)
        binder = self.expr_binder(left.scope)
        if len(node.expressions) != 1:
            raise UnsupportedError("UNNEST of several arrays is not supported", s)
        value = binder.bind(node.expressions[0])
        if value.type.kind not in (t.Kind.ARRAY, t.Kind.MULTISET, t.Kind.MAP):
            raise TypeCheckError(f"UNNEST needs an ARRAY, MULTISET or MAP, got {value.type}", s)
        alias = node.args.get("alias")
        names = tuple(c.name for c in alias.columns) if alias is not None and alias.columns else ()
        # WITH ORDINALITY: sqlglot takes the alias's last column as the position's name
        offset = node.args.get("offset")
        ordinality = offset is True or isinstance(offset, exp.Identifier)
        if isinstance(offset, exp.Identifier):
            names += (offset.name,)
        et = value.type
        width = (
            2
            if et.kind is t.Kind.MAP
            else (len(et.element.fields) if et.element and et.element.kind is t.Kind.ROW else 1)
        ) + ordinality
        if not names:
            names = tuple(f"EXPR${i}" for i in range(width - ordinality))
            names += ("ORDINALITY",) if ordinality else ()
        if len(names) != width:
            what = "UNNEST ... WITH ORDINALITY" if ordinality else "UNNEST"
            last = " (the last is the position)" if ordinality else ""
            raise BindError(
                f"{what} produces {width} columns{last} but the alias names {len(names)}", s
            )
        plan = n.Unnest(
            input=left.plan,
            expr=value,
            names=names,
            left_outer=outer,
            ordinality=ordinality,
            span=s,
        )
        qualifier = alias.name if alias is not None and alias.name else None
        extra = Scope.of(plan.schema.fields[len(left.scope.columns) :], qualifier)
        return Bound(plan, left.scope.concat(extra))


# -- helpers ----------------------------------------------------------------------------------
def _check_join_hints(select: exp.Select) -> None:
    """Join hints (BROADCAST(t), ...) choose a join strategy and LOOKUP how a lookup runs,
    which nrtg leaves to its own operators: they change no result and are ignored, once each
    table they name is checked against the tables and aliases of this FROM, as Flink does."""
    hint = select.args.get("hint")
    hints: tuple[Hint, ...] = hint.meta.get("hints", ()) if hint is not None and hint._meta else ()
    if not hints:
        return
    items = [select.args["from_"].this, *(j.this for j in select.args.get("joins") or [])]
    names = {x.alias_or_name for x in items} | {x.name for x in items if isinstance(x, exp.Table)}
    for h in hints:
        for value in hint_tables(h):
            if value.split(".")[-1] not in names:
                raise BindError(
                    f"{h.name}({value}): '{value}' names no table or alias of this FROM",
                    h.span,
                    hint="the tables and aliases here: " + ", ".join(sorted(names)),
                )


@functools.lru_cache(maxsize=256)
def _parsed_view(text: str) -> exp.Expression:
    """A view's query, parsed once per text: binding never mutates the AST."""
    from ..parse.parse import parse_query

    return parse_query(text)


def _check_window(spec: n.WindowSpec, s: object) -> None:
    if (
        spec.kind in (n.WindowKind.TUMBLE, n.WindowKind.HOP, n.WindowKind.CUMULATE)
        and spec.size_ms is None
    ):
        raise TypeCheckError(f"{spec.kind.value} needs a SIZE", s)  # type: ignore[arg-type]
    if spec.kind is n.WindowKind.HOP:
        assert spec.size_ms is not None and spec.slide_ms is not None
        if spec.size_ms % spec.slide_ms != 0:
            raise PlanValidationError(
                f"HOP size ({spec.size_ms} ms) must be an integral multiple of the slide ({spec.slide_ms} ms)",
                s,  # type: ignore[arg-type]
                hint="Flink's streaming mode rejects this; choose a slide that divides the size",
            )
    if spec.kind is n.WindowKind.CUMULATE:
        assert spec.size_ms is not None and spec.step_ms is not None
        if spec.size_ms % spec.step_ms != 0:
            raise PlanValidationError("CUMULATE size must be an integral multiple of the step", s)  # type: ignore[arg-type]
    if spec.kind is n.WindowKind.SESSION and spec.gap_ms is None:
        raise TypeCheckError("SESSION needs a GAP", s)  # type: ignore[arg-type]


def _single_qualifier(scope: Scope) -> str | None:
    quals = scope.qualifiers
    return next(iter(quals)) if len(quals) == 1 else None


def _requalify(scope: Scope, alias: str | None, table_alias: exp.TableAlias | None = None) -> Scope:
    names = (
        [c.name for c in table_alias.columns]
        if table_alias is not None and table_alias.columns
        else None
    )
    if not scope.columns:
        return Scope(())
    _, fields, indexes, hidden = zip(*scope.columns, strict=True)
    if names is not None:
        fields = tuple(
            Field(names[i], f.type, f.time_attr) if i < len(names) else f
            for i, f in enumerate(fields)
        )
    return Scope(scope_columns(repeat(alias), fields, indexes, hidden))


def _rescope(scope: Scope, fields: tuple[Field, ...]) -> Scope:
    """Same qualifiers, the join's (nullability-widened) field types."""
    kept = [c for c in scope.columns if c.index < len(fields)]
    if not kept:
        return Scope(())
    qualifiers, _, indexes, hidden = zip(*kept, strict=True)
    return Scope(scope_columns(qualifiers, map(fields.__getitem__, indexes), indexes, hidden))


def _coerce(e: Expr, target: t.SqlType) -> Expr:
    if e.type.with_nullable(True) == target.with_nullable(True):
        return e
    return Cast(input=e, type=target.with_nullable(e.type.nullable), span=e.span)


def _cast_to(plan: n.Plan, types: list[t.SqlType]) -> n.Plan:
    fs = plan.schema.fields
    if all(
        f.type.with_nullable(True) == ty.with_nullable(True)
        for f, ty in zip(fs, types, strict=True)
    ):
        return plan
    exprs = tuple(
        _coerce(ColumnRef(index=i, name=f.name, type=f.type), ty)
        for i, (f, ty) in enumerate(zip(fs, types, strict=True))
    )
    return n.Project(input=plan, exprs=exprs, names=plan.schema.names)


def output_name(node: exp.Expression, e: Expr, position: int) -> str:
    if isinstance(node, exp.Alias):
        return node.alias
    if isinstance(node, exp.Column):
        return node.name
    if isinstance(e, FieldAccess):
        return e.field_name
    if isinstance(e, ColumnRef) and isinstance(node, exp.Paren):
        return e.name
    return f"EXPR${position}"


__all__ = ["Bound", "QueryBinder", "TableDef", "output_name"]
