"""Temporal built-ins (Flink "System (Built-in) Functions" page, Temporal Functions).

Clock functions (CURRENT_TIMESTAMP, NOW, PROCTIME, ...) are NOT NULL and flagged
non-deterministic; parse functions (TO_TIMESTAMP, TO_DATE) return NULL on bad input, so they
are always nullable.
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
    NUMERIC_OR_STRING,
    STRING,
    TIMESTAMP,
    TIMESTAMP_OR_STRING,
    Param,
    Spec,
    arg_error,
    custom,
    literal_int,
    literal_str,
    literal_value,
    scalar,
    show,
)

BIGINT = t.bigint()
S = t.string()

EXTRACT_UNITS = frozenset(
    {
        "MILLENNIUM",
        "CENTURY",
        "DECADE",
        "YEAR",
        "ISOYEAR",
        "QUARTER",
        "MONTH",
        "WEEK",
        "DAY",
        "DOY",
        "DOW",
        "ISODOW",
        "HOUR",
        "MINUTE",
        "SECOND",
        "MILLISECOND",
        "MICROSECOND",
        "NANOSECOND",
        "EPOCH",
    }
)
# TIMESTAMPADD / TIMESTAMPDIFF units (Flink docs: timepointunit).
TIMEPOINT_UNITS = frozenset(
    {"SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "MILLISECOND"}
)
_TIME_OF_DAY_UNITS = frozenset({"HOUR", "MINUTE", "SECOND", "MILLISECOND"})

DATETIME_OR_INTERVAL = Param(
    "DATE, TIME, TIMESTAMP or INTERVAL", lambda x: x.is_datetime or x.is_interval, t.timestamp(3)
)


def _unit(name: str, arg: Expr, units: frozenset[str], span: Span | None) -> str:
    unit = literal_str(arg)
    if unit is None or unit not in units:
        shown = unit if unit is not None else str(arg.type)
        raise TypeCheckError(
            f"function {name} argument 1 must be a time unit literal, got {shown}",
            span,
            hint="units: " + ", ".join(sorted(units)),
        )
    return unit


def _null_to(e: Expr, ty: SqlType) -> Expr:
    return Cast(input=e, type=ty.with_nullable(True), span=e.span) if e.type.is_null else e


def _extract(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """EXTRACT(unit FROM temporal): the binder passes (unit literal, value)."""
    _unit(name, args[0], EXTRACT_UNITS, span)
    value = _null_to(args[1], t.timestamp(3))
    if not DATETIME_OR_INTERVAL.accepts(value.type):
        raise arg_error(name, 2, DATETIME_OR_INTERVAL.label, value.type, span)
    rtype = t.bigint(value.type.nullable)
    return Call(name=name, args=(args[0], value), type=rtype, span=span)


def _timestampadd(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """TIMESTAMPADD(unit, interval, timepoint) -> the timepoint's type (DATE plus a time-of-day
    unit is a TIMESTAMP, as for DATE + INTERVAL)."""
    unit = _unit(name, args[0], TIMEPOINT_UNITS, span)
    n = _null_to(args[1], t.int_())
    ts = _null_to(args[2], t.timestamp(3))
    if not n.type.is_integer:
        raise arg_error(name, 2, "an integer", n.type, span)
    if not DATETIME.accepts(ts.type):
        raise arg_error(name, 3, DATETIME.label, ts.type, span)
    nullable = n.type.nullable or ts.type.nullable
    rtype = ts.type.with_nullable(nullable)
    if ts.type.kind is Kind.DATE and unit in _TIME_OF_DAY_UNITS:
        rtype = t.timestamp(6, nullable)
    return Call(name=name, args=(args[0], n, ts), type=rtype, span=span)


def _timestampdiff(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """TIMESTAMPDIFF(unit, timepoint1, timepoint2) -> INT."""
    _unit(name, args[0], TIMEPOINT_UNITS, span)
    a = _null_to(args[1], t.timestamp(3))
    b = _null_to(args[2], t.timestamp(3))
    for i, x in ((2, a), (3, b)):
        if not DATETIME.accepts(x.type):
            raise arg_error(name, i, DATETIME.label, x.type, span)
    if coercion.common_type([a.type, b.type]) is None:
        raise TypeCheckError(
            f"function {name} cannot compare {show(a.type)} with {show(b.type)}", span
        )
    nullable = a.type.nullable or b.type.nullable
    return Call(name=name, args=(args[0], a, b), type=t.int_(nullable), span=span)


def _to_timestamp_ltz(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """TO_TIMESTAMP_LTZ(numeric[, precision]) or TO_TIMESTAMP_LTZ(string[, format[, tz]]).

    Flink 2.3 (FLINK-39244): a numeric precision of 0-3 gives TIMESTAMP_LTZ(3), 4-9 gives
    TIMESTAMP_LTZ(p); a format with more than three `S` gives that many fractional digits."""
    first = _null_to(args[0], t.bigint())
    if not NUMERIC_OR_STRING.accepts(first.type):
        raise arg_error(name, 1, NUMERIC_OR_STRING.label, first.type, span)
    if first.type.is_numeric and len(args) > 2:
        raise TypeCheckError(
            f"function {name} takes 1 or 2 arguments with a numeric epoch, got {len(args)}", span
        )
    for i, a in enumerate(args[1:], start=2):
        want = INTEGER if first.type.is_numeric else STRING
        if not (a.type.is_null or want.accepts(a.type)):
            raise arg_error(name, i, want.label, a.type, span)
    precision = 3
    if len(args) > 1:
        if first.type.is_numeric:
            p = literal_int(args[1])
            if p is not None and not 0 <= p <= 9:
                raise TypeCheckError(
                    f"function {name} precision must be between 0 and 9, got {p}", span
                )
            precision = max(3, p or 0)
        else:
            fmt = literal_value(args[1])
            if isinstance(fmt, str):
                precision = max(3, min(9, _fraction_digits(fmt)))
    rtype = t.timestamp_ltz(precision, nullable=True)
    return Call(name=name, args=(first, *args[1:]), type=rtype, span=span)


def _fraction_digits(fmt: str) -> int:
    """Length of the longest run of `S` (fraction-of-second) in a Java date pattern."""
    best = run = 0
    for ch in fmt:
        run = run + 1 if ch == "S" else 0
        best = max(best, run)
    return best


def _current_watermark(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    (arg,) = args
    if not arg.type.is_timestamp:
        raise arg_error(name, 1, TIMESTAMP.label, arg.type, span)
    return Call(name=name, args=args, type=arg.type.with_nullable(True), span=span)


def _clock(name: str, rtype: SqlType, doc: str, aliases: tuple[str, ...] = ()) -> Spec:
    return scalar(name, (), rtype, doc, nulls="never", deterministic=False, aliases=aliases)


TIME_FUNCTIONS: tuple[Spec, ...] = (
    _clock(
        "CURRENT_TIMESTAMP",
        t.timestamp_ltz(3, False),
        "CURRENT_TIMESTAMP -> TIMESTAMP_LTZ(3): the current time in the session time zone",
    ),
    _clock("NOW", t.timestamp_ltz(3, False), "NOW() -> TIMESTAMP_LTZ(3), as CURRENT_TIMESTAMP"),
    _clock(
        "CURRENT_ROW_TIMESTAMP",
        t.timestamp_ltz(3, False),
        "CURRENT_ROW_TIMESTAMP() -> TIMESTAMP_LTZ(3), evaluated per record",
    ),
    _clock("LOCALTIMESTAMP", t.timestamp(3, False), "LOCALTIMESTAMP -> TIMESTAMP(3)"),
    _clock("CURRENT_DATE", t.date(False), "CURRENT_DATE -> DATE"),
    _clock("CURRENT_TIME", t.time(0, False), "CURRENT_TIME -> TIME(0)"),
    _clock("LOCALTIME", t.time(0, False), "LOCALTIME -> TIME(0)"),
    _clock(
        "PROCTIME",
        t.timestamp_ltz(3, False),
        "PROCTIME() -> TIMESTAMP_LTZ(3) *PROCTIME*: a processing-time attribute",
    ),
    scalar(
        "DATE_FORMAT",
        (TIMESTAMP_OR_STRING, STRING),
        S,
        "DATE_FORMAT(timestamp|string, string) -> STRING formatted with a SimpleDateFormat pattern",
    ),
    custom(
        "EXTRACT",
        2,
        2,
        "EXTRACT(timeintervalunit FROM temporal) -> BIGINT",
        _extract,
    ),
    *(
        scalar(fn, (DATETIME,), BIGINT, f"{fn}(date) -> BIGINT, as EXTRACT({unit} FROM date)")
        for fn, unit in (
            ("YEAR", "YEAR"),
            ("QUARTER", "QUARTER"),
            ("MONTH", "MONTH"),
            ("WEEK", "WEEK"),
            ("DAYOFYEAR", "DOY"),
            ("DAYOFMONTH", "DAY"),
            ("DAYOFWEEK", "DOW"),
            ("HOUR", "HOUR"),
            ("MINUTE", "MINUTE"),
            ("SECOND", "SECOND"),
        )
    ),
    scalar(
        "TO_TIMESTAMP",
        (STRING, STRING),
        t.timestamp(3),
        "TO_TIMESTAMP(string1[, string2]) -> TIMESTAMP(3) parsed with format string2 "
        "(default 'yyyy-MM-dd HH:mm:ss'); NULL when it does not parse",
        optional=1,
        nulls="always",
    ),
    custom(
        "TO_TIMESTAMP_LTZ",
        1,
        3,
        "TO_TIMESTAMP_LTZ(numeric, precision) -> TIMESTAMP_LTZ(3) from epoch seconds (0) or "
        "milliseconds (3); TO_TIMESTAMP_LTZ(string[, format[, timezone]])",
        _to_timestamp_ltz,
    ),
    scalar(
        "TO_DATE",
        (STRING, STRING),
        t.date(),
        "TO_DATE(string1[, string2]) -> DATE parsed with format string2 (default 'yyyy-MM-dd')",
        optional=1,
        nulls="always",
    ),
    scalar(
        "UNIX_TIMESTAMP",
        (STRING, STRING),
        BIGINT,
        "UNIX_TIMESTAMP([string1[, string2]]) -> BIGINT epoch seconds (now without arguments)",
        optional=2,
        deterministic=False,
    ),
    scalar(
        "FROM_UNIXTIME",
        (NUMERIC, STRING),
        S,
        "FROM_UNIXTIME(numeric[, string]) -> STRING: epoch seconds formatted "
        "(default 'yyyy-MM-dd HH:mm:ss')",
        optional=1,
    ),
    custom(
        "TIMESTAMPADD",
        3,
        3,
        "TIMESTAMPADD(timeintervalunit, interval, timepoint) -> timepoint's type",
        _timestampadd,
    ),
    custom(
        "TIMESTAMPDIFF",
        3,
        3,
        "TIMESTAMPDIFF(timepointunit, timepoint1, timepoint2) -> INT: (timepoint2 - timepoint1) "
        "in units",
        _timestampdiff,
    ),
    scalar(
        "CONVERT_TZ",
        (STRING, STRING, STRING),
        S,
        "CONVERT_TZ(string1, string2, string3) -> STRING: datetime string1 from zone string2 "
        "to zone string3; NULL when string1 is no 'yyyy-MM-dd HH:mm:ss'",
        nulls="always",
    ),
    scalar(
        "SOURCE_WATERMARK",
        (),
        t.timestamp(3),
        "SOURCE_WATERMARK() -> TIMESTAMP(3): the source's own watermark (WATERMARK clause only)",
        nulls="always",
    ),
    custom(
        "CURRENT_WATERMARK",
        1,
        1,
        "CURRENT_WATERMARK(rowtime) -> the rowtime's type: the current watermark, NULL before "
        "the first",
        _current_watermark,
    ),
)
