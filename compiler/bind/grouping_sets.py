"""GROUP BY GROUPING SETS / ROLLUP / CUBE, the way Flink's planner runs them: every input row is
repeated once per grouping set with the keys outside the set made NULL and the set's number
beside it (Flink's Expand), then one aggregate groups by the keys and that number. Here the
repetition is a UNION ALL of projections of the pre-aggregation projection, so both targets run
it with the operators they have.

A GROUP BY's items combine as a cross product: `GROUP BY a, ROLLUP(b, c)` is the sets (a, b, c),
(a, b), (a). ROLLUP(x, y) is (x, y), (x), (); CUBE(x, y) every subset; an item of GROUPING SETS
is a key, a parenthesized list of keys, or `()`. Duplicate sets stay duplicates (one group each,
as in the SQL standard). GROUPING(k, ...) and GROUPING_ID(k, ...) are the bit vectors of the
given keys (1 = not in the row's set, first key the most significant bit), as BIGINT."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlglot import exp

from nrtg.catalog import types as t
from nrtg.catalog.types import SqlType

from ..errors import BindError
from ..plan import nodes as n
from ..plan.expr import Call, Case, ColumnRef, Expr, Literal
from .expressions import span

SET_NUMBER = "$g"
FUNCTIONS = ("GROUPING", "GROUPING_ID")


def present(group_nodes: Sequence[exp.Expression]) -> bool:
    return any(isinstance(g, exp.GroupingSets | exp.Rollup | exp.Cube) for g in group_nodes)


def _elements(item: exp.Expression) -> list[exp.Expression]:
    """The keys of one GROUPING SETS item: `k`, `(k)`, `(a, b)` or `()`."""
    if isinstance(item, exp.Tuple):
        return list(item.expressions)
    if isinstance(item, exp.Paren):
        return _elements(item.this) if isinstance(item.this, exp.Tuple) else [item.this]
    return [item]


def enumerate_sets(
    group_nodes: Sequence[exp.Expression], bind: Callable[[exp.Expression], Expr]
) -> tuple[list[Expr], list[tuple[int, ...]]]:
    """The distinct keys (bound, in order of appearance) and the grouping sets as key indices."""
    keys: list[Expr] = []

    def key(node: exp.Expression) -> int:
        bound = bind(node)
        for i, k in enumerate(keys):
            if k == bound:
                return i
        keys.append(bound)
        return len(keys) - 1

    factors: list[list[tuple[int, ...]]] = []
    for g in group_nodes:
        if isinstance(g, exp.GroupingSets):
            factors.append([tuple(key(e) for e in _elements(item)) for item in g.expressions])
        elif isinstance(g, exp.Rollup):
            items = [key(e) for e in g.expressions]
            factors.append([tuple(items[:k]) for k in range(len(items), -1, -1)])
        elif isinstance(g, exp.Cube):
            items = [key(e) for e in g.expressions]
            factors.append(
                [
                    tuple(x for x, keep in zip(items, mask, strict=True) if keep)
                    for mask in itertools.product((True, False), repeat=len(items))
                ]
            )
        else:
            factors.append([(key(g),)])
    sets = [
        tuple(sorted(set(itertools.chain.from_iterable(combo))))
        for combo in itertools.product(*factors)
    ]
    return keys, sets


def expand(pre: n.Project, n_keys: int, sets: Sequence[tuple[int, ...]]) -> n.Plan:
    """Each row of `pre` (keys first) once per set: keys outside the set NULL, the set's number
    last."""
    fields = pre.schema.fields
    branches: list[n.Plan] = []
    for number, members in enumerate(sets):
        exprs: list[Expr] = []
        for i, f in enumerate(fields):
            if i < n_keys and i not in members:
                exprs.append(Literal(type=f.type.with_nullable(True), value=None))
            else:
                exprs.append(ColumnRef(type=f.type, index=i, name=f.name))
        exprs.append(Literal(type=t.int_(False), value=number))
        names = (*(f.name for f in fields), SET_NUMBER)
        branches.append(n.Project(input=pre, exprs=tuple(exprs), names=names))
    if len(branches) == 1:
        return branches[0]
    return n.SetOp(inputs=tuple(branches), kind=n.SetOpKind.UNION, all=True)


@dataclass(frozen=True)
class GroupingSets:
    """What post-aggregation binding needs: the keys, the sets, and where the set number is."""

    keys: tuple[Expr, ...]
    sets: tuple[tuple[int, ...], ...]
    number: ColumnRef  # the set number's column in the aggregate's output
    key_types: tuple[SqlType, ...]  # the keys' output types (NULL where a set leaves them out)

    def grouping(self, node: exp.Expression, bind: Callable[[exp.Expression], Expr]) -> Expr:
        """GROUPING/GROUPING_ID(k, ...): a CASE over the set number."""
        args = list(node.expressions) if isinstance(node, exp.Anonymous) else []
        if not args:
            raise BindError(f"{node.sql()} needs at least one grouping key", span(node))
        positions = []
        for a in args:
            bound = bind(a)
            if bound not in self.keys:
                raise BindError(
                    f"argument '{a.sql()}' of {node.sql()} is not a GROUP BY key", span(a)
                )
            positions.append(self.keys.index(bound))
        bigint = t.bigint(False)
        whens = []
        for number, members in enumerate(self.sets):
            bits = 0
            for p in positions:
                bits = (bits << 1) | (p not in members)
            when = Call(
                type=t.boolean(False),
                name="EQUALS",
                args=(self.number, Literal(type=t.int_(False), value=number)),
            )
            whens.append((when, Literal(type=bigint, value=bits)))
        return Case(type=bigint, whens=tuple(whens), default=Literal(type=bigint, value=0))
