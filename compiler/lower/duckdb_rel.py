"""Relational plan nodes -> one DuckDB CTE per node (sqlglot expressions).

Every CTE `qN` exposes the node's output columns under unique names (`unique_names`): the
node's field names, with later duplicates suffixed `_2`, `_3`, ... (case-insensitively, as
DuckDB compares identifiers). Shared subplans lower once. Window assignment, sessions, Top-N
and deduplication are spelled out with window functions; see each method for the semantics.
"""

from __future__ import annotations

from dataclasses import dataclass

from nrtg.catalog.types import Kind
from nrtg.compiler.errors import InternalError, UnsupportedError
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, ColumnRef, Expr, conjuncts
from sqlglot import exp

from .duckdb_aggs import lower_agg
from .duckdb_context import fresh
from .duckdb_expr import Cols, LowerContext, cast, fn, interval_ms, lower_expr, paren
from .duckdb_window import assign_windows


def unique_names(names: tuple[str, ...]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        candidate, k = name, 1
        while candidate.lower() in seen:
            k += 1
            candidate = f"{name}_{k}"
        seen.add(candidate.lower())
        out.append(candidate)
    return tuple(out)


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.Column(this=ident(name), table=exp.to_identifier(table) if table else None)


def alias(e: exp.Expression, name: str) -> exp.Expression:
    """`e AS "name"`; an unqualified column that already has the name stays bare."""
    if isinstance(e, exp.Column) and not e.table and e.name == name:
        return e
    return exp.Alias(this=e, alias=ident(name))


def star(exclude: tuple[str, ...] = (), table: str | None = None) -> exp.Expression:
    s = exp.Star(except_=[col(x) for x in exclude]) if exclude else exp.Star()
    return exp.Column(this=s, table=exp.to_identifier(table)) if table else s


def ordered(e: exp.Expression, key: n.SortKey) -> exp.Ordered:
    # Flink's default: ASC -> NULLS FIRST, DESC -> NULLS LAST (DuckDB's differs); always explicit.
    return exp.Ordered(this=e, desc=key.descending, nulls_first=key.effective_nulls_first)


@dataclass(frozen=True)
class Source:
    """A table scan the runtime must register as a relation before running the query."""

    relation: str
    scan: n.TableScan


@dataclass(frozen=True)
class Rel:
    cte: str
    names: tuple[str, ...]

    def cols(self, table: str | None = None) -> list[exp.Expression]:
        return [col(c, table) for c in self.names]


class RelLowerer:
    """Lowers a plan into CTEs; `lower(plan)` returns the root's Rel."""

    def __init__(self, ctx: LowerContext) -> None:
        self.ctx = ctx
        self.ctes: list[tuple[str, exp.Select]] = []
        self.sources: list[Source] = []
        self._memo: dict[int, Rel] = {}
        self._relations: dict[tuple[str, tuple[str, ...]], str] = {}

    # -- plumbing -----------------------------------------------------------------------------
    def lower(self, plan: n.Plan) -> Rel:
        found = self._memo.get(id(plan))
        if found is not None:
            return found
        method = getattr(self, "_" + type(plan).__name__, None)
        if method is None:
            raise UnsupportedError(f"{type(plan).__name__} is not supported by the batch target")
        rel: Rel = method(plan)
        self._memo[id(plan)] = rel
        return rel

    def emit(self, select: exp.Select, names: tuple[str, ...]) -> Rel:
        name = f"q{len(self.ctes)}"
        self.ctes.append((name, select))
        return Rel(name, names)

    def expr(self, e: Expr, cols: Cols) -> exp.Expression:
        return lower_expr(e, cols, self.ctx)

    @staticmethod
    def names_of(plan: n.Plan) -> tuple[str, ...]:
        return unique_names(plan.schema.names)

    # -- leaves -------------------------------------------------------------------------------
    def _TableScan(self, p: n.TableScan) -> Rel:
        names = self.names_of(p)
        key = (str(p.table), names)
        relation = self._relations.get(key)
        if relation is None:
            relation = f"src:{p.table}"
            if any(r == relation for r in self._relations.values()):
                relation = f"{relation}#{len(self._relations) + 1}"
            self._relations[key] = relation
            self.sources.append(Source(relation, p))
        select = exp.select(*[col(c) for c in names], copy=False).from_(
            exp.Table(this=ident(relation)), copy=False
        )
        return self.emit(select, names)

    def _Values(self, p: n.Values) -> Rel:
        names = self.names_of(p)
        types = [f.type for f in p.fields]
        if not p.rows:
            nulls = [
                alias(cast(exp.Null(), ty, self.ctx), c) for ty, c in zip(types, names, strict=True)
            ]
            return self.emit(exp.select(*nulls, copy=False).where(exp.false(), copy=False), names)
        rows = [
            exp.Tuple(
                expressions=[
                    cast(self.expr(v, []), ty, self.ctx) for v, ty in zip(row, types, strict=True)
                ]
            )
            for row in p.rows
        ]
        values = exp.Values(
            expressions=rows,
            alias=exp.TableAlias(this=ident("v"), columns=[ident(c) for c in names]),
        )
        return self.emit(exp.select(exp.Star(), copy=False).from_(values, copy=False), names)

    # -- row-wise -----------------------------------------------------------------------------
    def _Project(self, p: n.Project) -> Rel:
        src = self.lower(p.input)
        names = self.names_of(p)
        cols = src.cols()
        items = [alias(self.expr(e, cols), c) for e, c in zip(p.exprs, names, strict=True)]
        return self.emit(exp.select(*items, copy=False).from_(src.cte, copy=False), names)

    def _Filter(self, p: n.Filter) -> Rel:
        src = self.lower(p.input)
        select = (
            exp.select(exp.Star(), copy=False)
            .from_(src.cte, copy=False)
            .where(self.expr(p.predicate, src.cols()), copy=False)
        )
        return self.emit(select, src.names)

    def _AssignWatermark(self, p: n.AssignWatermark) -> Rel:
        # Batch reads bounded input completely: the watermark only marks the time attribute.
        return self.lower(p.input)

    # -- aggregation --------------------------------------------------------------------------
    def _Aggregate(self, p: n.Aggregate) -> Rel:
        src = self.lower(p.input)
        return self._group(src, p.input, p.group, p.aggs, self.names_of(p), ())

    def _group(
        self,
        src: Rel,
        input_plan: n.Plan,
        group: tuple[int, ...],
        aggs: tuple,  # tuple[AggCall, ...]
        names: tuple[str, ...],
        extra_keys: tuple[int, ...],
    ) -> Rel:
        cols = src.cols()
        types = [f.type for f in input_plan.schema.fields]
        items = [alias(fresh(cols[g]), c) for g, c in zip(group, names, strict=False)]
        for a, c in zip(aggs, names[len(group) :], strict=False):
            items.append(alias(lower_agg(a, cols, types, self.ctx), c))
        extra = [
            alias(fresh(cols[i]), c)
            for i, c in zip(extra_keys, names[len(group) + len(aggs) :], strict=True)
        ]
        select = exp.select(*items, *extra, copy=False).from_(src.cte, copy=False)
        keys = [fresh(cols[i]) for i in (*group, *extra_keys)]
        if keys:
            select = select.group_by(*keys, copy=False)
        # A global aggregate over empty input gives one row (COUNT = 0, SUM = NULL): Flink's
        # batch answer, and DuckDB's.
        return self.emit(select, names)

    def _WindowTVF(self, p: n.WindowTVF) -> Rel:
        src = self.lower(p.input)
        fields = p.input.schema.fields
        select = assign_windows(src, p.window, fields, self.names_of(p)[len(fields) :], self.ctx)
        return self.emit(select, self.names_of(p))

    def _WindowAggregate(self, p: n.WindowAggregate) -> Rel:
        tvf = n.WindowTVF(input=p.input, window=p.window, span=p.span)
        src = self.lower(tvf)
        width = len(p.input.schema)
        props = tuple(width + n.WINDOW_PROPERTIES.index(x) for x in p.properties)
        if not {"window_start", "window_end"} <= set(p.properties):
            # Group by both bounds even when not selected.
            inner_names = self.names_of(tvf)
            hidden = tuple(i for i in (width, width + 1) if i not in props)
            props_all = props + hidden
            names = self.names_of(p) + tuple(inner_names[i] + "$hidden" for i in hidden)
            rel = self._group(src, tvf, p.group, p.aggs, names, props_all)
            keep = self.names_of(p)
            return self.emit(
                exp.select(*[col(c) for c in keep], copy=False).from_(rel.cte, copy=False), keep
            )
        return self._group(src, tvf, p.group, p.aggs, self.names_of(p), props)

    # -- joins --------------------------------------------------------------------------------
    def _join_cols(self, left: Rel, right: Rel) -> list[exp.Expression]:
        return left.cols("l") + right.cols("r")

    def _join_select(
        self, p: n.Plan, left: Rel, right: Rel, kind: n.JoinKind, on: exp.Expression
    ) -> Rel:
        names = self.names_of(p)
        if kind in (n.JoinKind.SEMI, n.JoinKind.ANTI):
            sub = (
                exp.select(exp.Literal.number(1), copy=False)
                .from_(
                    exp.Table(
                        this=exp.to_identifier(right.cte),
                        alias=exp.TableAlias(this=exp.to_identifier("r")),
                    ),
                    copy=False,
                )
                .where(on, copy=False)
            )
            cond: exp.Expression = exp.Exists(this=sub)
            if kind is n.JoinKind.ANTI:
                cond = exp.Not(this=cond)
            select = exp.select(
                *[alias(c, x) for c, x in zip(left.cols("l"), names, strict=True)], copy=False
            )
            select = select.from_(_aliased(left.cte, "l"), copy=False).where(cond, copy=False)
            return self.emit(select, names)
        items = [alias(c, x) for c, x in zip(self._join_cols(left, right), names, strict=True)]
        side = {n.JoinKind.LEFT: "LEFT", n.JoinKind.RIGHT: "RIGHT", n.JoinKind.FULL: "FULL"}.get(
            kind
        )
        join = exp.Join(this=_aliased(right.cte, "r"), on=on, side=side)
        select = exp.select(*items, copy=False).from_(_aliased(left.cte, "l"), copy=False)
        select.append("joins", join)
        return self.emit(select, names)

    def _Join(self, p: n.Join) -> Rel:
        left, right = self.lower(p.left), self.lower(p.right)
        on = self.expr(p.condition, self._join_cols(left, right))
        return self._join_select(p, left, right, p.kind, on)

    def _LookupJoin(self, p: n.LookupJoin) -> Rel:
        # Batch meaning: every left row looks up the right table's contents as of the end of
        # the bounded input (the lookup source read once), i.e. a regular join.
        left, right = self.lower(p.left), self.lower(p.right)
        on = self.expr(p.condition, self._join_cols(left, right))
        return self._join_select(p, left, right, p.kind, on)

    def _IntervalJoin(self, p: n.IntervalJoin) -> Rel:
        left, right = self.lower(p.left), self.lower(p.right)
        cols = self._join_cols(left, right)
        lt = fresh(cols[p.left_time])
        rt = fresh(cols[len(left.names) + p.right_time])
        # left.time - right.time in [lower, upper]  <=>  r + lower <= l <= r + upper
        bounds = exp.and_(
            exp.GTE(this=lt, expression=exp.Add(this=rt, expression=interval_ms(p.lower_ms))),
            exp.LTE(
                this=lt.copy(),
                expression=exp.Add(this=rt.copy(), expression=interval_ms(p.upper_ms)),
            ),
        )
        on = exp.and_(paren(self.expr(p.condition, cols)), bounds)
        return self._join_select(p, left, right, p.kind, on)

    def _WindowJoin(self, p: n.WindowJoin) -> Rel:
        left, right = self.lower(p.left), self.lower(p.right)
        cols = self._join_cols(left, right)
        nl = len(left.names)
        same = [
            exp.EQ(
                this=cols[p.left_bounds[i]].copy(), expression=cols[nl + p.right_bounds[i]].copy()
            )
            for i in (0, 1)
        ]
        on = exp.and_(*same, paren(self.expr(p.condition, cols)))
        return self._join_select(p, left, right, p.kind, on)

    def _TemporalJoin(self, p: n.TemporalJoin) -> Rel:
        """Event time: each left row meets the latest right version with right.time <=
        left.time among the rows matching the equi-keys (DuckDB ASOF JOIN); the rest of the
        condition is applied to that version (inner: drop, left: NULL-pad), as Flink's
        TemporalRowTimeJoinOperator does.

        Not done yet: a versioned table read from a changelog (debezium/upsert) is applied as
        its latest-version rows; a DELETE version does not yet end the key's validity."""
        left, right = self.lower(p.left), self.lower(p.right)
        nl = len(left.names)
        cols = self._join_cols(left, right)
        equi: list[exp.Expression] = []
        residual: list[Expr] = []
        for c in conjuncts(p.condition):
            pair = _equi_pair(c, nl)
            if pair is None:
                residual.append(c)
            else:
                equi.append(
                    exp.EQ(this=self.expr(pair[0], cols), expression=self.expr(pair[1], cols))
                )
        if not equi:
            raise UnsupportedError("a temporal join needs an equality on the versioned table's key")
        time_cond = exp.GTE(
            this=fresh(cols[p.left_time]), expression=fresh(cols[nl + p.right_time])
        )
        names = self.names_of(p)
        kept = [self.expr(r, cols) for r in residual]
        ok = exp.and_(*[paren(k) for k in kept]) if kept else None
        items: list[exp.Expression] = []
        for i, (c, x) in enumerate(zip(cols, names, strict=True)):
            value = c.copy()
            if i >= nl and ok is not None and p.kind is n.JoinKind.LEFT:
                value = exp.Case(ifs=[exp.If(this=ok.copy(), true=value)])
            items.append(alias(value, x))
        side = "LEFT" if p.kind is n.JoinKind.LEFT else None
        join = exp.Join(
            this=_aliased(right.cte, "r"), on=exp.and_(*equi, time_cond), side=side, method="ASOF"
        )
        select = exp.select(*items, copy=False).from_(_aliased(left.cte, "l"), copy=False)
        select.append("joins", join)
        if ok is not None and p.kind is not n.JoinKind.LEFT:
            select = select.where(ok, copy=False)
        return self.emit(select, names)

    # -- unnest, set operations ---------------------------------------------------------------
    def _Unnest(self, p: n.Unnest) -> Rel:
        src = self.lower(p.input)
        names = self.names_of(p)
        width = len(src.names)
        et = p.expr.type
        arg = self.expr(p.expr, src.cols("l"))
        if et.kind is Kind.MAP:
            arg = fn("map_entries", arg)
        elif et.kind is not Kind.ARRAY:
            raise UnsupportedError(f"UNNEST of {et} is not supported by the batch target yet")
        inner = exp.select(alias(fn("unnest", arg), "$e"), copy=False)
        lateral = exp.Lateral(
            this=exp.Subquery(this=inner), alias=exp.TableAlias(this=exp.to_identifier("u"))
        )
        element = col("$e", "u")
        items = [alias(c, x) for c, x in zip(src.cols("l"), names[:width], strict=True)]
        extra = names[width:]
        if et.kind is Kind.MAP:
            fields = ["key", "value"]
        elif et.element is not None and et.element.kind is Kind.ROW:
            fields = [f.name for f in et.element.fields]
        else:
            fields = []
        if fields:
            for fname, x in zip(fields, extra, strict=False):
                items.append(
                    alias(fn("struct_extract", element.copy(), exp.Literal.string(fname)), x)
                )
        else:
            items.append(alias(element, extra[0]))
        select = exp.select(*items, copy=False).from_(_aliased(src.cte, "l"), copy=False)
        if p.left_outer:
            select.append("joins", exp.Join(this=lateral, side="LEFT", on=exp.true()))
        else:
            select.append("joins", exp.Join(this=lateral, kind="CROSS"))
        return self.emit(select, names)

    def _SetOp(self, p: n.SetOp) -> Rel:
        rels = [self.lower(i) for i in p.inputs]
        names = self.names_of(p)
        selects: list[exp.Expression] = [
            exp.select(
                *[alias(col(c), x) for c, x in zip(r.names, names, strict=True)], copy=False
            ).from_(r.cte, copy=False)
            for r in rels
        ]
        cls = {
            n.SetOpKind.UNION: exp.Union,
            n.SetOpKind.INTERSECT: exp.Intersect,
            n.SetOpKind.EXCEPT: exp.Except,
        }[p.kind]
        out = selects[0]
        for s in selects[1:]:
            out = cls(this=out, expression=s, distinct=not p.all)
        wrapped = exp.select(exp.Star(), copy=False).from_(
            exp.Subquery(this=out, alias=exp.TableAlias(this=exp.to_identifier("u"))), copy=False
        )
        return self.emit(wrapped, names)

    # -- sorting and ranking ------------------------------------------------------------------
    def _Sort(self, p: n.Sort) -> Rel:
        src = self.lower(p.input)
        cols = src.cols()
        select = exp.select(exp.Star(), copy=False).from_(src.cte, copy=False)
        if p.keys:
            select = select.order_by(
                *[ordered(fresh(cols[k.index]), k) for k in p.keys], copy=False
            )
        if p.limit is not None:
            select = select.limit(p.limit, copy=False)
        if p.offset:
            select = select.offset(p.offset, copy=False)
        return self.emit(select, src.names)

    def _Over(self, p: n.Over) -> Rel:
        from .duckdb_aggs import over_call

        src = self.lower(p.input)
        names = self.names_of(p)
        width = len(src.names)
        cols = src.cols()
        in_types = [f.type for f in p.input.schema.fields]
        items: list[exp.Expression] = [exp.Star()]
        for c, x in zip(p.calls, names[width:], strict=True):
            items.append(alias(over_call(c, p, cols, in_types, self.ctx), x))
        return self.emit(exp.select(*items, copy=False).from_(src.cte, copy=False), names)

    def _rank(
        self,
        src: Rel,
        partition: tuple[int, ...],
        order: tuple[n.SortKey, ...],
        fn_name: str,
        lower: int,
        upper: int,
        rank_name: str | None,
        names: tuple[str, ...],
    ) -> Rel:
        cols = src.cols()
        rn = names[-1] if rank_name is not None else "$rn"
        window = exp.Window(
            this=exp.Anonymous(this=fn_name, expressions=[]),
            partition_by=[fresh(cols[i]) for i in partition] or None,
            order=exp.Order(expressions=[ordered(fresh(cols[k.index]), k) for k in order])
            if order
            else None,
        )
        inner = exp.select(exp.Star(), alias(window, rn), copy=False).from_(src.cte, copy=False)
        cond: exp.Expression = (
            exp.EQ(this=col(rn), expression=exp.Literal.number(lower))
            if lower == upper
            else exp.Between(
                this=col(rn), low=exp.Literal.number(lower), high=exp.Literal.number(upper)
            )
        )
        outer_items = [exp.Star()] if rank_name is not None else [star(("$rn",))]
        select = (
            exp.select(*outer_items, copy=False)
            .from_(
                exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("t"))),
                copy=False,
            )
            .where(cond, copy=False)
        )
        return self.emit(select, names)

    def _Rank(self, p: n.Rank) -> Rel:
        src = self.lower(p.input)
        return self._rank(
            src,
            p.partition,
            p.order,
            p.fn.value.lower(),
            p.lower,
            p.upper,
            p.rank_name,
            self.names_of(p),
        )

    def _WindowRank(self, p: n.WindowRank) -> Rel:
        src = self.lower(p.input)
        partition = tuple(dict.fromkeys((*p.partition, *p.window_bounds)))
        return self._rank(
            src,
            partition,
            p.order,
            p.fn.value.lower(),
            p.lower,
            p.upper,
            p.rank_name,
            self.names_of(p),
        )

    def _Deduplicate(self, p: n.Deduplicate) -> Rel:
        # Ties on the time column are broken arbitrarily (streaming keeps arrival order).
        src = self.lower(p.input)
        key = n.SortKey(p.time_col, descending=p.keep_last)
        return self._rank(src, p.keys, (key,), "row_number", 1, 1, p.rank_name, self.names_of(p))

    def _WindowDeduplicate(self, p: n.WindowDeduplicate) -> Rel:
        src = self.lower(p.input)
        key = n.SortKey(p.time_col, descending=p.keep_last)
        partition = tuple(dict.fromkeys((*p.keys, *p.window_bounds)))
        return self._rank(src, partition, (key,), "row_number", 1, 1, None, self.names_of(p))

    def _Sink(self, p: n.Sink) -> Rel:
        src = self.lower(p.input)
        names = self.names_of(p)
        items = [alias(col(c), x) for c, x in zip(src.names, names, strict=True)]
        return self.emit(exp.select(*items, copy=False).from_(src.cte, copy=False), names)


def _aliased(cte: str, name: str) -> exp.Table:
    return exp.Table(
        this=exp.to_identifier(cte), alias=exp.TableAlias(this=exp.to_identifier(name))
    )


def _equi_pair(e: Expr, nl: int) -> tuple[Expr, Expr] | None:
    """`a = b` with a reading only the left side and b only the right (or swapped)."""
    if not (isinstance(e, Call) and e.name == "EQUALS" and len(e.args) == 2):
        return None
    a, b = e.args
    ra, rb = a.column_refs, b.column_refs
    if ra and rb and max(ra) < nl <= min(rb):
        return a, b
    if ra and rb and max(rb) < nl <= min(ra):
        return b, a
    return None


__all__ = ["ColumnRef", "InternalError", "Rel", "RelLowerer", "Source", "unique_names"]
