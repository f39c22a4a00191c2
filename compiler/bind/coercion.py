"""Flink's type-derivation rules: literal types, least restrictive (common) types, arithmetic
result types with DECIMAL precision/scale derivation, and which casts Flink accepts.

Sources (facts, not code): Flink "Data Types" page (casting table), Calcite's
`SqlTypeFactoryImpl.leastRestrictive` as used by Flink's `FlinkTypeFactory`, and Flink's
`LogicalTypeMerging` (findAdditionDecimalType, findMultiplicationDecimalType,
findDivisionDecimalType, findModuloDecimalType, adjustPrecisionScale).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from decimal import Decimal
from types import MappingProxyType

from nrtg.catalog import types as t
from nrtg.catalog.types import (
    INTEGER_PRECISION,
    MAX_DECIMAL_PRECISION,
    MAX_LENGTH,
    Kind,
    RowField,
    SqlType,
)

# Flink keeps at least this many fractional digits when a DECIMAL result overflows 38 digits
# (LogicalTypeMerging.MINIMUM_ADJUSTED_SCALE).
MINIMUM_ADJUSTED_SCALE = 6

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1

# Integer kinds ordered by width; FLOAT before DOUBLE.
_INTEGER_RANK = MappingProxyType({Kind.TINYINT: 0, Kind.SMALLINT: 1, Kind.INT: 2, Kind.BIGINT: 3})

ARITHMETIC_OPS = frozenset({"PLUS", "MINUS", "TIMES", "DIVIDE", "MOD"})

# The types of literals and operator results, built once per distinct arguments: a SqlType is
# an immutable value, and building one (a frozen dataclass of eight fields) cost more than the
# rest of typing a literal or a logical operator.
boolean = functools.lru_cache(maxsize=None)(t.boolean)
int_ = functools.lru_cache(maxsize=None)(t.int_)
bigint = functools.lru_cache(maxsize=None)(t.bigint)
double = functools.lru_cache(maxsize=None)(t.double)
char = functools.lru_cache(maxsize=1024)(t.char)
interval_day_time = functools.lru_cache(maxsize=256)(t.interval_day_time)
interval_year_month = functools.lru_cache(maxsize=256)(t.interval_year_month)
_nullability_twin = functools.lru_cache(maxsize=1024)(SqlType.with_nullable)


def with_nullable(ty: SqlType, nullable: bool) -> SqlType:
    """`ty.with_nullable(nullable)`, its copy made once per type: SqlType.with_nullable copies
    through dataclasses.replace (~25 K instructions) every time."""
    return ty if ty.nullable == nullable else _nullability_twin(ty, nullable)


# -- literals ---------------------------------------------------------------------------------
def literal_type(value: object) -> SqlType:
    """The type Flink gives a literal: `1` INT, `2147483648` BIGINT, `1.25` DECIMAL(3, 2),
    `1e3` DOUBLE, `'abc'` CHAR(3), `NULL` the NULL type; all NOT NULL except NULL."""
    if value is None:
        return t.null()
    if isinstance(value, bool):
        return t.boolean(nullable=False)
    if isinstance(value, int):
        if _INT_MIN <= value <= _INT_MAX:
            return t.int_(nullable=False)
        if _BIGINT_MIN <= value <= _BIGINT_MAX:
            return t.bigint(nullable=False)
        digits = len(str(abs(value)))
        return t.decimal(min(digits, MAX_DECIMAL_PRECISION), 0, nullable=False)
    if isinstance(value, float):
        return t.double(nullable=False)
    if isinstance(value, Decimal):
        return _decimal_literal_type(value)
    if isinstance(value, str):
        # Calcite/Flink type a character literal as CHAR(n); the empty string is CHAR(0)
        # in Calcite, which Flink renders as CHAR(0) too; we keep n >= 0 as written.
        return t.char(len(value), nullable=False)
    if isinstance(value, bytes):
        return t.binary(len(value), nullable=False)
    if isinstance(value, dt.datetime):
        return t.timestamp(6 if value.microsecond % 1000 else 3, nullable=False)
    if isinstance(value, dt.date):
        return t.date(nullable=False)
    if isinstance(value, dt.time):
        return t.time(0, nullable=False)
    if isinstance(value, dt.timedelta):
        return t.interval_day_time(nullable=False)
    raise TypeError(f"no SQL literal type for {type(value).__name__}")


def _decimal_literal_type(value: Decimal) -> SqlType:
    """Calcite's exact-numeric literal: precision = digits as written (a leading `0.` counts,
    so `0.908` is DECIMAL(4, 3)), scale = digits after the point."""
    if not value.is_finite():
        return t.double(nullable=False)
    text = format(abs(value), "f")
    if "." in text:
        whole, frac = text.split(".", 1)
        scale = len(frac)
        precision = len(whole) + scale
    else:
        scale, precision = 0, len(text)
    precision = max(1, min(precision, MAX_DECIMAL_PRECISION))
    return t.decimal(precision, min(scale, precision), nullable=False)


# -- DECIMAL derivation (LogicalTypeMerging) ----------------------------------------------------
def as_decimal(ty: SqlType) -> tuple[int, int] | None:
    """(precision, scale) of an exact numeric type; integers are DECIMAL(p, 0)."""
    if ty.kind is Kind.DECIMAL:
        return ty.precision or 10, ty.scale or 0
    if ty.kind in INTEGER_PRECISION:
        return INTEGER_PRECISION[ty.kind], 0
    return None


def adjust_precision_scale(precision: int, scale: int) -> tuple[int, int]:
    """Flink's adjustPrecisionScale: above 38 digits keep the integral digits and cut the
    scale, but never below min(scale, 6)."""
    if precision <= MAX_DECIMAL_PRECISION:
        return precision, scale
    integral = precision - scale
    min_scale = min(scale, MINIMUM_ADJUSTED_SCALE)
    return MAX_DECIMAL_PRECISION, max(MAX_DECIMAL_PRECISION - integral, min_scale)


def addition_decimal(p1: int, s1: int, p2: int, s2: int) -> tuple[int, int]:
    scale = max(s1, s2)
    return adjust_precision_scale(max(p1 - s1, p2 - s2) + scale + 1, scale)


def multiplication_decimal(p1: int, s1: int, p2: int, s2: int) -> tuple[int, int]:
    return adjust_precision_scale(p1 + p2 + 1, s1 + s2)


def division_decimal(p1: int, s1: int, p2: int, s2: int) -> tuple[int, int]:
    scale = max(MINIMUM_ADJUSTED_SCALE, s1 + p2 + 1)
    return adjust_precision_scale(p1 - s1 + s2 + scale, scale)


def modulo_decimal(p1: int, s1: int, p2: int, s2: int) -> tuple[int, int]:
    scale = max(s1, s2)
    return adjust_precision_scale(min(p1 - s1, p2 - s2) + scale, scale)


def round_decimal(precision: int, scale: int, digits: int) -> tuple[int, int]:
    """Flink's findRoundDecimalType (ROUND/FLOOR/CEIL on DECIMAL): rounding can carry one
    more integral digit."""
    if digits >= scale:
        return precision, scale
    if digits < 0:
        return min(MAX_DECIMAL_PRECISION, 1 + precision - scale), 0
    return 1 + precision - scale + digits, digits


def sum_type(arg: SqlType) -> SqlType:
    """Flink's SUM result: DECIMAL(38, s) for DECIMAL(p, s), otherwise the argument type."""
    if arg.kind is Kind.DECIMAL:
        return t.decimal(MAX_DECIMAL_PRECISION, arg.scale or 0)
    return arg.with_nullable(True)


def avg_type(arg: SqlType) -> SqlType:
    """Flink's findAvgAggType: DECIMAL(p, s) -> division(38, s, 20, 0) = DECIMAL(38, max(s, 6));
    every other numeric type keeps its type (AVG(BIGINT) is a truncated BIGINT)."""
    if arg.kind is Kind.DECIMAL:
        p, s = division_decimal(MAX_DECIMAL_PRECISION, arg.scale or 0, 20, 0)
        return t.decimal(p, s)
    return arg.with_nullable(True)


# -- least restrictive type ---------------------------------------------------------------------
def common_type(types: Sequence[SqlType]) -> SqlType | None:
    """Calcite's leastRestrictive as Flink uses it (CASE, COALESCE, UNION, IN, comparisons):
    None when the types have no common type. The NULL type adopts the other types; the result
    is nullable when any input is."""
    non_null = [x for x in types if not x.is_null]
    if not types:
        return None
    if not non_null:
        return t.null()
    nullable = any(x.nullable for x in types)
    result = non_null[0]
    for other in non_null[1:]:
        merged = _merge(result, other)
        if merged is None:
            return None
        result = merged
    return result.with_nullable(nullable)


def _merge(a: SqlType, b: SqlType) -> SqlType | None:
    nullable = a.nullable or b.nullable
    if a.is_numeric and b.is_numeric:
        return _merge_numeric(a, b, nullable)
    if a.is_string and b.is_string:
        length = max(a.precision or 1, b.precision or 1)
        # CHAR(n) with CHAR(m) stays CHAR only when both are CHAR (Calcite); any VARCHAR
        # makes it VARCHAR. Flink 2.x does not pad shorter CHAR results (FLINK_SEMANTICS.md).
        if a.kind is Kind.CHAR and b.kind is Kind.CHAR and a.precision == b.precision:
            return t.char(length, nullable)
        return t.varchar(length, nullable)
    if a.is_binary and b.is_binary:
        length = max(a.precision or 1, b.precision or 1)
        if a.kind is Kind.BINARY and b.kind is Kind.BINARY and a.precision == b.precision:
            return t.binary(length, nullable)
        return t.varbinary(length, nullable)
    if a.kind is b.kind:
        return _merge_same_kind(a, b, nullable)
    if a.is_timestamp and b.is_timestamp:
        # TIMESTAMP with TIMESTAMP_LTZ: Flink's LogicalTypeMerging keeps TIMESTAMP_LTZ.
        return t.timestamp_ltz(max(a.precision or 0, b.precision or 0), nullable)
    # DATE with TIMESTAMP has no common type here: Calcite and Flink's LogicalTypeMerging
    # disagree on it (DATE vs none), so nrtg asks for an explicit CAST.
    return None


def _merge_numeric(a: SqlType, b: SqlType, nullable: bool) -> SqlType:
    if a.is_approx or b.is_approx:
        if a.kind is Kind.DOUBLE or b.kind is Kind.DOUBLE:
            return t.double(nullable)
        other = b if a.kind is Kind.FLOAT else a
        # FLOAT with DECIMAL is DOUBLE (Calcite); FLOAT with an integer stays FLOAT.
        return t.double(nullable) if other.kind is Kind.DECIMAL else t.float_(nullable)
    if a.is_integer and b.is_integer:
        wider = a if _INTEGER_RANK[a.kind] >= _INTEGER_RANK[b.kind] else b
        return wider.with_nullable(nullable)
    da, db = as_decimal(a), as_decimal(b)
    assert da is not None and db is not None
    (p1, s1), (p2, s2) = da, db
    integral = min(max(p1 - s1, p2 - s2), MAX_DECIMAL_PRECISION)
    scale = min(max(s1, s2), MAX_DECIMAL_PRECISION - integral)
    return t.decimal(integral + scale, scale, nullable)


def _merge_same_kind(a: SqlType, b: SqlType, nullable: bool) -> SqlType | None:
    k = a.kind
    if k in (Kind.TIME, Kind.TIMESTAMP, Kind.TIMESTAMP_LTZ):
        return SqlType(k, nullable, max(a.precision or 0, b.precision or 0))
    if k in (Kind.BOOLEAN, Kind.DATE):
        return a.with_nullable(nullable)
    if k in (Kind.INTERVAL_DAY_TIME, Kind.INTERVAL_YEAR_MONTH):
        return _widest_interval(a, b, nullable)
    if k in (Kind.ARRAY, Kind.MULTISET):
        assert a.element is not None and b.element is not None
        element = common_type([a.element, b.element])
        return None if element is None else SqlType(k, nullable, element=element)
    if k is Kind.MAP:
        assert a.element and b.element and a.value and b.value
        key = common_type([a.element, b.element])
        value = common_type([a.value, b.value])
        if key is None or value is None:
            return None
        return t.map_(key, value, nullable)
    if k is Kind.ROW:
        if len(a.fields) != len(b.fields):
            return None
        fields: list[RowField] = []
        for fa, fb in zip(a.fields, b.fields, strict=True):
            ft = common_type([fa.type, fb.type])
            if ft is None:
                return None
            fields.append(RowField(fa.name, ft))
        return t.row(tuple(fields), nullable)
    return a.with_nullable(nullable) if a == b.with_nullable(a.nullable) else None


_DAY_TIME_UNITS = ("DAY", "HOUR", "MINUTE", "SECOND")
_YEAR_MONTH_UNITS = ("YEAR", "MONTH")


def _widest_interval(a: SqlType, b: SqlType, nullable: bool) -> SqlType:
    """LogicalTypeMerging's interval rule: the widest resolution (earliest start unit, latest
    end unit) with the larger leading and fractional precisions."""
    units = _DAY_TIME_UNITS if a.kind is Kind.INTERVAL_DAY_TIME else _YEAR_MONTH_UNITS
    ua, ub = a.unit or (units[0], units[-1]), b.unit or (units[0], units[-1])
    start = min(ua[0], ub[0], key=units.index)
    end = max(ua[1], ub[1], key=units.index)
    precision = max(a.precision or 2, b.precision or 2)
    fractions = [x.scale for x in (a, b) if x.scale is not None]
    scale = max(fractions) if fractions else None
    return SqlType(a.kind, nullable, precision, scale, unit=(start, end))


# -- arithmetic -------------------------------------------------------------------------------
def arithmetic_type(op: str, left: SqlType, right: SqlType) -> SqlType | None:
    """Result type of `left op right` for PLUS, MINUS, TIMES, DIVIDE, MOD; None when Flink
    rejects the operand types. Nullable when either operand is."""
    nullable = left.nullable or right.nullable
    if left.is_null and right.is_null:
        return None
    if left.is_null or right.is_null:
        known = right if left.is_null else left
        if op == "MOD" and not (known.is_integer or known.kind is Kind.DECIMAL):
            return None
        if not (known.is_numeric or known.is_interval or known.is_datetime):
            return None
        return (
            None
            if known.is_datetime and op in ("TIMES", "DIVIDE", "MOD")
            else (known.with_nullable(True))
        )
    if left.is_numeric and right.is_numeric:
        return _numeric_arithmetic(op, left, right, nullable)
    return _temporal_arithmetic(op, left, right, nullable)


def _numeric_arithmetic(op: str, left: SqlType, right: SqlType, nullable: bool) -> SqlType | None:
    dl, dr = as_decimal(left), as_decimal(right)
    if op == "MOD":
        if dl is None or dr is None:
            return None  # MOD takes exact numerics only
        if left.kind is Kind.DECIMAL or right.kind is Kind.DECIMAL:
            p, s = modulo_decimal(*dl, *dr)
            return t.decimal(p, s, nullable)
        # Calcite's MOD on integers returns the divisor's type (ReturnTypes.NULLABLE_MOD).
        return right.with_nullable(nullable)
    if (
        dl is not None
        and dr is not None
        and (left.kind is Kind.DECIMAL or right.kind is Kind.DECIMAL)
    ):
        derive = {
            "PLUS": addition_decimal,
            "MINUS": addition_decimal,
            "TIMES": multiplication_decimal,
            "DIVIDE": division_decimal,
        }[op]
        p, s = derive(*dl, *dr)
        return t.decimal(p, s, nullable)
    merged = _merge_numeric(left, right, nullable)
    return merged


def _temporal_arithmetic(op: str, left: SqlType, right: SqlType, nullable: bool) -> SqlType | None:
    if op in ("PLUS", "MINUS") and left.is_interval and right.is_interval:
        if left.kind is not right.kind:
            return None
        return _merge_same_kind(left, right, nullable)
    if op in ("PLUS", "MINUS") and left.is_datetime and right.is_interval:
        return _datetime_plus(left, right, nullable)
    if op == "PLUS" and left.is_interval and right.is_datetime:
        return _datetime_plus(right, left, nullable)
    if op == "TIMES" and left.is_interval and right.is_numeric:
        return left.with_nullable(nullable)
    if op == "TIMES" and left.is_numeric and right.is_interval:
        return right.with_nullable(nullable)
    if op == "DIVIDE" and left.is_interval and right.is_numeric:
        return left.with_nullable(nullable)
    return None


def _datetime_plus(dtype: SqlType, interval: SqlType, nullable: bool) -> SqlType | None:
    if dtype.kind is Kind.DATE:
        start = interval.unit[0] if interval.unit else "DAY"
        if interval.kind is Kind.INTERVAL_DAY_TIME and start in ("HOUR", "MINUTE", "SECOND"):
            # Calcite's SqlTimestampAddFunction.deduceType: DATE plus a time unit is a
            # TIMESTAMP (Flink's default TIMESTAMP precision is 6).
            return t.timestamp(6, nullable)
        return t.date(nullable)
    if dtype.kind is Kind.TIME and interval.kind is Kind.INTERVAL_YEAR_MONTH:
        return None
    return dtype.with_nullable(nullable)


# -- casts ------------------------------------------------------------------------------------
# Flink's LogicalTypeCasts, by target kind: which source kinds cast implicitly (silently) and
# which only explicitly. Identity, NULL, interval <-> exact numeric and nested types are handled
# in code.
_K = Kind
_INTS = frozenset({_K.TINYINT, _K.SMALLINT, _K.INT, _K.BIGINT})
_NUMERIC = _INTS | {_K.DECIMAL, _K.FLOAT, _K.DOUBLE}
_CHARS = frozenset({_K.CHAR, _K.VARCHAR})
_BINARIES = frozenset({_K.BINARY, _K.VARBINARY})
_INTERVALS = frozenset({_K.INTERVAL_YEAR_MONTH, _K.INTERVAL_DAY_TIME})
_TIMESTAMPS = frozenset({_K.TIMESTAMP, _K.TIMESTAMP_LTZ})
_DATETIMES = _TIMESTAMPS | {_K.DATE, _K.TIME}
_PREDEFINED = _NUMERIC | _CHARS | _BINARIES | _DATETIMES | _INTERVALS | {_K.BOOLEAN}
_TO_NUMBER = _CHARS | {_K.BOOLEAN} | _TIMESTAMPS

_IMPLICIT: MappingProxyType[Kind, frozenset[Kind]] = MappingProxyType(
    {
        _K.CHAR: frozenset({_K.CHAR}),
        _K.VARCHAR: _CHARS,
        _K.BOOLEAN: frozenset({_K.BOOLEAN}),
        _K.BINARY: frozenset({_K.BINARY}),
        _K.VARBINARY: _BINARIES,
        _K.DECIMAL: _NUMERIC,
        _K.TINYINT: frozenset({_K.TINYINT}),
        _K.SMALLINT: frozenset({_K.TINYINT, _K.SMALLINT}),
        _K.INT: frozenset({_K.TINYINT, _K.SMALLINT, _K.INT}),
        _K.BIGINT: _INTS,
        _K.FLOAT: _INTS | {_K.FLOAT, _K.DECIMAL},
        _K.DOUBLE: _NUMERIC,
        _K.DATE: frozenset({_K.DATE, _K.TIMESTAMP}),
        _K.TIME: frozenset({_K.TIME, _K.TIMESTAMP}),
        _K.TIMESTAMP: _TIMESTAMPS,
        _K.TIMESTAMP_LTZ: _TIMESTAMPS,
        _K.INTERVAL_YEAR_MONTH: frozenset({_K.INTERVAL_YEAR_MONTH}),
        _K.INTERVAL_DAY_TIME: frozenset({_K.INTERVAL_DAY_TIME}),
    }
)
_EXPLICIT: MappingProxyType[Kind, frozenset[Kind]] = MappingProxyType(
    {
        _K.CHAR: _PREDEFINED,
        _K.VARCHAR: _PREDEFINED,
        _K.BOOLEAN: _CHARS | _NUMERIC,
        _K.BINARY: _CHARS | _BINARIES,
        _K.VARBINARY: _CHARS | _BINARIES,
        _K.DECIMAL: _NUMERIC | _TO_NUMBER,
        _K.TINYINT: _NUMERIC | _TO_NUMBER,
        _K.SMALLINT: _NUMERIC | _TO_NUMBER,
        _K.INT: _NUMERIC | _TO_NUMBER,
        _K.BIGINT: _NUMERIC | _TO_NUMBER,
        _K.FLOAT: _NUMERIC | _TO_NUMBER,
        _K.DOUBLE: _NUMERIC | _TO_NUMBER,
        _K.DATE: _TIMESTAMPS | _CHARS | _BINARIES | {_K.DATE},
        _K.TIME: _TIMESTAMPS | _CHARS | _BINARIES | {_K.TIME},
        _K.TIMESTAMP: _DATETIMES | _CHARS | _BINARIES | _NUMERIC,
        _K.TIMESTAMP_LTZ: _DATETIMES | _CHARS | _BINARIES | _NUMERIC,
        _K.INTERVAL_YEAR_MONTH: _CHARS | {_K.INTERVAL_YEAR_MONTH},
        _K.INTERVAL_DAY_TIME: _CHARS | {_K.INTERVAL_DAY_TIME},
    }
)


def can_cast(source: SqlType, target: SqlType) -> bool:
    """Flink's explicit CAST rules (LogicalTypeCasts.supportsExplicitCast; nullability is not
    checked: an explicit cast may assert NOT NULL)."""
    return _castable(source, target, explicit=True)


def can_implicit_cast(source: SqlType, target: SqlType) -> bool:
    """What Flink coerces silently (LogicalTypeCasts.supportsImplicitCast): widening within a
    family (integers -> DECIMAL/FLOAT/DOUBLE, CHAR -> VARCHAR, BINARY -> VARBINARY,
    TIMESTAMP <-> TIMESTAMP_LTZ, TIMESTAMP -> DATE/TIME), NULL to anything. Like Flink it
    looks at kinds, not lengths or precisions; a nullable value never coerces silently into a
    NOT NULL type."""
    if source.nullable and not target.nullable:
        return False
    return _castable(source, target, explicit=False)


def _castable(source: SqlType, target: SqlType, *, explicit: bool) -> bool:
    s, g = source.kind, target.kind
    if s is Kind.NULL or source.with_nullable(True) == target.with_nullable(True):
        return True
    if (source.is_integer or s is Kind.DECIMAL) and target.is_interval:
        return _single_field(target)
    if source.is_interval and (target.is_integer or g is Kind.DECIMAL):
        return _single_field(source)
    if source.is_nested or target.is_nested:
        if explicit and target.is_string:
            return True  # Flink 1.15+ casts ARRAY/MAP/MULTISET/ROW to their string form
        return _nested_castable(source, target, explicit=explicit)
    if g is Kind.NULL:
        return False
    if s in _IMPLICIT.get(g, frozenset()):
        return True
    return explicit and s in _EXPLICIT.get(g, frozenset())


def _single_field(interval: SqlType) -> bool:
    return interval.unit is None or interval.unit[0] == interval.unit[1]


def _nested_castable(source: SqlType, target: SqlType, *, explicit: bool) -> bool:
    if source.kind is not target.kind:
        return False
    if source.kind is Kind.ROW:
        pairs = [(a.type, b.type) for a, b in zip(source.fields, target.fields, strict=False)]
        if len(source.fields) != len(target.fields):
            return False
    else:
        pairs = [(source.element, target.element), (source.value, target.value)]
    for a, b in pairs:
        if a is None and b is None:
            continue
        if a is None or b is None:
            return False
        ok = (
            _castable(a, b, explicit=True)
            if explicit
            else (not (a.nullable and not b.nullable) and _castable(a, b, explicit=False))
        )
        if not ok:
            return False
    return True


def string_length(ty: SqlType) -> int:
    """Length of a CHAR/VARCHAR type (STRING is MAX_LENGTH)."""
    return ty.precision if ty.precision is not None else MAX_LENGTH
