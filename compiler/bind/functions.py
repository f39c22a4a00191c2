"""Flink's built-in function and operator registry: signatures, argument checks, implicit
casts and return types with Flink's nullability rules.

The families live in `functions_ops.py` (operators), `functions_string.py`,
`functions_json.py`, `functions_math.py`, `functions_time.py`, `functions_misc.py` (conditional, type, collection),
`functions_collection.py` (newer collection builders)
and `functions_agg.py` (aggregate and window functions); this module assembles them into one
immutable registry and is the binder's only entry point.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from nrtg.catalog.errors import Span
from nrtg.catalog.types import SqlType

from ..errors import BindError, TypeCheckError
from ..plan.expr import Expr
from .functions_agg import AGGREGATES
from .functions_base import FunctionInfo, Spec
from .functions_collection import COLLECTION_FUNCTIONS
from .functions_json import IS_JSON, JSON_FUNCTIONS
from .functions_math import MATH_FUNCTIONS
from .functions_misc import MISC_FUNCTIONS
from .functions_ops import OPERATORS
from .functions_string import STRING_FUNCTIONS
from .functions_time import TIME_FUNCTIONS

__all__ = [
    "FunctionInfo",
    "aggregate_type",
    "is_aggregate",
    "lookup",
    "operator_call",
    "scalar_call",
]


def _index(specs: tuple[Spec, ...], *, with_aliases: bool) -> Mapping[str, Spec]:
    table: dict[str, Spec] = {}
    for spec in specs:
        names = (spec.info.name, *spec.aliases) if with_aliases else (spec.info.name,)
        for name in names:
            if name in table:
                raise AssertionError(f"duplicate built-in {name}")
            table[name] = spec
    return MappingProxyType(table)


# Built once at import; read-only afterwards.
_FUNCTIONS = _index(
    STRING_FUNCTIONS
    + JSON_FUNCTIONS
    + MATH_FUNCTIONS
    + TIME_FUNCTIONS
    + MISC_FUNCTIONS
    + COLLECTION_FUNCTIONS
    + AGGREGATES,
    with_aliases=True,
)
_OPERATORS = _index((*OPERATORS, IS_JSON), with_aliases=False)


def lookup(name: str) -> FunctionInfo | None:
    """The built-in named `name` (case-insensitive; aliases such as SUBSTR, CEILING,
    CHARACTER_LENGTH resolve to the canonical name), or None."""
    spec = _FUNCTIONS.get(name.upper())
    return spec.info if spec is not None else None


def is_aggregate(name: str) -> bool:
    """True for aggregate and window (OVER-only) functions."""
    spec = _FUNCTIONS.get(name.upper())
    return spec is not None and spec.info.kind in ("aggregate", "window")


def scalar_call(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """Type-check a scalar built-in call and return the typed Call (canonical name, coerced
    arguments, Flink's return type and nullability)."""
    spec = _FUNCTIONS.get(name.upper())
    if spec is None:
        raise BindError(f"no function named {name.upper()}", span)
    if spec.rule is None:
        kind = "an aggregate" if spec.info.kind == "aggregate" else f"a {spec.info.kind}"
        raise TypeCheckError(
            f"{spec.info.name} is {kind} function and cannot be called as a scalar function",
            span,
        )
    return spec.rule(spec.info.name, args, span)


def operator_call(op: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """Type-check an operator (names as in plan/sql_text.py: PLUS, EQUALS, AND, IN, ...);
    MOD and other functions written as operators are accepted too."""
    spec = _OPERATORS.get(op.upper()) or _FUNCTIONS.get(op.upper())
    if spec is None or spec.rule is None:
        raise BindError(f"unknown operator {op}", span)
    return spec.rule(spec.info.name, args, span)


def aggregate_type(
    name: str, arg_types: tuple[SqlType, ...], distinct: bool, span: Span | None
) -> SqlType:
    """Result type of an aggregate or window function (COUNT(*) passes no argument types)."""
    spec = _FUNCTIONS.get(name.upper())
    if spec is None:
        raise BindError(f"no aggregate function named {name.upper()}", span)
    if spec.agg_rule is None:
        raise TypeCheckError(f"{spec.info.name} is not an aggregate function", span)
    return spec.agg_rule(spec.info.name, arg_types, distinct, span)


def all_functions() -> tuple[FunctionInfo, ...]:
    """Every registered built-in (canonical names only), sorted by name."""
    seen = {spec.info.name: spec.info for spec in _FUNCTIONS.values()}
    return tuple(seen[n] for n in sorted(seen))
