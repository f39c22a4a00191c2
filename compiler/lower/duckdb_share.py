"""Two plan-level improvements the batch lowering makes (measured in bench/batch.py):

* **Shared subplans.** Two subtrees that compute the same thing (Nexmark q5's two HOP
  aggregates over `bid`) lower to one CTE; when the shared part does real work (an aggregate,
  a join, a window, ...) the CTE is `MATERIALIZED`, so DuckDB reads and aggregates the input
  once. `StructureKeys.key(plan)` numbers plans by structure (spans ignored); a subtree that
  calls a non-deterministic function (RAND, UUID, PROCTIME, NOW, ...) is never shared.

* **Filters that decide a CASE.** A view over a one-table layout (Nexmark's `bid`: `WHERE
  event_type = 2` above `dateTime AS CASE WHEN event_type = 0 THEN person.dateTime ...`) makes
  every scan read all three structs. `fold_filtered_case(filter)` moves `column = literal`
  conjuncts on pass-through columns below the projection and folds the CASE branches they
  decide, so `dateTime` becomes `bid.dateTime` and DuckDB reads only the `bid` column (and
  `fold_project_over_filter` folds a projection right above such a filter):

      Filter(event_type = 2 AND p)           Filter(p)  (or no Filter without other conjuncts)
        [AssignWatermark]           =>         Project(event_type, bid, bid.dateTime)
          Project(..., CASE ...)                 Filter(event_type = 2)
            x                                      x
"""

from __future__ import annotations

import dataclasses
from typing import Any

from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import (
    Call,
    Case,
    ColumnRef,
    Expr,
    Literal,
    and_,
    conjuncts,
    field_names,
    remap_refs,
)

NON_DETERMINISTIC = frozenset(
    {
        "RAND",
        "RAND_INTEGER",
        "UUID",
        "PROCTIME",
        "NOW",
        "LOCALTIMESTAMP",
        "LOCALTIME",
        "CURRENT_TIMESTAMP",
        "CURRENT_TIME",
        "CURRENT_DATE",
        "CURRENT_ROW_TIMESTAMP",
        "UNIX_TIMESTAMP",
    }
)
# Row-wise nodes, cheap to recompute: sharing them is left to DuckDB (no MATERIALIZED).
_CHEAP = (n.TableScan, n.Project, n.Filter, n.AssignWatermark, n.Values, n.WindowTVF)
_CHILD = "$child"  # a plan-valued field in `_params` (children are compared by their numbers)


class StructureKeys:
    """Numbers plans by structure: equal numbers = the same computation.

    Plans are bucketed by class and their children's numbers; only a plan that lands in an
    occupied bucket has its parameters collected and compared (and its calls checked for
    non-determinism), so a plan without a structural twin costs no walk of its fields."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[n.Plan, int]] = {}
        # bucket -> [plan, its number, its parameters once a twin candidate needed them]
        self._buckets: dict[tuple[type, tuple[int, ...]], list[list[Any]]] = {}
        self._count = 0

    def key(self, plan: n.Plan) -> int:
        found = self._by_id.get(id(plan))
        if found is not None and found[0] is plan:
            return found[1]
        bucket_key = (type(plan), tuple([self.key(c) for c in plan.children]))
        bucket = self._buckets.get(bucket_key)
        number = None
        if bucket is None:
            bucket = self._buckets[bucket_key] = []
        else:
            params = _params(plan)
            for entry in bucket:
                if entry[2] is None:
                    entry[2] = _params(entry[0])
                if entry[2] == params:
                    number = entry[1]
                    break
            if number is not None and _non_deterministic(params):
                number = None
        if number is None:
            number = self._count
            self._count += 1
            bucket.append([plan, number, None])
        self._by_id[id(plan)] = (plan, number)
        return number


def _params(plan: n.Plan) -> tuple[Any, ...]:
    """The plan's fields but its span, its children marked by position only."""
    out: list[Any] = []
    for name in field_names(type(plan)):
        if name == "span":
            continue
        value = getattr(plan, name)
        if isinstance(value, n.Plan):
            value = _CHILD
        elif isinstance(value, tuple) and value and isinstance(value[0], n.Plan):
            value = (_CHILD, len(value))
        out.append(value)
    return tuple(out)


def _non_deterministic(value: Any) -> bool:
    """Whether `value` (a plan's parameters) calls a non-deterministic function anywhere in its
    expressions: one loop over a stack, not a call per node."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, tuple):
            stack.extend(v)
        elif isinstance(v, Expr):
            if isinstance(v, Call) and v.name.upper() in NON_DETERMINISTIC:
                return True
            stack.extend(v.children)
    return False


def worth_materializing(plan: n.Plan) -> bool:
    """Whether a shared subplan does more than read, project and filter."""
    if not isinstance(plan, _CHEAP):
        return True
    return any(worth_materializing(c) for c in plan.children)


# -- filters that decide a CASE ---------------------------------------------------------------


def fold_filtered_case(f: n.Filter) -> n.Plan | None:
    """The rewritten plan (see the module doc), or None when nothing folds."""
    below = f.input.input if isinstance(f.input, n.AssignWatermark) else f.input
    if not isinstance(below, n.Project):
        return None
    known: dict[int, Literal] = {}  # input ordinal of the projection -> its value
    pushed: list[Expr] = []
    rest: list[Expr] = []
    for c in conjuncts(f.predicate):
        rest.append(c)
        if not (isinstance(c, Call) and c.name == "EQUALS" and len(c.args) == 2):
            continue
        ref, lit = c.args
        if isinstance(ref, Literal):
            ref, lit = lit, ref
        if not (isinstance(ref, ColumnRef) and isinstance(lit, Literal) and lit.value is not None):
            continue
        source = below.exprs[ref.index]
        if isinstance(source, ColumnRef) and source.index not in known:
            known[source.index] = lit
            pushed.append(remap_refs(c, {ref.index: source.index}))
            rest.pop()
    if not known:
        return None
    exprs = tuple(_fold(e, known) for e in below.exprs)
    if all(a is b for a, b in zip(exprs, below.exprs, strict=True)):
        return None
    inner = n.Filter(input=below.input, predicate=and_(*pushed), span=f.span)
    project = below.replace(input=inner, exprs=exprs)
    assert isinstance(project, n.Project)
    if not rest:
        return project
    return n.Filter(input=project, predicate=and_(*rest), span=f.span)


def fold_project_over_filter(p: n.Project) -> n.Project | None:
    """A projection right above a filter: fold the CASE branches the filter's `col = literal`
    conjuncts decide (a Filter keeps its input's columns in place)."""
    below = p.input.input if isinstance(p.input, n.AssignWatermark) else p.input
    if not isinstance(below, n.Filter):
        return None
    known = _known(conjuncts(below.predicate))
    if not known:
        return None
    exprs = tuple(_fold(e, known) for e in p.exprs)
    if all(a is b for a, b in zip(exprs, p.exprs, strict=True)):
        return None
    project = p.replace(exprs=exprs)
    assert isinstance(project, n.Project)
    return project


def _known(terms: tuple[Expr, ...]) -> dict[int, Literal]:
    out: dict[int, Literal] = {}
    for c in terms:
        if isinstance(c, Call) and c.name == "EQUALS" and len(c.args) == 2:
            ref, lit = c.args
            if isinstance(ref, Literal):
                ref, lit = lit, ref
            if isinstance(ref, ColumnRef) and isinstance(lit, Literal) and lit.value is not None:
                out.setdefault(ref.index, lit)
    return out


def _decided(cond: Expr, known: dict[int, Literal]) -> bool | None:
    """True/False when `known` decides `cond` (`col = literal`), else None."""
    if isinstance(cond, Call) and cond.name == "EQUALS" and len(cond.args) == 2:
        a, b = cond.args
        if isinstance(a, Literal):
            a, b = b, a
        if isinstance(a, ColumnRef) and isinstance(b, Literal) and a.index in known:
            if b.value is None:
                return None
            return bool(known[a.index].value == b.value)
    return None


def _fold(e: Expr, known: dict[int, Literal]) -> Expr:
    if not isinstance(e, Case):
        return e
    whens: list[tuple[Expr, Expr]] = []
    for cond, value in e.whens:
        decided = _decided(cond, known)
        if decided is False:
            continue
        if decided is True and not whens:
            return _as(value, e)
        whens.append((cond, value))
        if decided is True:
            break
    if not whens:
        return _as(e.default, e) if e.default is not None else e
    if len(whens) == len(e.whens):
        return e
    return e.replace(whens=tuple(whens))


def _as(value: Expr, case: Case) -> Expr:
    """`value` where the CASE stood, if it has the CASE's type (nullability aside)."""
    if dataclasses.replace(value.type, nullable=case.type.nullable) == case.type:
        return value
    return case
