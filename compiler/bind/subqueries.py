"""Subqueries as joins, the way Flink's planner decorrelates them.

WHERE tests: a top-level conjunct of WHERE may be `[NOT] EXISTS (query)` or
`expr [NOT] IN (query)` (a one-column query). The query's FROM is joined to the outer rows:
SEMI keeps an outer row that has a match, ANTI one that has none. When the query is a plain
`SELECT [DISTINCT] … FROM … [WHERE …]`, its WHERE may refer to the outer query's columns
(correlation) and becomes the join condition; inner names shadow outer ones. Any other query
(GROUP BY, LIMIT, set operations, …) is bound on its own and must not be correlated.
`x NOT IN (q)` is true only when no value of q equals x or is NULL, and NULL for a NULL x over a
non-empty q: the anti join's condition is `x = y OR x IS NULL OR y IS NULL` (Flink's null-aware
anti join), plain `x = y` when neither side can be NULL. IN and EXISTS elsewhere (SELECT list,
under OR) are refused with a hint.

Scalar subqueries (`bind_scalars`): one aggregate without GROUP BY, in SELECT, WHERE or HAVING,
LEFT-joined as one row; correlated through `inner = outer` equalities, grouped by those keys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlglot import exp

from nrtg.catalog.errors import Span

from ..errors import UnsupportedError
from ..plan import nodes as n
from ..plan.expr import ColumnRef, Expr, and_
from . import functions
from .contents import AGG, SCALAR, Contents, find_aggs, find_windows
from .expressions import span
from .scope import Scope, ScopeColumn

if TYPE_CHECKING:
    from .query import Bound, QueryBinder


@dataclass(frozen=True)
class CorrelatedScope(Scope):
    """The outer columns followed by the subquery's FROM columns (from `inner_from` on); a name
    resolves among the inner columns first, as SQL's nested scopes do."""

    inner_from: int = 0

    def resolve(self, name: str, qualifier: str | None, span: Span | None) -> ScopeColumn:
        for part in (self.columns[self.inner_from :], self.columns[: self.inner_from]):
            if any(
                c.field.name == name and (qualifier is None or c.qualifier == qualifier)
                for c in part
            ):
                return Scope(part).resolve(name, qualifier, span)
        raise self.unknown(name, qualifier, span)


@dataclass(frozen=True)
class _Test:
    negated: bool
    query: exp.Expression  # the subquery's query (Select, Union, ...)
    value: exp.Expression | None  # IN's left operand; None for EXISTS
    node: exp.Expression


def _conjuncts(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    if isinstance(node, exp.Paren) and isinstance(node.this, exp.And):
        return _conjuncts(node.this)
    return [node]


def _as_test(node: exp.Expression) -> _Test | None:
    negated = isinstance(node, exp.Not)
    inner = node.this if negated else node
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if isinstance(inner, exp.Exists):
        return _Test(negated, _unwrap(inner.this), None, node)
    if isinstance(inner, exp.In) and inner.args.get("query") is not None:
        return _Test(negated, _unwrap(inner.args["query"]), inner.this, node)
    return None


def _unwrap(query: exp.Expression) -> exp.Expression:
    while isinstance(query, exp.Subquery):
        query = query.this
    return query


def _plain(query: exp.Expression) -> bool:
    """SELECT [DISTINCT] … FROM … [WHERE …]: the form whose WHERE may be correlated."""
    if not isinstance(query, exp.Select) or query.args.get("from_") is None:
        return False
    # DISTINCT does not change which outer rows have a match
    blocking = ("group", "having", "limit", "offset", "order", "qualify", "with")
    if any(query.args.get(k) for k in blocking):
        return False
    return not any(find_aggs(e) or find_windows(e) for e in query.expressions)


def bind_where(qb: QueryBinder, plan: n.Plan, scope: Scope, where: exp.Where) -> n.Plan:
    """`plan` filtered by WHERE: the plain conjuncts as one Filter, each subquery test as a
    semi or anti join on top (the scope is unchanged: those joins keep only the left columns)."""
    tests: list[_Test] = []
    plain: list[exp.Expression] = []
    for c in _conjuncts(where.this):
        test = _as_test(c)
        (plain if test is None else tests).append(test or c)  # type: ignore[arg-type]
    if not tests:
        predicate = qb.expr_binder(scope).bind_predicate(where.this, "WHERE")
        return n.Filter(input=plan, predicate=predicate, span=span(where))
    if plain:
        predicate = and_(*(qb.expr_binder(scope).bind_predicate(c, "WHERE") for c in plain))
        plan = n.Filter(input=plan, predicate=predicate, span=span(where))
    for test in tests:
        plan = _join(qb, plan, scope, test)
    return plan


def _join(qb: QueryBinder, plan: n.Plan, scope: Scope, test: _Test) -> n.Plan:
    s = span(test.node)
    query = test.query
    width = len(scope.columns)
    terms: list[Expr] = []
    if _plain(query):
        assert isinstance(query, exp.Select)
        right = qb.bind_from(query)
        binder = qb.expr_binder(
            CorrelatedScope(scope.concat(right.scope).columns, inner_from=width)
        )
        where = query.args.get("where")
        if where is not None:
            terms.append(binder.bind_predicate(where.this, "WHERE"))
        items = query.expressions
        one = len(items) == 1 and not isinstance(items[0], exp.Star)
        selected = (lambda: binder.bind(items[0].unalias())) if one else None
    else:
        right = qb.bind_query(query)
        fields = right.plan.schema.fields
        one = len(fields) == 1
        selected = (
            (lambda: ColumnRef(index=width, name=fields[0].name, type=fields[0].type))
            if one
            else None
        )
    if test.value is not None:
        if selected is None:
            raise UnsupportedError(
                "the subquery of IN must select exactly one column",
                span(query),
                hint="SELECT the one value to compare with",
            )
        x = qb.expr_binder(scope).bind(test.value)
        y = selected()
        eq = functions.operator_call("EQUALS", (x, y), s)
        if test.negated and (x.type.nullable or y.type.nullable):
            nulls = [functions.operator_call("IS_NULL", (v,), s) for v in (x, y)]
            eq = functions.operator_call("OR", (eq, *nulls), s)
        terms.append(eq)
    kind = n.JoinKind.ANTI if test.negated else n.JoinKind.SEMI
    return n.Join(left=plan, right=right.plan, kind=kind, condition=and_(*terms), span=s)


# -- scalar subqueries ---------------------------------------------------------------------------
def _scalar_nodes(node: exp.Expression, out: list[exp.Expression]) -> None:
    """The scalar subqueries in `node`, outermost only (IN and EXISTS are not scalar)."""
    if isinstance(node, exp.Subquery):
        parent = node.parent
        if not (isinstance(parent, exp.In) and parent.args.get("query") is node):
            out.append(node)
        return
    if isinstance(node, exp.Select | exp.Exists):
        return
    for child in node.iter_expressions():
        _scalar_nodes(child, out)


def _single_row(query: exp.Expression) -> bool:
    """A global aggregate (aggregates, no GROUP BY): exactly one row in batch, at most one at
    a time in a stream, so the join cannot multiply the outer rows."""
    return (
        isinstance(query, exp.Select)
        and not any(query.args.get(k) for k in ("group", "limit", "offset", "distinct"))
        and len(query.expressions) == 1
        and bool(find_aggs(query.expressions[0]))
    )


def _correlation(
    qb: QueryBinder, query: exp.Select, scope: Scope
) -> tuple[exp.Select, list[Expr]] | None:
    """A correlated aggregate as that aggregate grouped by its correlation keys, and the outer
    expressions those keys must equal (None when nothing refers to the outer row). Its WHERE
    may AND inner conditions with `inner = outer` equalities; nothing else may read the outer
    row."""
    where = query.args.get("where")
    if where is None or query.args.get("from_") is None:
        return None
    width = len(scope.columns)
    right = qb.bind_from(query)
    binder = qb.expr_binder(CorrelatedScope(scope.concat(right.scope).columns, inner_from=width))

    def side(node: exp.Expression) -> str:
        """Which rows `node` reads: "inner", "outer", or "both" (a constant counts as inner)."""
        refs = binder.bind(node).column_refs
        if all(r >= width for r in refs):
            return "inner"
        return "outer" if all(r < width for r in refs) else "both"

    kept: list[exp.Expression] = []
    keys: list[exp.Expression] = []
    outer: list[Expr] = []
    for c in _conjuncts(where.this):
        if side(c) == "inner":
            kept.append(c)
            continue
        pair = (c.this, c.expression) if isinstance(c, exp.EQ) else None
        sides = {side(x): x for x in pair} if pair is not None else {}
        if set(sides) != {"inner", "outer"}:
            raise UnsupportedError(
                "a correlated scalar subquery may only relate to the outer row through "
                "`inner = outer` conditions AND-ed in its WHERE",
                span(c),
            )
        keys.append(sides["inner"])
        outer.append(qb.expr_binder(scope).bind(sides["outer"]))
    if not keys:
        return None
    item = query.expressions[0]
    counted = [a for a in find_aggs(item) if isinstance(a, exp.Count)]
    if counted and not isinstance(item.unalias(), exp.Count):
        raise UnsupportedError(
            "COUNT inside an expression of a correlated scalar subquery is not supported yet",
            span(item),
            hint="select the COUNT alone and compute with it outside the subquery",
        )
    grouped = query.copy()
    grouped.set(
        "expressions",
        [exp.alias_(k.copy(), f"$key{j}", quoted=True) for j, k in enumerate(keys)] + [item.copy()],
    )
    grouped.set("where", exp.Where(this=exp.and_(*kept)) if kept else None)
    grouped.set("group", exp.Group(expressions=[k.copy() for k in keys]))
    return grouped, outer


def bind_scalars(
    qb: QueryBinder, sel: exp.Select, src: Bound, contents: Contents
) -> tuple[exp.Select, Bound]:
    """Scalar subqueries of SELECT, WHERE and HAVING as LEFT joins of their one row onto the
    FROM rows (Flink joins them the same way): each becomes a hidden column `$scalar<i>` that
    the expression reads. A correlated one (`_correlation`) is grouped by its correlation keys
    and joined on them. `sel` is copied before its subqueries are replaced
    (parsed statements are cached and reused). `contents` answers for `sel`."""
    places = [*sel.expressions, *(sel.args.get(k) for k in ("where", "having"))]
    if not any(contents.of(p) & SCALAR for p in places if p is not None):
        return sel, src
    found: list[exp.Expression] = []
    for place in places:
        if place is not None:
            _scalar_nodes(place, found)
    copied = sel.copy()
    twins: list[exp.Expression] = []  # the same subqueries in the copy, met in the same order
    for place in [*copied.expressions, *(copied.args.get(k) for k in ("where", "having"))]:
        if place is not None:
            _scalar_nodes(place, twins)
    plan, scope = src.plan, src.scope
    grouped_query = copied.args.get("group")
    aggregated = grouped_query is not None or any(contents.of(e) & AGG for e in sel.expressions)
    for i, (node, twin) in enumerate(zip(found, twins, strict=True)):
        query = _unwrap(node)
        if not _single_row(query):
            raise UnsupportedError(
                "a scalar subquery must be one aggregate without GROUP BY (one row); "
                "other scalar subqueries are not supported yet",
                span(node),
                hint="rewrite it as a JOIN, or as [NOT] EXISTS / IN in WHERE",
            )
        assert isinstance(query, exp.Select)
        width = len(scope.columns)
        correlation = _correlation(qb, query, scope)
        grouped, outer = correlation if correlation is not None else (query, [])
        if aggregated and (outer or grouped_query is None):
            raise UnsupportedError(
                "in an aggregating query a scalar subquery must be uncorrelated and the query "
                "must have a GROUP BY",
                span(node),
                hint="compute the aggregate in a subquery in FROM and compare outside it",
            )
        right = qb.bind_query(grouped)
        fields = right.plan.schema.fields
        condition = and_(
            *(
                functions.operator_call(
                    "EQUALS",
                    (x, ColumnRef(index=width + j, name=fields[j].name, type=fields[j].type)),
                    span(node),
                )
                for j, x in enumerate(outer)
            )
        )
        plan = n.Join(
            left=plan, right=right.plan, kind=n.JoinKind.LEFT, condition=condition, span=span(node)
        )
        # the joined columns, nullable (a stream's empty aggregate has no row yet), hidden
        joined = [
            replace(f, name=f"$scalar{i}" if j == len(outer) else f"$scalar{i}_key{j}")
            for j, f in enumerate(plan.schema.fields[width:])
        ]
        scope = scope.concat(
            Scope(tuple(ScopeColumn(None, f, j, hidden=True) for j, f in enumerate(joined)))
        )
        value: exp.Expression = exp.column(joined[-1].name, quoted=True)
        if outer and isinstance(query.expressions[0].unalias(), exp.Count):
            # no matching inner row: COUNT is 0, not the LEFT join's NULL
            value = exp.func("COALESCE", value, exp.Literal.number(0))
        twin.replace(value)
        if aggregated:  # one value for every row: grouping by it too keeps the groups
            grouped_query.append("expressions", exp.column(joined[-1].name, quoted=True))
    from .query import Bound  # query.py imports select.py, which imports this module

    return copied, Bound(plan, scope)
