"""Operators: arithmetic, comparison, logical, IS [NOT] ..., `||`, LIKE, SIMILAR TO, IN.

Flink 2.x (Calcite validator with implicit type coercion off, see FLINK-24492): `=`/`<>`
between a numeric and a character string is rejected; ordering comparisons (`<`, `>=`, ...)
coerce the string to the numeric type; DATE/TIME/TIMESTAMP compare with a string literal by
casting the string. Numerics of different kinds compare in their common type.
"""

from __future__ import annotations

import functools

from nrtg.catalog import types as t
from nrtg.catalog.errors import Span
from nrtg.catalog.types import MAX_LENGTH, Kind, SqlType

from ..errors import TypeCheckError
from ..plan.expr import Call, Cast, Expr
from . import coercion
from .functions_base import Rule, Spec, any_nullable, check_arity, info, show

SYMBOLS = {
    "PLUS": "+",
    "MINUS": "-",
    "TIMES": "*",
    "DIVIDE": "/",
    "MOD": "%",
    "EQUALS": "=",
    "NOT_EQUALS": "<>",
    "LESS_THAN": "<",
    "LESS_THAN_OR_EQUAL": "<=",
    "GREATER_THAN": ">",
    "GREATER_THAN_OR_EQUAL": ">=",
    "IS_DISTINCT_FROM": "IS DISTINCT FROM",
    "IS_NOT_DISTINCT_FROM": "IS NOT DISTINCT FROM",
    "AND": "AND",
    "OR": "OR",
    "NOT": "NOT",
    "CONCAT_OP": "||",
    "LIKE": "LIKE",
    "SIMILAR_TO": "SIMILAR TO",
    "IN": "IN",
    "UNARY_MINUS": "-",
    "UNARY_PLUS": "+",
    "IS_NULL": "IS NULL",
    "IS_NOT_NULL": "IS NOT NULL",
    "IS_TRUE": "IS TRUE",
    "IS_FALSE": "IS FALSE",
    "IS_NOT_TRUE": "IS NOT TRUE",
    "IS_NOT_FALSE": "IS NOT FALSE",
}
_EQUALITY = frozenset({"EQUALS", "NOT_EQUALS", "IS_DISTINCT_FROM", "IS_NOT_DISTINCT_FROM", "IN"})


def _op_error(
    op: str, args: tuple[Expr, ...], span: Span | None, hint: str | None = None
) -> TypeCheckError:
    sym = SYMBOLS.get(op, op)
    if len(args) == 1:
        return TypeCheckError(
            f"operator {sym} cannot be applied to {args[0].type}", span, hint=hint
        )
    types = " and ".join(show(a.type) for a in args)
    return TypeCheckError(f"operator {sym} cannot be applied to {types}", span, hint=hint)


# -- arithmetic -------------------------------------------------------------------------------
def arithmetic(op: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    left, right = args
    rtype = coercion.arithmetic_type(op, left.type, right.type)
    if rtype is None:
        hint = None
        if op == "MINUS" and left.type.is_datetime and right.type.is_datetime:
            hint = "use TIMESTAMPDIFF(unit, start, end) for the difference of two datetimes"
        elif left.type.is_string or right.type.is_string:
            hint = "CAST the string to a numeric type first"
        raise _op_error(op, args, span, hint)
    return Call(name=op, args=args, type=rtype, span=span)


def _unary(op: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    (arg,) = args
    if not (arg.type.is_numeric or arg.type.is_interval or arg.type.is_null):
        raise _op_error(op, args, span)
    return Call(name=op, args=args, type=arg.type, span=span)


# -- comparison -------------------------------------------------------------------------------
def comparison_type(op: str, left: SqlType, right: SqlType) -> SqlType | None:
    """The type both sides are compared in, or None when Flink refuses the comparison."""
    if left.is_null or right.is_null:
        other = right if left.is_null else left
        return other if not other.is_null else coercion.boolean()
    if (left.is_numeric and right.is_string) or (left.is_string and right.is_numeric):
        if op in _EQUALITY:
            return None
        return left if left.is_numeric else right
    if (left.is_datetime and right.is_string) or (left.is_string and right.is_datetime):
        return left if left.is_datetime else right
    if left.is_interval and right.is_interval and left.kind is not right.kind:
        return None
    if (left.is_nested or right.is_nested) and op not in _EQUALITY:
        return None  # only equality is defined on ARRAY, MAP, MULTISET, ROW
    return coercion.common_type([left, right])


def _needs_cast(src: SqlType, target: SqlType) -> bool:
    if src.is_null:
        return False
    if (src.is_string and target.is_string) or (src.is_binary and target.is_binary):
        return False
    return src.kind is not target.kind


def _coerce_cmp(e: Expr, target: SqlType) -> Expr:
    if not _needs_cast(e.type, target):
        return e
    return Cast(input=e, type=target.with_nullable(e.type.nullable), span=e.span)


@functools.lru_cache(maxsize=1024)
def _comparison_types(
    op: str, left: SqlType, right: SqlType
) -> tuple[SqlType | None, SqlType | None, SqlType] | None:
    """What comparing these operand types takes: each side's cast type (None: compared as it
    is) and the result type; None when Flink refuses the comparison. Types are immutable
    values and few, so each combination is worked out once."""
    ctype = comparison_type(op, left, right)
    if ctype is None:
        return None
    lcast, rcast = (
        ctype.with_nullable(x.nullable) if _needs_cast(x, ctype) else None for x in (left, right)
    )
    nullable = op not in ("IS_DISTINCT_FROM", "IS_NOT_DISTINCT_FROM") and any(
        (left.nullable, right.nullable)
    )
    return lcast, rcast, coercion.boolean(nullable)


def compare(op: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    left, right = args
    types = _comparison_types(op, left.type, right.type)
    if types is None:
        raise TypeCheckError(
            f"cannot compare {show(left.type)} with {show(right.type)}",
            span,
            hint="CAST one side explicitly",
        )
    lcast, rcast, rtype = types
    args = (
        left if lcast is None else Cast(input=left, type=lcast, span=left.span),
        right if rcast is None else Cast(input=right, type=rcast, span=right.span),
    )
    return Call(name=op, args=args, type=rtype, span=span)


def in_list(op: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """`value IN (v1, v2, ...)`: every item must compare with the value (as `=` would); all
    operands are cast to the type the comparisons agree on."""
    value, *items = args
    ctype = value.type
    for item in items:
        merged = comparison_type("IN", ctype, item.type)
        if merged is None:
            raise TypeCheckError(
                f"cannot compare {show(value.type)} with {show(item.type)} in IN list",
                item.span or span,
                hint="CAST one side explicitly",
            )
        ctype = merged
    coerced = tuple(_coerce_cmp(a, ctype) for a in args)
    return Call(name="IN", args=coerced, type=coercion.boolean(any_nullable(args)), span=span)


# -- logical and IS ---------------------------------------------------------------------------
def logical(op: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    for i, a in enumerate(args):
        if not (a.type.is_boolean or a.type.is_null):
            raise TypeCheckError(
                f"operator {SYMBOLS[op]} requires BOOLEAN operands, operand {i + 1} is {show(a.type)}",
                a.span or span,
            )
    coerced = tuple(
        Cast(input=a, type=coercion.boolean(), span=a.span) if a.type.is_null else a for a in args
    )
    return Call(name=op, args=coerced, type=coercion.boolean(any_nullable(args)), span=span)


def _is_null(op: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    return Call(name=op, args=args, type=coercion.boolean(False), span=span)


def _is_bool(op: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    (arg,) = args
    if not (arg.type.is_boolean or arg.type.is_null):
        raise _op_error(op, args, span)
    return Call(name=op, args=args, type=coercion.boolean(False), span=span)


# -- strings ----------------------------------------------------------------------------------
def concat_op(op: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """`a || b`: both character strings (or both binary); Calcite's
    DYADIC_STRING_SUM_PRECISION: lengths add, CHAR only when both are CHAR."""
    types = [a.type for a in args]
    if all(x.is_string or x.is_null for x in types):
        binary = False
    elif all(x.is_binary or x.is_null for x in types):
        binary = True
    else:
        raise _op_error(op, args, span, hint="CAST non-string operands to STRING")
    known = [x for x in types if not x.is_null]
    length = min(sum(x.precision or 0 for x in known), MAX_LENGTH)
    fixed = len(known) == len(types) and all(x.kind in (Kind.CHAR, Kind.BINARY) for x in known)
    nullable = any(x.nullable for x in types)
    if binary:
        rtype = t.binary(length, nullable) if fixed else t.varbinary(length, nullable)
    else:
        rtype = coercion.char(length, nullable) if fixed else t.varchar(max(length, 1), nullable)
    return Call(name=op, args=args, type=rtype, span=span)


def like(op: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    for i, a in enumerate(args):
        if not (a.type.is_string or a.type.is_null):
            what = ("the value", "the pattern", "the escape")[i]
            raise TypeCheckError(
                f"operator {SYMBOLS[op]} requires STRING operands, {what} is {show(a.type)}",
                a.span or span,
            )
    return Call(name=op, args=args, type=coercion.boolean(any_nullable(args)), span=span)


def _spec(name: str, lo: int, hi: int | None, doc: str, fn: Rule) -> Spec:
    fi = info(name, lo, hi, doc)

    def rule(call_name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
        check_arity(fi, len(args), span)
        return fn(name, args, span)

    return Spec(fi, rule=rule)


OPERATORS: tuple[Spec, ...] = (
    *(
        _spec(op, 2, 2, f"numeric1 {SYMBOLS[op]} numeric2", arithmetic)
        for op in ("PLUS", "MINUS", "TIMES", "DIVIDE")
    ),
    _spec("UNARY_MINUS", 1, 1, "- numeric", _unary),
    _spec("UNARY_PLUS", 1, 1, "+ numeric", _unary),
    *(
        _spec(op, 2, 2, f"value1 {SYMBOLS[op]} value2", compare)
        for op in (
            "EQUALS",
            "NOT_EQUALS",
            "LESS_THAN",
            "LESS_THAN_OR_EQUAL",
            "GREATER_THAN",
            "GREATER_THAN_OR_EQUAL",
            "IS_DISTINCT_FROM",
            "IS_NOT_DISTINCT_FROM",
        )
    ),
    _spec("AND", 2, None, "boolean1 AND boolean2", logical),
    _spec("OR", 2, None, "boolean1 OR boolean2", logical),
    _spec("NOT", 1, 1, "NOT boolean", logical),
    _spec("IS_NULL", 1, 1, "value IS NULL", _is_null),
    _spec("IS_NOT_NULL", 1, 1, "value IS NOT NULL", _is_null),
    *(
        _spec(op, 1, 1, f"boolean {SYMBOLS[op]}", _is_bool)
        for op in ("IS_TRUE", "IS_FALSE", "IS_NOT_TRUE", "IS_NOT_FALSE")
    ),
    _spec("CONCAT_OP", 2, 2, "string1 || string2", concat_op),
    _spec("LIKE", 2, 3, "string1 LIKE string2 [ESCAPE char]", like),
    _spec("SIMILAR_TO", 2, 3, "string1 SIMILAR TO string2 [ESCAPE char]", like),
    _spec("IN", 2, None, "value1 IN (value2 [, value3]*)", in_list),
)
