"""operands, find_all and span_of's bounds walk see the same nodes, in the same order, as
sqlglot's own iter_expressions / find_all, over the golden corpus and the round-trip queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlglot import exp

from nrtg import golden
from nrtg.compiler.parse.nodes import find_all, operands, span_of
from nrtg.compiler.parse.parse import parse_query, parse_script

from .test_roundtrip import QUERIES

NEXMARK = Path(golden.ROOT) / "cases" / "nexmark"


def _trees() -> list[exp.Expr]:
    """The queries of every Nexmark case (views and INSERT sources too), then QUERIES."""
    trees = []
    for path in sorted(NEXMARK.glob("q*.sql")):
        for stmt in parse_script(golden.load_case(path).body).statements:
            query = getattr(stmt, "query", None)
            if isinstance(query, exp.Expr):
                trees.append(query)
    return trees + [parse_query(q) for q in QUERIES]


def _reference_bounds(node: exp.Expr) -> tuple[int, int] | None:
    """The union of the node's own and its descendants' token bounds, through sqlglot's walk."""
    start, end = node.meta.get("start"), node.meta.get("end")
    bounds = [] if start is None or end is None else [(start, end)]
    for child in node.iter_expressions():
        b = _reference_bounds(child)
        if b is not None:
            bounds.append(b)
    if not bounds:
        return None
    return min(b[0] for b in bounds), max(b[1] for b in bounds)


TREES = _trees()


def test_corpus_has_nexmark_queries() -> None:
    assert len(TREES) > len(QUERIES) + 20


@pytest.mark.parametrize("tree", TREES)
def test_walks_match_sqlglot(tree: exp.Expr) -> None:
    nodes = list(tree.walk())
    for node in nodes:
        assert operands(node) == list(node.iter_expressions())
    for kind in (exp.Identifier, exp.Column, exp.Window, exp.Select):
        found, expected = find_all(tree, kind), list(tree.find_all(kind))
        assert [id(n) for n in found] == [id(n) for n in expected]
    for node in nodes:
        span = span_of(node)
        ref = _reference_bounds(node)
        assert (None if span is None else (span.start, span.end - 1)) == ref
