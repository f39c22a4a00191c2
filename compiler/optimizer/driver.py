"""The rule driver: RULES in order, each applied over the whole plan until nothing changes.

Two phases. LOGICAL rules (pushdown, folding, pruning) must leave every root's schema and
changelog mode exactly as they were. STREAMING rules recognise Flink's streaming operators
(window aggregate, Top-N, interval join, ...): they keep column names and types, but may refine
time attributes and changelog modes, because choosing the operator is what decides them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from nrtg.catalog.errors import InternalError

from ..plan.explain import explain
from ..plan.nodes import Plan
from ..plan.walk import Memo, transform_down, transform_up

Order = Literal["bottom_up", "top_down"]
RuleFn = Callable[[Plan, "RuleContext"], Plan]


@dataclass(frozen=True)
class Rule:
    name: str
    fn: RuleFn
    order: Order
    phase: Literal["logical", "streaming"]
    # The rule leaves every subtree without a node of these types unchanged, so the walk
    # skips such subtrees (a Top-N rule needs an Over below, a pushdown a Filter or a Join).
    only: frozenset[type[Plan]]


@dataclass
class RuleContext:
    options: dict[str, str] = field(default_factory=dict)


def rule(
    *only: type[Plan],
    order: Order = "bottom_up",
    phase: Literal["logical", "streaming"] = "logical",
) -> Callable[[RuleFn], Rule]:
    def wrap(fn: RuleFn) -> Rule:
        return Rule(fn.__name__, fn, order, phase, frozenset(only))

    return wrap


@dataclass
class Trace:
    """Per-rule record for `nrtg compile --verbose`: the roots after each applied rule (None when
    the rule changed nothing). Text is rendered on demand, never on the compile path."""

    steps: list[tuple[str, tuple[Plan, ...] | None]] = field(default_factory=list)

    def text(self) -> str:
        return "".join(
            f"-- {name}: unchanged\n" if roots is None else f"-- {name}: applied\n{explain(roots)}"
            for name, roots in self.steps
        )


def apply_rule(
    r: Rule, roots: tuple[Plan, ...], ctx: RuleContext, memo: Memo | None = None
) -> tuple[Plan, ...]:
    """`memo`, kept by the caller for this rule and context, spares the subtrees the rule has
    already rewritten (in an earlier pass, or under another root)."""
    seen: Memo = {} if memo is None else memo
    # id(node) -> (node, the rule's result on it), from the check; the walk reuses them.
    known: Memo = {}
    bottom_up = r.order == "bottom_up"
    if all(_unchanged(root, r.fn, ctx, r.only, seen, known, bottom_up) for root in roots):
        return roots

    def visit(node: Plan) -> Plan:
        done = known.get(id(node))
        return done[1] if done is not None and done[0] is node else r.fn(node, ctx)

    walker = transform_up if bottom_up else transform_down
    return tuple(walker(root, visit, r.only, seen) for root in roots)


def _unchanged(
    node: Plan,
    fn: RuleFn,
    ctx: RuleContext,
    only: frozenset[type[Plan]],
    memo: Memo,
    known: Memo,
    bottom_up: bool,
) -> bool:
    """Whether the rule's walk would return `node` as it is: exactly when the rule returns
    each node the walk visits unchanged (the walk rebuilds nothing else). Most rule
    applications change nothing, and this asks the rule about each node without the walk's
    rebuilding machinery; the nodes found unchanged go into the memo (a node and its whole
    subtree), the rule's result where it changes something into `known`, so that the walk
    after a change asks nothing twice."""
    done = memo.get(id(node))
    if done is not None and done[0] is node:
        return done[1] is node
    if only.isdisjoint(node.kinds):
        return True  # the walk keeps the subtree: no node in it is of these kinds
    if bottom_up:
        for c in node.children:
            if not _unchanged(c, fn, ctx, only, memo, known, bottom_up):
                return False
    out = fn(node, ctx)
    if out is not node:
        known[id(node)] = (node, out)
        return False
    if not bottom_up:
        for c in node.children:
            if not _unchanged(c, fn, ctx, only, memo, known, bottom_up):
                known[id(node)] = (node, node)
                return False
    memo[id(node)] = (node, node)
    return True


def _signature(p: Plan, strict: bool) -> object:
    if strict:
        return (p.schema, p.changelog)
    return tuple((f.name, f.type) for f in p.schema.fields)


def optimize(
    roots: tuple[Plan, ...],
    rules: tuple[Rule, ...] | None = None,
    ctx: RuleContext | None = None,
    trace: Trace | None = None,
    max_passes: int = 10,
) -> tuple[Plan, ...]:
    from .rules import RULES

    rules = RULES if rules is None else rules
    ctx = ctx or RuleContext()
    # A rule is a function of the plan: one that left these very roots unchanged would leave
    # them unchanged again, so the pass that confirms a fixpoint skips it.
    unchanged_on: dict[str, tuple[Plan, ...]] = {}
    memos: dict[str, Memo] = {r.name: {} for r in rules}
    for phase in ("logical", "streaming"):
        for _ in range(max_passes):
            changed = False
            for r in (x for x in rules if x.phase == phase):
                before = roots
                stable = unchanged_on.get(r.name) is roots
                after = roots if stable else apply_rule(r, roots, ctx, memos[r.name])
                if all(a is b for a, b in zip(after, before, strict=True)):
                    unchanged_on[r.name] = roots
                    if trace is not None:
                        trace.steps.append((r.name, None))
                    continue
                strict = phase == "logical"
                for a, b in zip(after, before, strict=True):
                    if _signature(a, strict) != _signature(b, strict):
                        raise InternalError(
                            f"rule {r.name} changed the plan's {'schema or changelog' if strict else 'schema'}:\n"
                            f"before:\n{explain(b, schema=True)}after:\n{explain(a, schema=True)}"
                        )
                if trace is not None:
                    trace.steps.append((r.name, after))
                roots = after
                changed = True
            if not changed:
                break
    return roots
