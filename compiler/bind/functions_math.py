"""Arithmetic built-ins (Flink "System (Built-in) Functions" page, Arithmetic Functions).

DECIMAL results of ROUND/TRUNCATE/FLOOR/CEIL follow Flink's LogicalTypeMerging
findRoundDecimalType: rounding to r < s digits gives DECIMAL(p - s + r + 1, r).
"""

from __future__ import annotations

from nrtg.catalog import types as t
from nrtg.catalog.errors import Span
from nrtg.catalog.types import Kind, SqlType

from ..errors import TypeCheckError
from ..plan.expr import Call, Cast, Expr
from . import coercion
from .functions_base import (
    DATETIME,
    INTEGER,
    NUMERIC,
    STRING,
    Spec,
    arg_error,
    custom,
    literal_int,
    literal_str,
    same_as,
    scalar,
    show,
)
from .functions_ops import arithmetic

D = t.double()

# Units FLOOR/CEIL(timepoint TO unit) accept (Flink docs: timeintervalunit).
TIME_UNITS = frozenset(
    {
        "MILLENNIUM",
        "CENTURY",
        "DECADE",
        "YEAR",
        "QUARTER",
        "MONTH",
        "WEEK",
        "DAY",
        "HOUR",
        "MINUTE",
        "SECOND",
        "MILLISECOND",
        "MICROSECOND",
        "NANOSECOND",
    }
)


def _null_to(e: Expr, ty: SqlType) -> Expr:
    return Cast(input=e, type=ty.with_nullable(True), span=e.span) if e.type.is_null else e


def _rounded(ty: SqlType, digits: int) -> SqlType:
    if ty.kind is Kind.DECIMAL:
        p, s = coercion.round_decimal(ty.precision or 10, ty.scale or 0, digits)
        return t.decimal(p, s, ty.nullable)
    return ty


def _round(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """ROUND/TRUNCATE(numeric[, integer]): the DECIMAL scale needs a literal digit count."""
    x = _null_to(args[0], t.double())
    if not x.type.is_numeric:
        raise arg_error(name, 1, "NUMERIC", x.type, span)
    digits = 0
    rest = args[1:]
    if rest:
        d = _null_to(rest[0], t.int_())
        if not d.type.is_integer:
            raise arg_error(name, 2, "an integer", d.type, span)
        lit = literal_int(d)
        digits = lit if lit is not None else (x.type.scale or 0)
        rest = (d,)
    rtype = _rounded(x.type, digits)
    nullable = x.type.nullable or any(a.type.nullable for a in rest)
    return Call(name=name, args=(x, *rest), type=rtype.with_nullable(nullable), span=span)


def _floor_ceil(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """FLOOR/CEIL(numeric) or FLOOR/CEIL(timepoint TO unit) (binder passes the unit literal)."""
    x = _null_to(args[0], t.double())
    if len(args) == 1:
        if not x.type.is_numeric:
            raise arg_error(name, 1, "NUMERIC", x.type, span)
        return Call(name=name, args=(x,), type=_rounded(x.type, 0), span=span)
    if not DATETIME.accepts(x.type):
        raise arg_error(name, 1, "DATE, TIME or TIMESTAMP", x.type, span)
    unit = literal_str(args[1])
    if unit is None or unit not in TIME_UNITS:
        raise TypeCheckError(
            f"function {name} argument 2 must be a time unit (YEAR, MONTH, DAY, HOUR, ...), "
            f"got {unit if unit is not None else show(args[1].type)}",
            span,
        )
    return Call(name=name, args=(x, args[1]), type=x.type, span=span)


def _mod(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    return arithmetic("MOD", args, span)


def _sign(types: tuple[SqlType, ...]) -> SqlType | None:
    return types[0]


MATH_FUNCTIONS: tuple[Spec, ...] = (
    custom(
        "MOD",
        2,
        2,
        "MOD(numeric1, numeric2) -> remainder with the dividend's sign (exact numerics)",
        _mod,
    ),
    scalar("ABS", (NUMERIC,), same_as(0), "ABS(numeric) -> numeric: absolute value"),
    custom(
        "CEIL",
        1,
        2,
        "CEIL(numeric) / CEIL(timepoint TO timeintervalunit) -> same type rounded up",
        _floor_ceil,
        aliases=("CEILING",),
    ),
    custom(
        "FLOOR",
        1,
        2,
        "FLOOR(numeric) / FLOOR(timepoint TO timeintervalunit) -> same type rounded down",
        _floor_ceil,
    ),
    custom("ROUND", 1, 2, "ROUND(numeric[, integer]) -> numeric rounded HALF_UP", _round),
    custom("TRUNCATE", 1, 2, "TRUNCATE(numeric[, integer]) -> numeric truncated", _round),
    scalar("POWER", (NUMERIC, NUMERIC), D, "POWER(numeric1, numeric2) -> DOUBLE", aliases=("POW",)),
    scalar("SQRT", (NUMERIC,), D, "SQRT(numeric) -> DOUBLE square root"),
    scalar("EXP", (NUMERIC,), D, "EXP(numeric) -> DOUBLE: e raised to numeric"),
    scalar("LN", (NUMERIC,), D, "LN(numeric) -> DOUBLE natural logarithm"),
    scalar(
        "LOG",
        (NUMERIC, NUMERIC),
        D,
        "LOG(numeric) natural log, LOG(base, numeric) -> DOUBLE",
        optional=1,
    ),
    scalar("LOG10", (NUMERIC,), D, "LOG10(numeric) -> DOUBLE base-10 logarithm"),
    scalar("LOG2", (NUMERIC,), D, "LOG2(numeric) -> DOUBLE base-2 logarithm"),
    *(
        scalar(fn, (NUMERIC,), D, f"{fn}(numeric) -> DOUBLE")
        for fn in (
            "SIN",
            "COS",
            "TAN",
            "COT",
            "ASIN",
            "ACOS",
            "ATAN",
            "SINH",
            "COSH",
            "TANH",
            "DEGREES",
            "RADIANS",
        )
    ),
    scalar("ATAN2", (NUMERIC, NUMERIC), D, "ATAN2(numeric1, numeric2) -> DOUBLE"),
    scalar("SIGN", (NUMERIC,), _sign, "SIGN(numeric) -> numeric: -1, 0 or 1"),
    scalar(
        "RAND",
        (INTEGER,),
        D,
        "RAND([integer seed]) -> DOUBLE pseudorandom in [0, 1)",
        optional=1,
        deterministic=False,
    ),
    scalar(
        "RAND_INTEGER",
        (INTEGER, INTEGER),
        t.int_(),
        "RAND_INTEGER([integer1 seed,] integer2 bound) -> INT pseudorandom in [0, bound)",
        optional=1,
        deterministic=False,
    ),
    scalar("PI", (), t.double(False), "PI() -> DOUBLE", nulls="never"),
    scalar("E", (), t.double(False), "E() -> DOUBLE", nulls="never"),
    scalar("BIN", (INTEGER,), t.string(), "BIN(integer) -> STRING binary representation"),
    scalar(
        "UNHEX",
        (STRING,),
        t.bytes_(),
        "UNHEX(expr) -> BYTES from hexadecimal digits",
        nulls="always",
    ),
)
