"""Generic traversal over plan nodes: children come from the dataclass fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .nodes import Plan


def walk(plan: Plan) -> Iterator[Plan]:
    """Pre-order, each shared node once."""
    seen: set[int] = set()
    stack = [plan]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(reversed(node.children))


def transform_up(plan: Plan, fn: Callable[[Plan], Plan]) -> Plan:
    """Rebuild bottom-up: children first, then `fn` on the node. Shared subplans are rewritten
    once and stay shared."""
    memo: dict[int, Plan] = {}

    def go(node: Plan) -> Plan:
        key = id(node)
        if key in memo:
            return memo[key]
        rebuilt = node.with_children(tuple(go(c) for c in node.children))
        out = fn(rebuilt)
        memo[key] = out
        return out

    return go(plan)


def transform_down(plan: Plan, fn: Callable[[Plan], Plan]) -> Plan:
    """Apply `fn` top-down: to the node, then to the children of its result."""
    memo: dict[int, Plan] = {}

    def go(node: Plan) -> Plan:
        key = id(node)
        if key in memo:
            return memo[key]
        top = fn(node)
        out = top.with_children(tuple(go(c) for c in top.children))
        memo[key] = out
        return out

    return go(plan)
