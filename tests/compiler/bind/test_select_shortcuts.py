"""The binder's shortcuts answer as the slow paths they replace (compiler/bind/select.py,
compiler/bind/contents.py): a sort key's explicit NULLS ordering without generating its text,
and a SELECT's aggregates, windows and scalar subqueries from one walk."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlglot import exp

from nrtg.compiler.bind.contents import AGG, SCALAR, WINDOW, Contents, find_windows, is_agg
from nrtg.compiler.bind.select import _explicit_nulls
from nrtg.compiler.parse.parse import parse_query

ORDERS = [
    "a",
    "a ASC",
    "a DESC",
    "a NULLS FIRST",
    "a NULLS LAST",
    "a ASC NULLS FIRST",
    "a ASC NULLS LAST",
    "a DESC NULLS FIRST",
    "a DESC NULLS LAST",
    "t.a DESC",
    "`nulls first`",
    "t.`Nulls Last` DESC",
    "a + 1 NULLS LAST",
    "CONCAT(s, 'nulls first')",
    "2 DESC",
]


@pytest.mark.parametrize("key", ORDERS)
def test_explicit_nulls_matches_the_generated_text(key: str) -> None:
    query = parse_query(f"SELECT a, s FROM t ORDER BY {key}")
    (ordered,) = query.args["order"].expressions
    text = ordered.sql().upper()
    assert _explicit_nulls(ordered) == ("NULLS FIRST" in text or "NULLS LAST" in text)


ITEMS = [
    "a",
    "COUNT(*)",
    "COUNT(*) FILTER (WHERE a > 1)",
    "SUM(a) + MAX(b)",
    "ROW_NUMBER() OVER (ORDER BY a)",
    "SUM(a) OVER (PARTITION BY b ORDER BY a)",
    "(SELECT MAX(a) FROM u)",
    "a IN (SELECT b FROM u)",
    "EXISTS (SELECT SUM(b) FROM u)",
    "COALESCE((SELECT COUNT(*) FROM u WHERE u.b = t.a), 0) + SUM(a)",
    "CASE WHEN a > 0 THEN MAX(a) ELSE (SELECT MIN(b) FROM u) END",
    "(SELECT ROW_NUMBER() OVER (ORDER BY b) FROM u)",
]


def _aggs(x: exp.Expression, out: list[exp.Expression]) -> list[exp.Expression]:
    """The search Contents.aggs replaces: the whole tree, stopping at windows and subqueries."""
    if isinstance(x, exp.Window | exp.Subquery | exp.Select):
        return out
    if (isinstance(x, exp.Filter) and is_agg(x.this)) or is_agg(x):
        out.append(x)
        return out
    for child in x.iter_expressions():
        _aggs(child, out)
    return out


def _scalars(node: exp.Expression) -> list[exp.Expression]:
    from nrtg.compiler.bind.subqueries import _scalar_nodes

    out: list[exp.Expression] = []
    _scalar_nodes(node, out)
    return out


def _ids(nodes: Sequence[exp.Expression]) -> list[int]:
    return [id(x) for x in nodes]


@pytest.mark.parametrize("item", ITEMS)
def test_contents_match_the_walks(item: str) -> None:
    query = parse_query(f"SELECT {item} FROM t")
    node = query.expressions[0]
    contents = Contents()
    for sub in [node, *node.walk()]:
        bits = contents.of(sub)
        assert bool(bits & AGG) == bool(_aggs(sub, []))
        assert bool(bits & WINDOW) == bool(find_windows(sub))
        assert bool(bits & SCALAR) == bool(_scalars(sub))
        assert _ids(contents.aggs(sub)) == _ids(_aggs(sub, []))
        assert _ids(contents.windows(sub)) == _ids(find_windows(sub))
