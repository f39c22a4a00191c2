"""Bound views kept across compiles, reused while everything they read is unchanged.

A catalog view is re-bound from its stored text wherever a query names it; a process that
compiles many jobs against one catalog (Nexmark's `bid`, `auction`, `person`) spent a third
of binding there. An entry holds the view object, the current database its names were
resolved in, every catalog/session lookup the binding made with the object it found, and
every user-function resolution with its answer. It is reused only when the view is the same
object and each lookup and resolution gives the same answer again (the same object: catalogs
replace definitions, never mutate them), so a changed table, view or function, or a session
object shadowing a catalog one, binds the view anew. Failed bindings are not kept.

Plans compare nodes by identity, so two uses of a view must stay two subplans: a session is
handed an entry's own plan once (the binding that made it counts), every further use a copy
made of new plan nodes. Plans are immutable, so sessions may share an entry's plan. A view
bound or reused inside another view's binding ends up in that view's entry, so there it is
always a copy, and an entry made there is always copied out: no entry's plan holds another's.
Expressions are immutable values and are shared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nrtg.catalog import types as t
from nrtg.catalog.schema import Ident, TableDef, ViewDef

from ..plan.nodes import Plan
from ..plan.walk import copy_plan
from .session import Session

Udf = Callable[[str], tuple[str, t.SqlType] | None]
Resolution = tuple[str, tuple[str, t.SqlType] | None]

_MAX_ENTRIES = 256


@dataclass(frozen=True)
class _Entry:
    view: ViewDef
    database: str
    reads: tuple[tuple[Ident, TableDef | ViewDef | None], ...]
    functions: tuple[Resolution, ...]
    plan: Plan
    nested: bool  # bound inside another view's binding: its plan is part of that one's


_ENTRIES: dict[int, _Entry] = {}


def reuse(view: ViewDef, session: Session, udf: Udf | None, nested: bool) -> Plan | None:
    """`view`'s bound plan (a copy unless `session` has not had it yet and neither the entry
    nor this use is `nested` in another view's binding), or None when it must be bound. The
    checks go through `session` and `udf`, so an enclosing view's recording sees them as its
    own."""
    entry = _ENTRIES.get(id(view))
    if entry is None or entry.view is not view or entry.database != session.database:
        return None
    for ident, found in entry.reads:
        if session.lookup(ident) is not found:
            return None
    for name, answer in entry.functions:
        if (udf(name) if udf is not None else None) != answer:
            return None
    if nested or entry.nested or id(entry.plan) in session.views_handed_out:
        return copy_plan(entry.plan)
    session.views_handed_out.add(id(entry.plan))
    return entry.plan


def remember(
    view: ViewDef,
    session: Session,
    reads: Sequence[tuple[Ident, TableDef | ViewDef | None]],
    functions: Sequence[Resolution],
    plan: Plan,
    nested: bool,
) -> None:
    """Keeps `plan`, which the binding that made it hands to `session`."""
    if len(_ENTRIES) >= _MAX_ENTRIES:
        _ENTRIES.clear()
    entry = _Entry(view, session.database, tuple(reads), tuple(functions), plan, nested)
    _ENTRIES[id(view)] = entry
    session.views_handed_out.add(id(plan))
