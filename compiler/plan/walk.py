"""Generic traversal over plan nodes: children come from the dataclass fields.

The transforms take `only`, the node types at which `fn` can change anything: a subtree that
holds none of them (`Plan.kinds`) is kept as it is without being visited; and optionally a
`memo` shared by walks with the same `fn`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .nodes import Plan

Kinds = frozenset[type[Plan]]
# id(node) -> (node, its rewrite). A transform's result for a subtree depends on the subtree
# alone, so a memo handed to several walks with the same `fn` skips subtrees met before; it
# holds each node, so that an id in it stays that node's.
Memo = dict[int, tuple[Plan, Plan]]


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


def copy_plan(plan: Plan) -> Plan:
    """The same plan made of new nodes; a subplan shared within it stays shared. The copies
    start with the facts already computed on the originals (they are the same)."""
    return _copy(plan, {})


# Cached node facts that follow from the node's fields and its inputs' facts alone (not
# `children`, which are the copy's own inputs).
_STRUCTURAL_FACTS = ("schema", "changelog", "upsert_keys", "kinds")


def _copy(node: Plan, memo: dict[int, Plan]) -> Plan:
    done = memo.get(id(node))
    if done is None:
        done = memo[id(node)] = node.rebuilt(tuple([_copy(c, memo) for c in node.children]))
        known, fresh = node.__dict__, done.__dict__
        for name in _STRUCTURAL_FACTS:
            if name in known and name not in fresh:
                fresh[name] = known[name]
    return done


# The walks recurse through module-level functions rather than closures: a closure that calls
# itself is a reference cycle, which kept its memo (and every plan the walk built) alive until
# the next garbage collection instead of freeing it on return.


def transform_up(
    plan: Plan, fn: Callable[[Plan], Plan], only: Kinds | None = None, memo: Memo | None = None
) -> Plan:
    """Rebuild bottom-up: children first, then `fn` on the node. Shared subplans are rewritten
    once and stay shared."""
    return _up(plan, fn, only, {} if memo is None else memo)


def _up(node: Plan, fn: Callable[[Plan], Plan], only: Kinds | None, memo: Memo) -> Plan:
    done = memo.get(id(node))
    if done is not None and done[0] is node:
        return done[1]
    if only is not None and only.isdisjoint(node.kinds):
        out = node
    else:
        kids = node.children
        rebuilt = (
            node.with_children(tuple([_up(c, fn, only, memo) for c in kids])) if kids else node
        )
        out = fn(rebuilt)
    memo[id(node)] = (node, out)
    return out


def transform_down(
    plan: Plan, fn: Callable[[Plan], Plan], only: Kinds | None = None, memo: Memo | None = None
) -> Plan:
    """Apply `fn` top-down: to the node, then to the children of its result."""
    return _down(plan, fn, only, {} if memo is None else memo)


def _down(node: Plan, fn: Callable[[Plan], Plan], only: Kinds | None, memo: Memo) -> Plan:
    done = memo.get(id(node))
    if done is not None and done[0] is node:
        return done[1]
    if only is not None and only.isdisjoint(node.kinds):
        out = node
    else:
        top = fn(node)
        kids = top.children
        out = top.with_children(tuple([_down(c, fn, only, memo) for c in kids])) if kids else top
    memo[id(node)] = (node, out)
    return out
