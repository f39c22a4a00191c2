"""The array and map built-ins of Flink 1.18-2.x's Collection Functions that build a new
collection: ARRAY_APPEND, ARRAY_PREPEND, ARRAY_SORT, ARRAY_UNION, ARRAY_EXCEPT,
ARRAY_INTERSECT and MAP_UNION (the older ones are in functions_misc.py)."""

from __future__ import annotations

from nrtg.catalog import types as t
from nrtg.catalog.errors import Span
from nrtg.catalog.types import Kind

from ..errors import TypeCheckError
from ..plan.expr import Call, Cast, Expr
from . import coercion
from .functions_base import Spec, arg_error, coerce, common_args, custom, show


def _array_arg(name: str, position: int, e: Expr, span: Span | None) -> Expr:
    if e.type.kind is not Kind.ARRAY or e.type.element is None:
        raise arg_error(name, position, "ARRAY", e.type, span)
    return e


def _array_add(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """ARRAY_APPEND / ARRAY_PREPEND(array, element): the element joins the array, whose
    element type widens to hold it (a NULL element included)."""
    arr, value = _array_arg(name, 1, args[0], span), args[1]
    assert arr.type.element is not None
    element = coercion.common_type([arr.type.element, value.type])
    if element is None:
        raise arg_error(name, 2, f"an element of type {show(arr.type.element)}", value.type, span)
    element = element.with_nullable(arr.type.element.nullable or value.type.nullable)
    rtype = t.array(element, nullable=arr.type.nullable)
    coerced = (coerce(arr, rtype), coerce(value, element))
    return Call(name=name, args=coerced, type=rtype, span=span)


def _array_sort(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """ARRAY_SORT(array[, ascending_order[, null_first]]) -> the array's type."""
    arr = _array_arg(name, 1, args[0], span)
    flags: list[Expr] = []
    for i, flag in enumerate(args[1:], start=2):
        if flag.type.is_null:
            flag = Cast(input=flag, type=t.boolean(), span=flag.span)
        elif not flag.type.is_boolean:
            raise arg_error(name, i, "BOOLEAN", flag.type, span)
        flags.append(flag)
    nullable = arr.type.nullable or any(f.type.nullable for f in flags)
    return Call(name=name, args=(arr, *flags), type=arr.type.with_nullable(nullable), span=span)


def _array_set(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """ARRAY_UNION / ARRAY_EXCEPT / ARRAY_INTERSECT(array1, array2): the common array type."""
    for i, a in enumerate(args, start=1):
        if not a.type.is_null:
            _array_arg(name, i, a, span)
    coerced, ctype = common_args(name, args, span)
    nullable = any(a.type.nullable for a in args)
    return Call(name=name, args=coerced, type=ctype.with_nullable(nullable), span=span)


def _map_union(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """MAP_UNION(map1, ...): the common map type; later maps win on a shared key."""
    for i, a in enumerate(args, start=1):
        if a.type.kind is not Kind.MAP and not a.type.is_null:
            raise arg_error(name, i, "MAP", a.type, span)
    coerced, ctype = common_args(name, args, span)
    if ctype.kind is not Kind.MAP:
        raise TypeCheckError(f"function {name} needs at least one MAP argument", span)
    nullable = any(a.type.nullable for a in args)
    return Call(name=name, args=coerced, type=ctype.with_nullable(nullable), span=span)


COLLECTION_FUNCTIONS: tuple[Spec, ...] = (
    custom(
        "ARRAY_APPEND",
        2,
        2,
        "ARRAY_APPEND(array, element) -> ARRAY: the element added at the end",
        _array_add,
    ),
    custom(
        "ARRAY_PREPEND",
        2,
        2,
        "ARRAY_PREPEND(array, element) -> ARRAY: the element added at the beginning",
        _array_add,
    ),
    custom(
        "ARRAY_SORT",
        1,
        3,
        "ARRAY_SORT(array[, ascending_order[, null_first]]) -> ARRAY sorted (ascending, NULLs "
        "first by default; descending puts NULLs last unless null_first)",
        _array_sort,
    ),
    custom(
        "ARRAY_UNION",
        2,
        2,
        "ARRAY_UNION(array1, array2) -> ARRAY: the elements of both, without duplicates",
        _array_set,
    ),
    custom(
        "ARRAY_EXCEPT",
        2,
        2,
        "ARRAY_EXCEPT(array1, array2) -> ARRAY: array1's elements not in array2, without "
        "duplicates, in array1's order",
        _array_set,
    ),
    custom(
        "ARRAY_INTERSECT",
        2,
        2,
        "ARRAY_INTERSECT(array1, array2) -> ARRAY: array1's elements also in array2, without "
        "duplicates, in array1's order",
        _array_set,
    ),
    custom(
        "MAP_UNION",
        1,
        None,
        "MAP_UNION(map1, ...) -> MAP merged; a later map's value wins for a shared key",
        _map_union,
    ),
)
