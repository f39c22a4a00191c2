"""Joins and UNNEST in the batch lowering: regular, lookup, interval, window and event-time
temporal joins; semi/anti joins as EXISTS / NOT EXISTS."""

from __future__ import annotations

from sqlglot import exp

from nrtg.catalog.types import Kind
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan import traits
from nrtg.compiler.plan.expr import Call, Expr, conjuncts

from .duckdb_base import LowererBase, Rel, alias, aliased, ident
from .duckdb_context import ColRefs, col, fn, interval_ms, paren

OP = "$op"  # the changelog kind column of a versioned table's rows
SEQ = "$seq"  # and its position in the changelog


class JoinLowering(LowererBase):
    # -- joins --------------------------------------------------------------------------------
    def _join_cols(self, left: Rel, right: Rel) -> ColRefs:
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
            select = select.from_(aliased(left.cte, "l"), copy=False).where(cond, copy=False)
            return self.emit(select, names, left, right)
        w = self.w
        items = [w.column_as(c, "l", x) for c, x in zip(left.names, names, strict=False)]
        items += [
            w.column_as(c, "r", x)
            for c, x in zip(right.names, names[len(left.names) :], strict=True)
        ]
        side = {n.JoinKind.LEFT: "LEFT", n.JoinKind.RIGHT: "RIGHT", n.JoinKind.FULL: "FULL"}.get(
            kind
        )
        join = w.join(side, f"{right.cte} AS r", w.sql(on))
        return self.emit(w.select(items, f"{left.cte} AS l", joins=join), names, left, right)

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
        lt, rt = p.left_time, len(left.names) + p.right_time
        # left.time - right.time in [lower, upper]  <=>  r + lower <= l <= r + upper
        bounds = exp.and_(
            exp.GTE(
                this=cols[lt], expression=exp.Add(this=cols[rt], expression=interval_ms(p.lower_ms))
            ),
            exp.LTE(
                this=cols[lt], expression=exp.Add(this=cols[rt], expression=interval_ms(p.upper_ms))
            ),
            copy=False,
        )
        on = exp.and_(paren(self.expr(p.condition, cols)), bounds, copy=False)
        return self._join_select(p, left, right, p.kind, on)

    def _WindowJoin(self, p: n.WindowJoin) -> Rel:
        left, right = self.lower(p.left), self.lower(p.right)
        cols = self._join_cols(left, right)
        nl = len(left.names)
        same = [
            exp.EQ(this=cols[p.left_bounds[i]], expression=cols[nl + p.right_bounds[i]])
            for i in (0, 1)
        ]
        on = exp.and_(*same, paren(self.expr(p.condition, cols)), copy=False)
        return self._join_select(p, left, right, p.kind, on)

    def _TemporalJoin(self, p: n.TemporalJoin) -> Rel:
        """Event time: each left row meets the latest right version with right.time <=
        left.time among the rows matching the equi-keys (DuckDB ASOF JOIN, inclusive); the
        rest of the condition is applied to that version (inner: drop, left: NULL-pad), as
        Flink's TemporalRowTimeJoinOperator does. A versioned table read from a changelog
        contributes its +I/+U rows as versions and its -D rows as the end of a key's validity
        (a left row whose latest version is a delete meets nothing). Of the changes of one key
        at one time only the last in the changelog counts, as in Flink, which applies them in
        arrival order."""
        left = self.lower(p.left)
        versioned = not traits.is_insert_only(p.right.changelog)
        right = (
            self._last_per_instant(self._versions(p.right), p) if versioned else self.lower(p.right)
        )
        nl = len(left.names)
        cols = left.cols("l") + right.cols("r")[: len(p.right.schema)]
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
        time_cond = exp.GTE(this=cols[p.left_time], expression=cols[nl + p.right_time])
        names = self.names_of(p)
        kept = [paren(self.expr(r, cols)) for r in residual]
        if versioned:
            kept.append(exp.NEQ(this=col(OP, "r"), expression=exp.Literal.string("D")))
        ok = exp.and_(*kept, copy=False) if kept else None
        items: list[exp.Expression] = []
        for i, (c, x) in enumerate(zip(cols, names, strict=True)):
            value: exp.Expression = c
            if i >= nl and ok is not None and p.kind is n.JoinKind.LEFT:
                value = exp.Case(ifs=[exp.If(this=ok.copy(), true=value)])
            items.append(alias(value, x))
        side = "LEFT" if p.kind is n.JoinKind.LEFT else None
        join = exp.Join(
            this=aliased(right.cte, "r"),
            on=exp.and_(*equi, time_cond, copy=False),
            side=side,
            method="ASOF",
        )
        select = exp.select(*items, copy=False).from_(aliased(left.cte, "l"), copy=False)
        select.append("joins", join)
        if ok is not None and p.kind is not n.JoinKind.LEFT:
            select = select.where(ok, copy=False)
        return self.emit(select, names, left, right)

    def _last_per_instant(self, versions: Rel, p: n.TemporalJoin) -> Rel:
        """The last change (by changelog position, "$seq") per key and time."""
        cols = versions.cols()
        order = exp.Order(expressions=[exp.Ordered(this=col(SEQ), desc=True)])
        partition = [cols[k] for k in p.right_key] + [cols[p.right_time]]
        rank = exp.Window(
            this=exp.Anonymous(this="row_number", expressions=[]),
            partition_by=partition,
            order=order,
        )
        select = exp.select(exp.Star(), copy=False).from_(versions.table, copy=False)
        select.set("qualify", exp.Qualify(this=exp.EQ(this=rank, expression=exp.Literal.number(1))))
        return self.emit(select, versions.names, versions)

    def _versions(self, plan: n.Plan) -> Rel:
        """A versioned table's changelog rows (+I, +U and -D; -U dropped) with their kind and
        changelog position in trailing "$op" and "$seq" columns, through the scans, projections
        and filters above its source."""
        if isinstance(plan, n.TableScan):
            names = self.names_of(plan)
            relation = self.source_relation(plan, names, changes=True)
            select = exp.select(*[col(c) for c in (*names, OP, SEQ)], copy=False).from_(
                exp.Table(this=ident(relation)), copy=False
            )
            select = select.where(
                exp.NEQ(this=col(OP), expression=exp.Literal.string("UB")), copy=False
            )
            return self.emit(select, (*names, OP, SEQ))
        if isinstance(plan, n.AssignWatermark):
            return self._versions(plan.input)
        if isinstance(plan, n.Filter):
            src = self._versions(plan.input)
            cond = self.expr(plan.predicate, src.cols()[:-2])
            select = exp.select(exp.Star(), copy=False).from_(src.table, copy=False)
            return self.emit(select.where(cond, copy=False), src.names, src)
        if isinstance(plan, n.Project):
            src = self._versions(plan.input)
            names = self.names_of(plan)
            cols = src.cols()[:-2]
            items = [alias(self.expr(e, cols), x) for e, x in zip(plan.exprs, names, strict=True)]
            select = exp.select(*items, col(OP), col(SEQ), copy=False).from_(src.table, copy=False)
            return self.emit(select, (*names, OP, SEQ), src)
        raise UnsupportedError(
            f"the batch target reads a versioned table from a changelog only through scans, "
            f"projections and filters, not {type(plan).__name__}"
        )

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
        if p.ordinality:
            # the positions 1..n of the same list, unnested in step with its elements (BIGINT
            # in DuckDB, INT in Flink)
            subscripts = fn("generate_subscripts", arg.copy(), exp.Literal.number(1))
            inner.select(alias(exp.cast(subscripts, "INTEGER"), "$o"), copy=False)
        lateral = exp.Lateral(
            this=exp.Subquery(this=inner), alias=exp.TableAlias(this=exp.to_identifier("u"))
        )
        element = col("$e", "u")
        items = [alias(c, x) for c, x in zip(src.cols("l"), names[:width], strict=True)]
        extra = names[width : len(names) - p.ordinality]
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
        if p.ordinality:
            items.append(alias(col("$o", "u"), names[-1]))
        select = exp.select(*items, copy=False).from_(aliased(src.cte, "l"), copy=False)
        if p.left_outer:
            select.append("joins", exp.Join(this=lateral, side="LEFT", on=exp.true()))
        else:
            select.append("joins", exp.Join(this=lateral, kind="CROSS"))
        return self.emit(select, names, src)


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
