"""Aggregate and window (OVER-only) built-ins (Flink "System (Built-in) Functions" page:
Aggregate Functions; result types from Flink's LogicalTypeMerging findSumAggType /
findAvgAggType).

Nullability: COUNT is NOT NULL; every other aggregate is nullable because a group can have no
non-NULL input (and a global aggregate over an empty input returns NULL).
"""

from __future__ import annotations

from nrtg.catalog import types as t
from nrtg.catalog.errors import Span
from nrtg.catalog.types import SqlType

from ..errors import TypeCheckError
from . import coercion
from .functions_base import AggRule, FunctionKind, Spec, check_arity, info, show


def _arg_error(
    name: str, pos: int, expected: str, got: SqlType, span: Span | None
) -> TypeCheckError:
    return TypeCheckError(
        f"function {name} argument {pos} must be {expected}, got {show(got)}", span
    )


def _count(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    return coercion.bigint(nullable=False)


def _numeric(name: str, types: tuple[SqlType, ...], span: Span | None) -> SqlType:
    (arg,) = types
    if arg.is_null:
        raise TypeCheckError(f"function {name} cannot be applied to an untyped NULL", span)
    if not arg.is_numeric:
        raise _arg_error(name, 1, "NUMERIC", arg, span)
    return arg


def _sum(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    return coercion.with_nullable(coercion.sum_type(_numeric(name, types, span)), True)


def _avg(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    return coercion.with_nullable(coercion.avg_type(_numeric(name, types, span)), True)


def _min_max(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    (arg,) = types
    if arg.is_nested and arg.kind is not t.Kind.ROW and arg.kind is not t.Kind.ARRAY:
        raise _arg_error(name, 1, "a comparable type", arg, span)
    return coercion.with_nullable(arg, True)


def _same(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    return coercion.with_nullable(types[0], True)


def _listagg(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    for i, ty in enumerate(types):
        if not (ty.is_string or ty.is_null):
            raise _arg_error(name, i + 1, "STRING", ty, span)
    return t.string(nullable=True)


def _collect(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    return t.multiset(types[0], nullable=False)


def _array_agg(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    return t.array(types[0], nullable=True)


def _json_agg(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    return t.string(nullable=False)


def _rank(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    return coercion.bigint(nullable=False)


def _double_rank(
    name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None
) -> SqlType:
    return coercion.double(nullable=False)


def _ntile(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    if not types[0].is_integer:
        raise _arg_error(name, 1, "an integer", types[0], span)
    return coercion.bigint(nullable=False)


def _lag_lead(name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None) -> SqlType:
    if len(types) >= 2 and not (types[1].is_integer or types[1].is_null):
        raise _arg_error(name, 2, "an integer offset", types[1], span)
    if len(types) == 3 and coercion.common_type([types[0], types[2]]) is None:
        raise _arg_error(name, 3, f"a default of type {show(types[0])}", types[2], span)
    return coercion.with_nullable(types[0], True)


def _agg(
    name: str,
    lo: int,
    hi: int | None,
    doc: str,
    rule: AggRule,
    kind: FunctionKind = "aggregate",
    aliases: tuple[str, ...] = (),
) -> Spec:
    fi = info(name, lo, hi, doc, kind=kind)

    def checked(
        call_name: str, types: tuple[SqlType, ...], distinct: bool, span: Span | None
    ) -> SqlType:
        check_arity(fi, len(types), span)
        return rule(fi.name, types, distinct, span)

    return Spec(fi, agg_rule=checked, aliases=aliases)


_STAT_DOC = "{}(numeric) -> the argument's type (DECIMAL(38, max(s, 6)) for DECIMAL)"

AGGREGATES: tuple[Spec, ...] = (
    _agg(
        "COUNT",
        0,
        None,
        "COUNT([ALL|DISTINCT] expression1[, expression2]*) / COUNT(*) -> BIGINT NOT NULL",
        _count,
    ),
    _agg(
        "SUM",
        1,
        1,
        "SUM([ALL|DISTINCT] numeric) -> INT for INT, BIGINT for BIGINT, DECIMAL(38, s) for "
        "DECIMAL(p, s), DOUBLE for DOUBLE",
        _sum,
    ),
    _agg(
        "AVG",
        1,
        1,
        "AVG([ALL|DISTINCT] numeric) -> the argument's type (BIGINT truncated), "
        "DECIMAL(38, max(s, 6)) for DECIMAL(p, s)",
        _avg,
    ),
    _agg("MIN", 1, 1, "MIN([ALL|DISTINCT] expression) -> the argument's type", _min_max),
    _agg("MAX", 1, 1, "MAX([ALL|DISTINCT] expression) -> the argument's type", _min_max),
    *(
        _agg(fn, 1, 1, _STAT_DOC.format(fn), _avg)
        for fn in ("STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP")
    ),
    _agg("FIRST_VALUE", 1, 1, "FIRST_VALUE(expression) -> the first value in the group", _same),
    _agg("LAST_VALUE", 1, 1, "LAST_VALUE(expression) -> the last value in the group", _same),
    _agg(
        "LISTAGG",
        1,
        2,
        "LISTAGG(expression[, separator]) -> STRING: values joined by separator (default ',')",
        _listagg,
    ),
    _agg("COLLECT", 1, 1, "COLLECT([ALL|DISTINCT] expression) -> MULTISET", _collect),
    _agg("ARRAY_AGG", 1, 1, "ARRAY_AGG([ALL|DISTINCT] expression) -> ARRAY", _array_agg),
    _agg(
        "JSON_OBJECTAGG",
        2,
        2,
        "JSON_OBJECTAGG([KEY] key VALUE value) -> STRING: a JSON object",
        _json_agg,
    ),
    _agg("JSON_ARRAYAGG", 1, 1, "JSON_ARRAYAGG(items) -> STRING: a JSON array", _json_agg),
    _agg("ROW_NUMBER", 0, 0, "ROW_NUMBER() -> BIGINT: 1-based row number", _rank, "window"),
    _agg("RANK", 0, 0, "RANK() -> BIGINT: rank with gaps", _rank, "window"),
    _agg("DENSE_RANK", 0, 0, "DENSE_RANK() -> BIGINT: rank without gaps", _rank, "window"),
    _agg("PERCENT_RANK", 0, 0, "PERCENT_RANK() -> DOUBLE", _double_rank, "window"),
    _agg("CUME_DIST", 0, 0, "CUME_DIST() -> DOUBLE", _double_rank, "window"),
    _agg("NTILE", 1, 1, "NTILE(n) -> BIGINT: bucket number", _ntile, "window"),
    _agg(
        "LAG",
        1,
        3,
        "LAG(expression[, offset][, default]) -> the value offset rows before",
        _lag_lead,
        "window",
    ),
    _agg(
        "LEAD",
        1,
        3,
        "LEAD(expression[, offset][, default]) -> the value offset rows after",
        _lag_lead,
        "window",
    ),
)
