"""Subqueries bound as joins (compiler/bind/subqueries.py): WHERE tests as semi/anti joins
(name resolution in correlated subqueries, NOT IN's null-aware condition), scalar subqueries
as LEFT joins of one row, and the refusals."""

from __future__ import annotations

import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.errors import BindError, UnsupportedError
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.sql_text import sql

DDL = """
CREATE TABLE t (a INT, c INT, s STRING NOT NULL) WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json');
CREATE TABLE u (b INT, c INT, s STRING NOT NULL) WITH ('connector' = 'filesystem', 'path' = '/y', 'format' = 'json');
"""


def joins(query: str) -> list[n.Join]:
    plan = compile_sql(DDL + query).logical[-1]
    found: list[n.Join] = []

    def walk(p: n.Plan) -> None:
        if isinstance(p, n.Join):
            found.append(p)
        for child in p.children:
            walk(child)

    walk(plan)
    return found


def condition(join: n.Join) -> str:
    return sql(join.condition)


def test_inner_names_shadow_outer_ones_and_outer_ones_stay_reachable() -> None:
    (join,) = joins("SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE c = a AND u.s = t.s);")
    assert join.kind is n.JoinKind.SEMI
    width = len(join.left.schema)
    refs = sorted(join.condition.column_refs)
    # `c` is u.c (inner), `a` and t.s are the outer row's
    assert refs == [0, 2, width + 1, width + 2]


def test_not_in_is_null_aware_unless_neither_side_can_be_null() -> None:
    (nullable,) = joins("SELECT a FROM t WHERE a NOT IN (SELECT b FROM u);")
    assert nullable.kind is n.JoinKind.ANTI
    assert "IS NULL" in condition(nullable)
    (strict,) = joins("SELECT a FROM t WHERE s NOT IN (SELECT s FROM u);")
    assert "IS NULL" not in condition(strict)
    (semi,) = joins("SELECT a FROM t WHERE a IN (SELECT b FROM u);")
    assert semi.kind is n.JoinKind.SEMI and "IS NULL" not in condition(semi)


def test_a_grouped_subquery_is_bound_on_its_own() -> None:
    (join,) = joins("SELECT a FROM t WHERE a IN (SELECT MAX(b) FROM u GROUP BY c);")
    assert isinstance(join.right, n.Project | n.Aggregate)
    with pytest.raises(BindError, match="'t' not found"):
        joins("SELECT a FROM t WHERE a IN (SELECT MAX(b) FROM u WHERE u.c = t.c GROUP BY c);")


def test_in_needs_one_column_and_subqueries_elsewhere_are_refused() -> None:
    with pytest.raises(UnsupportedError, match="exactly one column"):
        joins("SELECT a FROM t WHERE a IN (SELECT b, c FROM u);")
    with pytest.raises(UnsupportedError, match="conjunct of WHERE"):
        joins("SELECT a FROM t WHERE a IN (SELECT b FROM u) OR c = 1;")
    with pytest.raises(UnsupportedError, match="one aggregate without GROUP BY"):
        joins("SELECT (SELECT b FROM u) AS m FROM t;")


def test_a_scalar_subquery_is_a_left_join_of_its_one_row() -> None:
    query = "SELECT a, (SELECT MAX(b) FROM u) AS m FROM t WHERE c < (SELECT COUNT(*) FROM u);"
    outer, inner = joins(query)
    assert outer.kind is inner.kind is n.JoinKind.LEFT
    assert sql(outer.condition) == sql(inner.condition) == "TRUE"
    plan = compile_sql(DDL + query).logical[-1]
    assert [f.name for f in plan.schema.fields] == ["a", "m"]  # the joined columns stay hidden
    assert plan.schema.fields[1].type.nullable  # no row yet in a stream: NULL


def test_a_correlated_scalar_subquery_is_grouped_by_its_keys() -> None:
    query = "SELECT a, (SELECT COUNT(*) FROM u WHERE u.c = t.c AND b > 0) AS n FROM t;"
    (join,) = joins(query)
    assert join.kind is n.JoinKind.LEFT
    assert isinstance(join.right, n.Project)
    (agg,) = [p for p in [join.right.input] if isinstance(p, n.Aggregate)]
    assert len(agg.group) == 1  # grouped by u.c; `b > 0` filters inside
    plan = compile_sql(DDL + query).logical[-1]
    assert "COALESCE" in sql(plan.exprs[1])  # type: ignore[attr-defined]  # no row: 0
    with pytest.raises(UnsupportedError, match="inner = outer"):
        joins("SELECT a FROM t WHERE a > (SELECT AVG(b) FROM u WHERE u.c > t.c);")
    with pytest.raises(UnsupportedError, match="COUNT inside an expression"):
        joins("SELECT (SELECT COUNT(*) + 1 FROM u WHERE u.c = t.c) AS m FROM t;")


def test_an_aggregating_query_groups_by_an_uncorrelated_scalar_only() -> None:
    plan = compile_sql(
        DDL + "SELECT c, COUNT(*) AS k FROM t GROUP BY c HAVING COUNT(*) > (SELECT MAX(b) FROM u);"
    ).logical[-1]
    assert [f.name for f in plan.schema.fields] == ["c", "k"]
    with pytest.raises(UnsupportedError, match="must have a GROUP BY"):
        joins("SELECT COUNT(*) + (SELECT MAX(b) FROM u) AS k FROM t;")
    with pytest.raises(UnsupportedError, match="must be uncorrelated"):
        joins("SELECT c, (SELECT MAX(b) FROM u WHERE u.c = t.c) AS m FROM t GROUP BY c;")


def test_a_distinct_subquery_may_be_correlated() -> None:
    (join,) = joins("SELECT a FROM t WHERE a IN (SELECT DISTINCT b FROM u WHERE u.c = t.c);")
    assert join.kind is n.JoinKind.SEMI
    assert isinstance(join.right, n.TableScan)  # DISTINCT cannot change a semi join's matches
