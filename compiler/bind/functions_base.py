"""The function registry's building blocks: FunctionInfo, parameter kinds, argument checking,
and the declarative `scalar(...)` spec most built-ins use.

A spec pairs a FunctionInfo with a *rule*: `rule(name, args, span) -> Expr` checks and coerces
the bound arguments and returns the typed Call. Family modules (`functions_string.py`, ...)
build tuples of specs; `functions.py` assembles them into one immutable registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from nrtg.catalog import types as t
from nrtg.catalog.errors import Span
from nrtg.catalog.types import SqlType

from ..errors import TypeCheckError
from ..plan.expr import Call, Cast, Expr, Literal
from . import coercion

FunctionKind = TypingLiteral["scalar", "aggregate", "window", "table"]
Nullability = TypingLiteral["args", "always", "never", "first"]


@dataclass(frozen=True)
class FunctionInfo:
    """What the binder needs to know about a built-in before typing a call to it."""

    name: str
    kind: FunctionKind
    min_args: int
    max_args: int | None  # None: varargs
    deterministic: bool
    doc: str  # one line, with Flink's signature


Rule = Callable[[str, tuple[Expr, ...], Span | None], Expr]
AggRule = Callable[[str, tuple[SqlType, ...], bool, Span | None], SqlType]


@dataclass(frozen=True)
class Spec:
    info: FunctionInfo
    rule: Rule | None = None  # scalar functions and operators
    agg_rule: AggRule | None = None  # aggregate and window functions
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Param:
    """A parameter kind: `label` is what error messages call it; `default` types a NULL
    literal passed to it."""

    label: str
    accepts: Callable[[SqlType], bool]
    default: SqlType


STRING = Param("STRING", lambda x: x.is_string, t.string())
INTEGER = Param("an integer", lambda x: x.is_integer, t.int_())
NUMERIC = Param("NUMERIC", lambda x: x.is_numeric, t.double())
EXACT = Param("an exact numeric", lambda x: x.is_integer or x.kind is t.Kind.DECIMAL, t.int_())
BOOLEAN = Param("BOOLEAN", lambda x: x.is_boolean, t.boolean())
TIMESTAMP = Param("TIMESTAMP or TIMESTAMP_LTZ", lambda x: x.is_timestamp, t.timestamp(3))
DATETIME = Param("DATE, TIME or TIMESTAMP", lambda x: x.is_datetime, t.timestamp(3))
DATE_OR_TIMESTAMP = Param(
    "DATE or TIMESTAMP", lambda x: x.kind is t.Kind.DATE or x.is_timestamp, t.timestamp(3)
)
TIMESTAMP_OR_STRING = Param(
    "TIMESTAMP or STRING", lambda x: x.is_timestamp or x.is_string, t.timestamp(3)
)
STRING_OR_BINARY = Param("STRING or BYTES", lambda x: x.is_string or x.is_binary, t.string())
NUMERIC_OR_STRING = Param("NUMERIC or STRING", lambda x: x.is_numeric or x.is_string, t.string())
ANY = Param("any type", lambda x: True, t.string())
ARRAY = Param("ARRAY", lambda x: x.kind is t.Kind.ARRAY, t.array(t.string()))
MAP = Param("MAP", lambda x: x.kind is t.Kind.MAP, t.map_(t.string(), t.string()))
COLLECTION = Param(
    "ARRAY, MAP or MULTISET",
    lambda x: x.kind in (t.Kind.ARRAY, t.Kind.MAP, t.Kind.MULTISET),
    t.array(t.string()),
)

ReturnRule = SqlType | Callable[[tuple[SqlType, ...]], SqlType | None]


def show(ty: SqlType) -> str:
    """A type as error messages print it: without NOT NULL (as Calcite's messages)."""
    return str(ty.with_nullable(True))


# -- errors -----------------------------------------------------------------------------------
def arity_text(min_args: int, max_args: int | None) -> str:
    if max_args is None:
        return f"at least {min_args} argument{'s' if min_args != 1 else ''}"
    if min_args == max_args == 0:
        return "no arguments"
    if min_args == max_args:
        return f"{min_args} argument{'s' if min_args != 1 else ''}"
    if max_args == min_args + 1:
        return f"{min_args} or {max_args} arguments"
    return f"{min_args} to {max_args} arguments"


def check_arity(info: FunctionInfo, count: int, span: Span | None) -> None:
    if count < info.min_args or (info.max_args is not None and count > info.max_args):
        what = arity_text(info.min_args, info.max_args)
        raise TypeCheckError(
            f"function {info.name} takes {what}, got {count}",
            span,
            hint=info.doc,
        )


def arg_error(
    name: str, position: int, expected: str, actual: SqlType, span: Span | None
) -> TypeCheckError:
    return TypeCheckError(
        f"function {name} argument {position} must be {expected}, got {show(actual)}", span
    )


def signature_error(name: str, args: tuple[Expr, ...], span: Span | None) -> TypeCheckError:
    types = ", ".join(show(a.type) for a in args)
    return TypeCheckError(f"function {name} cannot be applied to ({types})", span)


# -- helpers ----------------------------------------------------------------------------------
def coerce(e: Expr, target: SqlType) -> Expr:
    """`e` as `target`: unchanged when only nullability or a length differs, else a Cast."""
    src = e.type
    same_decimal = src.kind is not t.Kind.DECIMAL or (src.precision, src.scale) == (
        target.precision,
        target.scale,
    )
    if src.kind is target.kind and not src.is_nested and same_decimal:
        return e
    if src == target.with_nullable(src.nullable):
        return e
    return Cast(input=e, type=target.with_nullable(src.nullable), span=e.span)


def any_nullable(args: tuple[Expr, ...]) -> bool:
    return any(a.type.nullable for a in args)


def literal_value(e: Expr) -> object:
    """The value of a literal argument (through casts), or None when it is not a literal."""
    while isinstance(e, Cast):
        e = e.input
    return e.value if isinstance(e, Literal) else None


def literal_int(e: Expr) -> int | None:
    v = literal_value(e)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def literal_str(e: Expr) -> str | None:
    v = literal_value(e)
    return v.upper() if isinstance(v, str) else None


def info(
    name: str,
    min_args: int,
    max_args: int | None,
    doc: str,
    *,
    kind: FunctionKind = "scalar",
    deterministic: bool = True,
) -> FunctionInfo:
    return FunctionInfo(name, kind, min_args, max_args, deterministic, doc)


def scalar(
    name: str,
    params: tuple[Param, ...],
    returns: ReturnRule,
    doc: str,
    *,
    optional: int = 0,
    varargs: Param | None = None,
    nulls: Nullability = "args",
    deterministic: bool = True,
    aliases: tuple[str, ...] = (),
) -> Spec:
    """A function with positional parameters (the last `optional` may be omitted, `varargs`
    repeats), a return type (fixed or computed from the argument types) and a nullability
    rule: "args" nullable when any argument is, "first" when the first is, "always", "never"."""
    min_args = len(params) - optional
    max_args = None if varargs is not None else len(params)
    fi = info(name, min_args, max_args, doc, deterministic=deterministic)

    def rule(call_name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
        check_arity(fi, len(args), span)
        checked: list[Expr] = []
        for i, arg in enumerate(args):
            param = params[i] if i < len(params) else varargs
            assert param is not None
            if arg.type.is_null:
                checked.append(
                    Cast(input=arg, type=param.default.with_nullable(True), span=arg.span)
                )
                continue
            if not param.accepts(arg.type):
                raise arg_error(fi.name, i + 1, param.label, arg.type, span)
            checked.append(arg)
        typed = tuple(checked)
        types = tuple(a.type for a in typed)
        rtype = returns if isinstance(returns, SqlType) else returns(types)
        if rtype is None:
            raise signature_error(fi.name, args, span)
        rtype = coercion.with_nullable(rtype, _nullable(nulls, typed, rtype))
        return Call(name=fi.name, args=typed, type=rtype, span=span)

    return Spec(fi, rule=rule, aliases=aliases)


def _nullable(nulls: Nullability, args: tuple[Expr, ...], rtype: SqlType) -> bool:
    if nulls == "always":
        return True
    if nulls == "never":
        return False
    if nulls == "first":
        return bool(args) and args[0].type.nullable
    return any_nullable(args)


def custom(
    name: str,
    min_args: int,
    max_args: int | None,
    doc: str,
    rule: Rule,
    *,
    deterministic: bool = True,
    aliases: tuple[str, ...] = (),
) -> Spec:
    """A function whose typing needs code (literal arguments, common types, ...). The arity
    is checked before `rule` runs."""
    fi = info(name, min_args, max_args, doc, deterministic=deterministic)

    def checked(call_name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
        check_arity(fi, len(args), span)
        return rule(fi.name, args, span)

    return Spec(fi, rule=checked, aliases=aliases)


def same_as(index: int) -> Callable[[tuple[SqlType, ...]], SqlType | None]:
    return lambda types: types[index]


def common_args(
    name: str, args: tuple[Expr, ...], span: Span | None, what: str = "arguments"
) -> tuple[tuple[Expr, ...], SqlType]:
    """Coerce `args` to their least restrictive type (COALESCE, GREATEST, ARRAY[...])."""
    ctype = coercion.common_type([a.type for a in args])
    if ctype is None:
        types = ", ".join(show(a.type) for a in args)
        raise TypeCheckError(f"function {name} {what} have no common type: {types}", span)
    return tuple(coerce(a, ctype) for a in args), ctype
