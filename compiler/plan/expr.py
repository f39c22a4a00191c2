"""Scalar expression IR: typed, frozen, position-based column references.

Function and operator names are Flink's upper-case names (`PLUS`, `EQUALS`, `SUBSTRING`);
`plan.sql_text` prints them back as SQL-like text for explain output and golden files.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import field, fields
from decimal import Decimal
from typing import Any, ClassVar

from nrtg.catalog import types as t
from nrtg.catalog.errors import InternalError, Span
from nrtg.catalog.types import SqlType

from .cached import cached
from .frozen import frozen

LiteralValue = (
    None
    | bool
    | int
    | float
    | Decimal
    | str
    | bytes
    | dt.date
    | dt.time
    | dt.datetime
    | dt.timedelta
)


@functools.cache
def field_names(cls: type) -> tuple[str, ...]:
    """Dataclass field names per class; `dataclasses.fields` is slow on hot walks."""
    return tuple(f.name for f in fields(cls))


# Operand field annotations, by how deep in tuples the operands sit.
_OPERAND_DEPTH = {
    "Expr": 0,
    "Expr | None": 0,
    "tuple[Expr, ...]": 1,
    "tuple[tuple[Expr, Expr], ...]": 2,
}


@functools.cache
def _operand_fields(cls: type) -> tuple[tuple[str, int], ...]:
    """The fields of an expression class that hold its operands, read once from the
    annotations: walks read children far too often to test every field's value."""
    out = []
    for f in fields(cls):
        annotation = str(f.type)
        depth = _OPERAND_DEPTH.get(annotation)
        if depth is not None:
            out.append((f.name, depth))
        elif "Expr" in annotation:
            raise InternalError(f"{cls.__name__}.{f.name}: unsupported operand annotation")
    return tuple(out)


@frozen()
class Expr:
    type: SqlType
    # Spans are debugging metadata: they must never make two equal expressions unequal.
    span: Span | None = field(default=None, compare=False, repr=False)

    @cached
    def children(self) -> tuple[Expr, ...]:
        out: list[Expr] = []
        for name, depth in _operand_fields(type(self)):
            value = getattr(self, name)
            if depth == 0:
                if value is not None:
                    out.append(value)
            elif depth == 1:
                out.extend(value)
            else:
                for item in value:
                    out.extend(item)
        return tuple(out)

    def replace(self, **changes: Any) -> Expr:
        values = self.__dict__
        fresh = {name: values[name] for name in field_names(type(self))}
        fresh.update(changes)
        return type(self)(**fresh)

    @cached
    def column_refs(self) -> frozenset[int]:
        """Input ordinals this expression reads."""
        refs: set[int] = set()
        for c in self.children:
            refs |= c.column_refs
        return frozenset(refs)


@frozen()
class ColumnRef(Expr):
    index: int
    name: str
    # A leaf: no operands to find for each of the many references rules build.
    children: ClassVar[tuple[Expr, ...]] = ()  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.index < 0:
            raise InternalError(f"negative column index for {self.name}")

    @cached
    def column_refs(self) -> frozenset[int]:
        return frozenset({self.index})


@frozen()
class Literal(Expr):
    value: LiteralValue
    children: ClassVar[tuple[Expr, ...]] = ()  # type: ignore[assignment]  # a leaf


@frozen()
class Call(Expr):
    """A scalar function or operator; `name` is the registry's canonical name."""

    name: str
    args: tuple[Expr, ...] = ()


@frozen()
class Cast(Expr):
    input: Expr
    safe: bool = False  # TRY_CAST: NULL instead of an error


@frozen()
class Case(Expr):
    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr | None = None


@frozen()
class FieldAccess(Expr):
    """`row_expr.field` on a ROW-typed value."""

    input: Expr
    field_name: str


@frozen()
class AggCall:
    """One aggregate in an Aggregate/WindowAggregate/Over: `name(args) [FILTER (WHERE f)]`.
    `filter` is the ordinal of a BOOLEAN input column, as in Calcite's AggregateCall."""

    name: str
    args: tuple[int, ...]
    type: SqlType
    distinct: bool = False
    filter: int | None = None
    alias: str = ""
    span: Span | None = field(default=None, compare=False, repr=False)


# -- helpers ----------------------------------------------------------------------------------
TRUE = Literal(value=True, type=t.boolean(nullable=False))
FALSE = Literal(value=False, type=t.boolean(nullable=False))


def and_(*terms: Expr) -> Expr:
    parts: list[Expr] = []
    for term in terms:
        if isinstance(term, Call) and term.name == "AND":
            parts.extend(term.args)
        elif term != TRUE:
            parts.append(term)
    if not parts:
        return TRUE
    if len(parts) == 1:
        return parts[0]
    nullable = any(p.type.nullable for p in parts)
    return Call(name="AND", args=tuple(parts), type=t.boolean(nullable))


def conjuncts(e: Expr) -> tuple[Expr, ...]:
    if isinstance(e, Call) and e.name == "AND":
        return tuple(x for a in e.args for x in conjuncts(a))
    if e == TRUE:
        return ()
    return (e,)


def shift_refs(e: Expr, offset: int, start: int = 0) -> Expr:
    """Add `offset` to every column ordinal ≥ start (moving an expression across a join side)."""
    return remap_refs(e, lambda i: i + offset if i >= start else i)


def remap_refs(e: Expr, mapping: Any) -> Expr:
    """Rewrite column ordinals with `mapping(old) -> new` (a callable or a dict)."""
    fn = mapping.__getitem__ if isinstance(mapping, dict) else mapping
    return _map(e, fn)


def _map(e: Expr, fn: Any) -> Expr:
    if isinstance(e, ColumnRef):
        new = fn(e.index)
        return e if new == e.index else e.replace(index=new)
    if isinstance(e, Literal):
        return e
    if isinstance(e, Call):
        args = tuple(_map(a, fn) for a in e.args)
        return e if args == e.args else e.replace(args=args)
    if isinstance(e, Cast):
        return e.replace(input=_map(e.input, fn))
    if isinstance(e, FieldAccess):
        return e.replace(input=_map(e.input, fn))
    if isinstance(e, Case):
        whens = tuple((_map(c, fn), _map(v, fn)) for c, v in e.whens)
        default = None if e.default is None else _map(e.default, fn)
        return e.replace(whens=whens, default=default)
    raise InternalError(f"remap_refs: unknown expression {type(e).__name__}")


def substitute(e: Expr, exprs: tuple[Expr, ...]) -> Expr:
    """Replace every ColumnRef i with exprs[i] (inlining a projection)."""
    if isinstance(e, ColumnRef):
        return exprs[e.index]
    if isinstance(e, Literal):
        return e
    if isinstance(e, Call):
        return e.replace(args=tuple(substitute(a, exprs) for a in e.args))
    if isinstance(e, Cast | FieldAccess):
        return e.replace(input=substitute(e.input, exprs))
    if isinstance(e, Case):
        whens = tuple((substitute(c, exprs), substitute(v, exprs)) for c, v in e.whens)
        default = None if e.default is None else substitute(e.default, exprs)
        return e.replace(whens=whens, default=default)
    raise InternalError(f"substitute: unknown expression {type(e).__name__}")


NONDETERMINISTIC = frozenset(
    {
        "PROCTIME",
        "NOW",
        "CURRENT_TIMESTAMP",
        "LOCALTIMESTAMP",
        "CURRENT_DATE",
        "CURRENT_TIME",
        "CURRENT_ROW_TIMESTAMP",
        "LOCALTIME",
        "RAND",
        "RAND_INTEGER",
        "UUID",
        "UNIX_TIMESTAMP",
    }
)


def is_deterministic(e: Expr) -> bool:
    # UNIX_TIMESTAMP(x) with an argument is deterministic; without, it reads the clock.
    if (
        isinstance(e, Call)
        and e.name in NONDETERMINISTIC
        and not (e.name == "UNIX_TIMESTAMP" and e.args)
    ):
        return False
    return all(is_deterministic(c) for c in e.children)
