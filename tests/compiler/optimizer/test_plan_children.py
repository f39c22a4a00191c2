"""Plan and Expr children, read from the class annotations, are exactly the field values that
are plans / expressions, in field order, for every node of the Nexmark plans (bound and
optimized); rebuilt() over the same children gives an equivalent node."""

from __future__ import annotations

from pathlib import Path

import pytest

from nrtg import golden
from nrtg.catalog.errors import NrtgError
from nrtg.catalog.memory import MemoryCatalog
from nrtg.compiler.api import compile_sql
from nrtg.compiler.plan.expr import Expr, field_names
from nrtg.compiler.plan.nodes import Plan
from nrtg.persist import apply_changes

NEXMARK = Path(golden.ROOT) / "cases" / "nexmark"


def _scan(node: object, kind: type) -> list[object]:
    """Every value of `kind` in the node's fields, in field order, tuples flattened."""
    out: list[object] = []

    def add(value: object) -> None:
        if isinstance(value, kind):
            out.append(value)
        elif isinstance(value, tuple):
            for item in value:
                add(item)

    for name in field_names(type(node)):
        add(getattr(node, name))
    return out


def _plans() -> list[Plan]:
    catalog = MemoryCatalog()
    ddl = (golden.ROOT / "catalogs" / "nexmark.sql").read_text()
    apply_changes(catalog, compile_sql(ddl, catalog).bound.changes)
    roots: list[Plan] = []
    for path in sorted(NEXMARK.glob("q*.sql")):
        try:
            result = compile_sql(golden.load_case(path).body, catalog)
            roots += [*result.optimized]
        except NrtgError:
            continue  # q6 is refused by design
    return roots


def _walk(plan: Plan, out: list[Plan]) -> list[Plan]:
    out.append(plan)
    for c in plan.children:
        _walk(c, out)
    return out


ROOTS = _plans()


def test_corpus_has_plans() -> None:
    assert len(ROOTS) >= 20


@pytest.mark.parametrize("root", ROOTS)
def test_children_are_the_plan_and_expr_fields(root: Plan) -> None:
    for node in _walk(root, []):
        assert list(node.children) == _scan(node, Plan)
        assert node.rebuilt(node.children).children == node.children
        exprs = [e for e in _scan(node, Expr) if isinstance(e, Expr)]
        stack = list(exprs)
        while stack:
            e = stack.pop()
            assert list(e.children) == _scan(e, Expr)
            stack.extend(e.children)
