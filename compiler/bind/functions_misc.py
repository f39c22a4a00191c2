"""Conditional, type and collection built-ins (Flink "System (Built-in) Functions" page:
Conditional Functions, Type Conversion Functions, Collection Functions, Value Construction
and Value Access Functions)."""

from __future__ import annotations

from nrtg.catalog import types as t
from nrtg.catalog.errors import Span
from nrtg.catalog.types import Kind, RowField, SqlType

from ..errors import TypeCheckError
from ..plan.expr import Call, Expr
from . import coercion
from .functions_base import (
    ANY,
    ARRAY,
    COLLECTION,
    INTEGER,
    STRING,
    Spec,
    arg_error,
    coerce,
    common_args,
    custom,
    info,
    scalar,
    show,
)


def _coalesce(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """COALESCE(v1, v2, ...): common type; NULL only when every argument can be NULL."""
    coerced, ctype = common_args(name, args, span)
    nullable = all(a.type.nullable for a in args)
    return Call(name=name, args=coerced, type=ctype.with_nullable(nullable), span=span)


def _ifnull(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    coerced, ctype = common_args(name, args, span)
    nullable = args[0].type.nullable and args[1].type.nullable
    return Call(name=name, args=coerced, type=ctype.with_nullable(nullable), span=span)


def _nullif(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    a, b = args
    if coercion.common_type([a.type, b.type]) is None:
        raise TypeCheckError(
            f"function {name} cannot compare {show(a.type)} with {show(b.type)}", span
        )
    return Call(name=name, args=args, type=a.type.with_nullable(True), span=span)


def _if(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    cond, *branches = args
    if not (cond.type.is_boolean or cond.type.is_null):
        raise arg_error(name, 1, "BOOLEAN", cond.type, span)
    coerced, ctype = common_args(name, tuple(branches), span, "branches")
    return Call(name=name, args=(cond, *coerced), type=ctype, span=span)


def _greatest(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    coerced, ctype = common_args(name, args, span)
    if ctype.is_nested:
        raise TypeCheckError(f"function {name} needs comparable arguments, got {show(ctype)}", span)
    return Call(name=name, args=coerced, type=ctype, span=span)


def _typeof(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    if len(args) == 2 and not (args[1].type.is_boolean or args[1].type.is_null):
        raise arg_error(name, 2, "BOOLEAN", args[1].type, span)
    return Call(name=name, args=args, type=t.string(False), span=span)


def _cardinality(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    (arg,) = args
    if not COLLECTION.accepts(arg.type):
        raise arg_error(name, 1, COLLECTION.label, arg.type, span)
    return Call(name=name, args=args, type=t.int_(arg.type.nullable), span=span)


def _element(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    (arg,) = args
    if arg.type.kind not in (Kind.ARRAY, Kind.MULTISET) or arg.type.element is None:
        raise arg_error(name, 1, "ARRAY or MULTISET", arg.type, span)
    return Call(name=name, args=args, type=arg.type.element.with_nullable(True), span=span)


def _array_value(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """ARRAY[v1, v2, ...] -> ARRAY<common type> NOT NULL."""
    coerced, ctype = common_args(name, args, span, "elements")
    return Call(name=name, args=coerced, type=t.array(ctype, nullable=False), span=span)


def _map_value(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """MAP[k1, v1, k2, v2, ...] -> MAP<common key type, common value type> NOT NULL."""
    if len(args) % 2:
        raise TypeCheckError(
            f"function {name} takes an even number of arguments (key, value pairs), "
            f"got {len(args)}",
            span,
        )
    keys, kt = common_args(name, args[0::2], span, "keys")
    values, vt = common_args(name, args[1::2], span, "values")
    pairs = tuple(x for kv in zip(keys, values, strict=True) for x in kv)
    return Call(name=name, args=pairs, type=t.map_(kt, vt, nullable=False), span=span)


def _row(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """ROW(v1, v2, ...) -> ROW<EXPR$0 t1, EXPR$1 t2, ...> NOT NULL (Calcite's field names)."""
    fields = tuple(RowField(f"EXPR${i}", a.type) for i, a in enumerate(args))
    return Call(name=name, args=args, type=t.row(fields, nullable=False), span=span)


def _item(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """array[index] (1-based, INTEGER) or map[key]; NULL when absent."""
    base, index = args
    bt = base.type
    if bt.kind is Kind.ARRAY and bt.element is not None:
        if not (index.type.is_integer or index.type.is_null):
            raise arg_error(name, 2, "an integer index", index.type, span)
        return Call(name=name, args=args, type=bt.element.with_nullable(True), span=span)
    if bt.kind is Kind.MAP and bt.element is not None and bt.value is not None:
        key_type = coercion.common_type([bt.element, index.type])
        if key_type is None:
            raise arg_error(name, 2, f"a key of type {show(bt.element)}", index.type, span)
        key = index if index.type.is_null else coerce(index, bt.element)
        return Call(name=name, args=(base, key), type=bt.value.with_nullable(True), span=span)
    raise arg_error(name, 1, "ARRAY or MAP", bt, span)


def _map_part(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    (m,) = args
    if m.type.kind is not Kind.MAP or m.type.element is None or m.type.value is None:
        raise arg_error(name, 1, "MAP", m.type, span)
    part = m.type.element if name == "MAP_KEYS" else m.type.value
    return Call(name=name, args=args, type=t.array(part, m.type.nullable), span=span)


def _element_of(name: str, arr: Expr, span: Span | None) -> SqlType:
    if arr.type.kind is not Kind.ARRAY or arr.type.element is None:
        raise arg_error(name, 1, "ARRAY", arr.type, span)
    return arr.type.element


def _array_search(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """ARRAY_CONTAINS -> BOOLEAN, ARRAY_POSITION -> INT (0 when absent), ARRAY_REMOVE ->
    the array's type; the needle must be comparable with the element type."""
    arr, value = args
    element = _element_of(name, arr, span)
    if coercion.common_type([element, value.type]) is None:
        raise arg_error(name, 2, f"an element of type {show(element)}", value.type, span)
    nullable = arr.type.nullable
    rtype = {
        "ARRAY_CONTAINS": t.boolean(nullable),
        "ARRAY_POSITION": t.int_(nullable),
    }.get(name, arr.type)
    return Call(name=name, args=args, type=rtype, span=span)


def _array_extreme(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    element = _element_of(name, args[0], span)
    return Call(name=name, args=args, type=element.with_nullable(True), span=span)


def _array_concat(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    for i, a in enumerate(args):
        if a.type.kind is not Kind.ARRAY and not a.type.is_null:
            raise arg_error(name, i + 1, "ARRAY", a.type, span)
    coerced, ctype = common_args(name, args, span)
    return Call(name=name, args=coerced, type=ctype, span=span)


def _map_entries(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    (m,) = args
    if m.type.kind is not Kind.MAP or m.type.element is None or m.type.value is None:
        raise arg_error(name, 1, "MAP", m.type, span)
    entry = t.row([("key", m.type.element), ("value", m.type.value)], nullable=False)
    return Call(name=name, args=args, type=t.array(entry, m.type.nullable), span=span)


def _map_from_arrays(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    keys = _element_of(name, args[0], span)
    if args[1].type.kind is not Kind.ARRAY or args[1].type.element is None:
        raise arg_error(name, 2, "ARRAY", args[1].type, span)
    rtype = t.map_(keys, args[1].type.element, any(a.type.nullable for a in args))
    return Call(name=name, args=args, type=rtype, span=span)


def _table(name: str, lo: int, hi: int | None, doc: str) -> Spec:
    """A table-valued function: the binder plans it; it is no scalar call."""
    return Spec(info(name, lo, hi, doc, kind="table"))


MISC_FUNCTIONS: tuple[Spec, ...] = (
    custom(
        "COALESCE",
        1,
        None,
        "COALESCE(value1, value2[, value3]*) -> the first non-NULL value (common type)",
        _coalesce,
    ),
    custom(
        "IFNULL",
        2,
        2,
        "IFNULL(input, null_replacement) -> input if not NULL else null_replacement",
        _ifnull,
    ),
    custom(
        "NULLIF", 2, 2, "NULLIF(value1, value2) -> NULL if value1 = value2 else value1", _nullif
    ),
    custom("IF", 3, 3, "IF(condition, true_value, false_value) -> common type", _if),
    custom(
        "GREATEST",
        1,
        None,
        "GREATEST(value1[, value2]*) -> the greatest value; NULL if any is NULL",
        _greatest,
    ),
    custom(
        "LEAST",
        1,
        None,
        "LEAST(value1[, value2]*) -> the least value; NULL if any is NULL",
        _greatest,
    ),
    custom(
        "TYPEOF",
        1,
        2,
        "TYPEOF(input[, force_serializable]) -> STRING: the input's data type",
        _typeof,
    ),
    custom(
        "CARDINALITY",
        1,
        1,
        "CARDINALITY(array|map|multiset) -> INT: number of elements or entries",
        _cardinality,
    ),
    custom("ELEMENT", 1, 1, "ELEMENT(array) -> the only element; NULL if empty", _element),
    custom("ARRAY_VALUE", 1, None, "ARRAY[value1[, value2]*] -> ARRAY", _array_value),
    custom("MAP_VALUE", 2, None, "MAP[key1, value1[, key2, value2]*] -> MAP", _map_value),
    custom("ROW", 1, None, "ROW(value1[, value2]*) -> ROW", _row),
    custom("ITEM", 2, 2, "array[index] / map[key] -> element; NULL when absent", _item),
    custom(
        "ARRAY_CONTAINS",
        2,
        2,
        "ARRAY_CONTAINS(haystack, needle) -> BOOLEAN",
        _array_search,
    ),
    scalar(
        "ARRAY_DISTINCT",
        (ARRAY,),
        lambda types: types[0],
        "ARRAY_DISTINCT(haystack) -> ARRAY without duplicates",
    ),
    scalar(
        "ARRAY_REVERSE",
        (ARRAY,),
        lambda types: types[0],
        "ARRAY_REVERSE(haystack) -> ARRAY reversed",
    ),
    scalar(
        "ARRAY_JOIN",
        (ARRAY, STRING, STRING),
        t.string(),
        "ARRAY_JOIN(array, delimiter[, nullReplacement]) -> STRING",
        optional=1,
    ),
    custom("MAP_KEYS", 1, 1, "MAP_KEYS(map) -> ARRAY of the keys", _map_part),
    custom("MAP_VALUES", 1, 1, "MAP_VALUES(map) -> ARRAY of the values", _map_part),
    custom(
        "ARRAY_POSITION",
        2,
        2,
        "ARRAY_POSITION(haystack, needle) -> INT: 1-based position of needle, 0 if absent",
        _array_search,
    ),
    custom(
        "ARRAY_REMOVE",
        2,
        2,
        "ARRAY_REMOVE(haystack, needle) -> ARRAY without the needle",
        _array_search,
    ),
    custom("ARRAY_MAX", 1, 1, "ARRAY_MAX(array) -> the greatest element", _array_extreme),
    custom("ARRAY_MIN", 1, 1, "ARRAY_MIN(array) -> the least element", _array_extreme),
    custom("ARRAY_CONCAT", 1, None, "ARRAY_CONCAT(array1, ...) -> ARRAY", _array_concat),
    scalar(
        "ARRAY_SLICE",
        (ARRAY, INTEGER, INTEGER),
        lambda types: types[0],
        "ARRAY_SLICE(array, start_offset[, end_offset]) -> ARRAY",
        optional=1,
    ),
    custom(
        "MAP_ENTRIES",
        1,
        1,
        "MAP_ENTRIES(map) -> ARRAY<ROW<key, value>>",
        _map_entries,
    ),
    custom(
        "MAP_FROM_ARRAYS",
        2,
        2,
        "MAP_FROM_ARRAYS(array_of_keys, array_of_values) -> MAP",
        _map_from_arrays,
    ),
    scalar(
        "JSON_STRING",
        (ANY,),
        t.string(),
        "JSON_STRING(value) -> STRING: value serialized as JSON",
    ),
    scalar(
        "CURRENT_DATABASE",
        (),
        t.string(False),
        "CURRENT_DATABASE() -> STRING: the session's current database",
    ),
    scalar(
        "CURRENT_CATALOG",
        (),
        t.string(False),
        "CURRENT_CATALOG() -> STRING: the session's current catalog",
    ),
    _table(
        "TUMBLE",
        3,
        4,
        "TUMBLE(TABLE data, DESCRIPTOR(timecol), size[, offset]): tumbling window TVF",
    ),
    _table(
        "HOP",
        4,
        5,
        "HOP(TABLE data, DESCRIPTOR(timecol), slide, size[, offset]): hopping window TVF",
    ),
    _table(
        "CUMULATE",
        4,
        5,
        "CUMULATE(TABLE data, DESCRIPTOR(timecol), step, size): cumulating window TVF",
    ),
    _table(
        "SESSION",
        3,
        3,
        "SESSION(TABLE data [PARTITION BY keys], DESCRIPTOR(timecol), gap): session window TVF",
    ),
)
