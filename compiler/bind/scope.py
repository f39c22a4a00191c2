"""Name resolution: the columns visible at one point of a query, with their qualifiers."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import count, repeat
from typing import NamedTuple

from nrtg.catalog.errors import Span
from nrtg.catalog.schema import Field

from ..errors import BindError
from ..plan.cached import cached


class ScopeColumn(NamedTuple):
    """A NamedTuple rather than a frozen dataclass: every table, join and subquery builds one
    per column, and a tuple is built without a `object.__setattr__` call per field."""

    qualifier: str | None  # table name or alias that qualifies it
    field: Field
    index: int
    hidden: bool = False  # not expanded by `*` (e.g. a join's duplicate USING column)


def scope_columns(
    qualifiers: Iterable[str | None],
    fields: Iterable[Field],
    indexes: Iterable[int],
    hidden: Iterable[bool],
) -> tuple[ScopeColumn, ...]:
    """ScopeColumns of the parallel iterables (up to the shortest), made by C iterators and
    tuple.__new__ rather than a Python frame per column: every table, join and subquery
    makes a scope, and the frames were most of the cost."""
    rows = zip(qualifiers, fields, indexes, hidden, strict=False)  # some are endless repeats
    return tuple(map(tuple.__new__, repeat(ScopeColumn), rows))


@dataclass(frozen=True)
class Scope:
    columns: tuple[ScopeColumn, ...]

    @staticmethod
    def of(fields: tuple[Field, ...], qualifier: str | None) -> Scope:
        return Scope(scope_columns(repeat(qualifier), fields, count(), repeat(False)))

    def concat(self, other: Scope) -> Scope:
        if not other.columns:
            return Scope(self.columns)
        qualifiers, fields, indexes, hidden = zip(*other.columns, strict=True)
        shifted = scope_columns(qualifiers, fields, map(len(self.columns).__add__, indexes), hidden)
        return Scope(self.columns + shifted)

    @property
    def qualifiers(self) -> set[str]:
        return {c.qualifier for c in self.columns if c.qualifier is not None}

    @cached
    def _by_name(self) -> dict[str, tuple[ScopeColumn, ...]]:
        """The columns of each name, in scope order: every column reference looks one up."""
        out: dict[str, tuple[ScopeColumn, ...]] = {}
        for c in self.columns:
            out[c.field.name] = (*out.get(c.field.name, ()), c)
        return out

    @cached
    def _qualifiers(self) -> frozenset[str | None]:
        return frozenset(c.qualifier for c in self.columns)

    def has_qualifier(self, name: str) -> bool:
        return name in self._qualifiers

    def resolve(self, name: str, qualifier: str | None, span: Span | None) -> ScopeColumn:
        named = self._by_name.get(name, ())
        if qualifier is None and len(named) == 1:
            return named[0]
        matches = [c for c in named if qualifier is None or c.qualifier == qualifier]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            visible = [m for m in matches if not m.hidden]
            if len(visible) == 1:
                return visible[0]
            tables = ", ".join(sorted({str(m.qualifier) for m in matches}))
            raise BindError(
                f"column '{name}' is ambiguous: it exists in {tables}",
                span,
                hint=f"qualify it, e.g. {sorted({str(m.qualifier) for m in matches})[0]}.{name}",
            )
        raise self.unknown(name, qualifier, span)

    def unknown(self, name: str, qualifier: str | None, span: Span | None) -> BindError:
        if qualifier is not None and not self.has_qualifier(qualifier):
            known = ", ".join(sorted(self.qualifiers)) or "none"
            return BindError(
                f"table or alias '{qualifier}' not found; tables in scope: {known}", span
            )
        candidates = [
            c.field.name for c in self.columns if qualifier is None or c.qualifier == qualifier
        ]
        where = (
            f"table '{qualifier}'"
            if qualifier
            else (
                "tables " + ", ".join(sorted(self.qualifiers)) if self.qualifiers else "the input"
            )
        )
        hint = suggest(name, candidates)
        return BindError(f"column '{name}' not found in {where}", span, hint=hint)


def suggest(name: str, candidates: list[str]) -> str | None:
    for c in candidates:
        if c.lower() == name.lower():
            return f"did you mean '{c}'? Flink SQL identifiers are case-sensitive"
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if candidates and len(candidates) <= 12:
        return "available columns: " + ", ".join(candidates)
    return None
