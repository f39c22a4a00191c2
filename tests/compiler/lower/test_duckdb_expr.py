"""Scalar functions on the batch target give Flink's documented results.

Each test lowers a hand-built expression, runs it on DuckDB and asserts the value Flink gives;
the comment cites the Flink documentation (docs/dev/table/functions/systemfunctions) or
FLINK_SEMANTICS.md (observed on Flink 2.3.0).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field
from nrtg.catalog.types import SqlType
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, Case, Cast, ColumnRef, Expr, Literal
from nrtg.runtime.batch import run_plan

STR = t.string()


def lit(value: Any, typ: SqlType) -> Literal:
    return Literal(value=value, type=typ)


def s(value: str | None) -> Literal:
    return lit(value, STR)


def i(value: int | None) -> Literal:
    return lit(value, t.int_())


def call(name: str, typ: SqlType, *args: Expr) -> Call:
    return Call(name=name, args=args, type=typ)


def ev(e: Expr, row: tuple[Expr, ...] = (), fields: tuple[Field, ...] = ()) -> Any:
    """Evaluate `e` over a one-row VALUES input (ColumnRefs read `row`)."""
    if not fields:
        row, fields = (i(0),), (Field("dummy", t.int_()),)
    values = n.Values(rows=(row,), fields=fields)
    plan = n.Project(input=values, exprs=(e,), names=("r",))
    return run_plan(plan).table.column(0).to_pylist()[0]


def ref(index: int, typ: SqlType, name: str = "x") -> ColumnRef:
    return ColumnRef(index=index, name=name, type=typ)


# -- numbers ----------------------------------------------------------------------------------
def test_integer_division_truncates_toward_zero() -> None:
    # FLINK_SEMANTICS.md: "Integer `/` truncates toward zero ... -7/2 = -3".
    assert ev(call("DIVIDE", t.int_(), i(-7), i(2))) == -3
    assert ev(call("DIVIDE", t.int_(), i(7), i(2))) == 3


def test_bigint_division_stays_bigint() -> None:
    # FLINK_SEMANTICS.md: "BIGINT/BIGINT is BIGINT".
    big = t.bigint()
    e = call("DIVIDE", big, lit(9_000_000_000_000_000_001, big), lit(2, big))
    assert ev(e) == 4_500_000_000_000_000_000


def test_mod_takes_dividend_sign() -> None:
    # FLINK_SEMANTICS.md: "MOD(-7, 2) = -1, MOD(x, -7) = x mod 7 for positive x".
    assert ev(call("MOD", t.int_(), i(-7), i(2))) == -1
    assert ev(call("MOD", t.int_(), i(10), i(-7))) == 3


def test_decimal_division_has_flink_scale() -> None:
    # FLINK_SEMANTICS.md: "`1.0/3` is `DECIMAL(13, 12)` = `0.333333333333`".
    one = lit(Decimal("1.0"), t.decimal(2, 1))
    e = call("DIVIDE", t.decimal(13, 12), one, i(3))
    assert ev(e) == Decimal("0.333333333333")


def test_decimal_division_rounds_half_up_exactly() -> None:
    # Flink: DECIMAL quotients round HALF_UP to the derived scale (DecimalDataUtils.divide):
    # 2 / 3 at scale 6 = 0.666667; -2 / 3 = -0.666667; beyond DOUBLE's 16 digits stays exact.
    two = lit(Decimal("2"), t.decimal(1, 0))
    assert ev(call("DIVIDE", t.decimal(13, 6), two, i(3))) == Decimal("0.666667")
    neg = lit(Decimal("-2"), t.decimal(1, 0))
    assert ev(call("DIVIDE", t.decimal(13, 6), neg, i(3))) == Decimal("-0.666667")
    big = lit(Decimal("12345678901234567890.12"), t.decimal(22, 2))
    e = call("DIVIDE", t.decimal(38, 4), big, lit(Decimal("0.5"), t.decimal(2, 1)))
    assert ev(e) == Decimal("24691357802469135780.2400")


def test_decimal_times_bigint() -> None:
    # FLINK_SEMANTICS.md: "`0.908 * price` (BIGINT) is DECIMAL" (Nexmark q1).
    e = call(
        "TIMES", t.decimal(23, 3), lit(Decimal("0.908"), t.decimal(3, 3)), lit(1234, t.bigint())
    )
    assert ev(e) == Decimal("1120.472")


def test_cast_decimal_rounds_half_up() -> None:
    # FLINK_SEMANTICS.md: "`CAST(1.25 AS DECIMAL(10,1))` = `1.3` (HALF_UP)".
    e = Cast(input=lit(Decimal("1.25"), t.decimal(3, 2)), type=t.decimal(10, 1))
    assert ev(e) == Decimal("1.3")
    neg = Cast(input=lit(Decimal("-1.25"), t.decimal(3, 2)), type=t.decimal(10, 1))
    assert ev(neg) == Decimal("-1.3")


def test_cast_double_to_int_truncates() -> None:
    # Flink casts DOUBLE/DECIMAL to an integer type by truncation (Java narrowing):
    # CAST(2.7 AS INT) = 2, CAST(-2.7 AS INT) = -2. DuckDB would round.
    assert ev(Cast(input=lit(2.7, t.double()), type=t.int_())) == 2
    assert ev(Cast(input=lit(-2.7, t.double()), type=t.int_())) == -2
    assert ev(Cast(input=lit(Decimal("2.5"), t.decimal(2, 1)), type=t.int_())) == 2


def test_cast_double_to_string_java_notation() -> None:
    # FLINK_SEMANTICS.md: "`CAST(DOUBLE AS STRING)` uses Java notation from 1e7 on:
    # `36190700.0` -> `'3.61907E7'`".
    def as_string(v: float) -> Any:
        return ev(Cast(input=lit(v, t.double()), type=STR))

    assert as_string(36190700.0) == "3.61907E7"
    assert as_string(12.0) == "12.0"
    assert as_string(0.001) == "0.001"
    assert as_string(0.0001) == "1.0E-4"
    assert as_string(1234567.5) == "1234567.5"
    assert as_string(-1e20) == "-1.0E20"


def test_try_cast_trims_whitespace() -> None:
    # FLINK_SEMANTICS.md: "`TRY_CAST(' 42 ' AS INT)` = 42 (whitespace trimmed)".
    assert ev(Cast(input=s(" 42 "), type=t.int_(), safe=True)) == 42
    assert ev(Cast(input=s("x"), type=t.int_(), safe=True)) is None


def test_failing_cast_is_an_error() -> None:
    # FLINK_SEMANTICS.md: "a failing `CAST` of a string is a runtime error".
    from nrtg.catalog.errors import ExecutionError

    with pytest.raises(ExecutionError):
        ev(Cast(input=s("x"), type=t.int_()))


def test_cast_boolean_to_string_upper_case() -> None:
    # Flink: CAST(TRUE AS STRING) = 'TRUE'.
    assert ev(Cast(input=lit(True, t.boolean()), type=STR)) == "TRUE"


def test_cast_timestamp_to_string_pads_precision() -> None:
    # Flink: CAST(TIMESTAMP(3) AS STRING) = 'yyyy-MM-dd HH:mm:ss.SSS'.
    ts = lit(dt.datetime(2020, 1, 2, 3, 4, 5), t.timestamp(3))
    assert ev(Cast(input=ts, type=STR)) == "2020-01-02 03:04:05.000"


def test_round_half_up() -> None:
    # Flink doc: ROUND(numeric, int) rounds HALF_UP: ROUND(2.5, 0) = 3, ROUND(-2.5, 0) = -3.
    e = call("ROUND", t.decimal(2, 0), lit(Decimal("2.5"), t.decimal(2, 1)), i(0))
    assert ev(e) == Decimal("3")
    e = call("ROUND", t.decimal(2, 0), lit(Decimal("-2.5"), t.decimal(2, 1)), i(0))
    assert ev(e) == Decimal("-3")


# -- strings ----------------------------------------------------------------------------------
def test_char_length_counts_code_points() -> None:
    # FLINK_SEMANTICS.md: "`CHAR_LENGTH('🚀 Rocket') = 8`".
    assert ev(call("CHAR_LENGTH", t.int_(), s("🚀 Rocket"))) == 8


@pytest.mark.parametrize(
    ("pos", "length", "expected"),
    [
        (2, 3, "ell"),  # Flink doc: SUBSTRING('hello' FROM 2 FOR 3)
        (0, 2, "he"),  # position 0 means 1 (BinaryStringData.substringSQL)
        (-2, 2, "lo"),  # negative positions count from the end
        (-7, 3, ""),  # before the start: empty
        (9, 2, ""),  # after the end: empty
        (2, -1, None),  # negative length: NULL
    ],
)
def test_substring(pos: int, length: int, expected: str | None) -> None:
    # Flink doc: "SUBSTRING(string FROM integer1 [ FOR integer2 ]) Returns a substring of
    # STRING starting from position integer1 with length integer2 (by default to the end)".
    assert ev(call("SUBSTRING", STR, s("hello"), i(pos), i(length))) == expected


def test_substring_without_length() -> None:
    assert ev(call("SUBSTRING", STR, s("🚀 Rocket"), i(3))) == "Rocket"


@pytest.mark.parametrize(
    ("text", "sep", "index", "expected"),
    [
        ("Jack,John,Mary", ",", 2, "Mary"),
        ("Jack,John,Mary", ",", 3, None),
        ("Jack,John,Mary", ",", -1, None),
        ("a//b", "/", 1, ""),
        ("https://www.nexmark.com/a/b", "/", 3, "a"),  # Nexmark q22
        ("", ",", 0, None),
    ],
)
def test_split_index(text: str, sep: str, index: int, expected: str | None) -> None:
    # Flink doc: "SPLIT_INDEX(string1, string2, integer1) Splits string1 by the delimiter
    # string2, returns the integer1-th (zero-based) string of the split strings. Returns NULL
    # if integer is negative. Returns NULL if any of arguments is NULL." Out of range: NULL.
    assert ev(call("SPLIT_INDEX", STR, s(text), s(sep), i(index))) == expected


def test_split_index_null_argument() -> None:
    assert ev(call("SPLIT_INDEX", STR, s("a,b"), s(None), i(0))) is None


def test_regexp_extract() -> None:
    # Flink doc: "REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 2) returns "bar"."
    assert ev(call("REGEXP_EXTRACT", STR, s("foothebar"), s("foo(.*?)(bar)"), i(2))) == "bar"
    # Group 0 (the default) is the whole match; no match gives NULL.
    assert ev(call("REGEXP_EXTRACT", STR, s("foothebar"), s("o+t"))) == "oot"
    assert ev(call("REGEXP_EXTRACT", STR, s("abc"), s("x(y)"), i(1))) is None


def test_regexp_extract_nexmark_q21() -> None:
    # Nexmark q21: REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2).
    url = s("https://www.nexmark.com/foo?channel_id=1234&x=1")
    pattern = s("(&|^)channel_id=([^&]*)")
    assert ev(call("REGEXP_EXTRACT", STR, url, pattern, i(2))) is None
    url2 = s("a=1&channel_id=77&b=2")
    assert ev(call("REGEXP_EXTRACT", STR, url2, pattern, i(2))) == "77"


def test_regexp_replace_java_group_references() -> None:
    # Flink doc: REGEXP_REPLACE(string1, string2, string3) replaces all substrings matching
    # the Java regex; `$1` in the replacement refers to a group.
    e = call("REGEXP_REPLACE", STR, s("foobar"), s("(o+)"), s("[$1]"))
    assert ev(e) == "f[oo]bar"


def test_concat_null_is_null() -> None:
    # Flink doc: "CONCAT(string1, string2, ...) ... Returns NULL if any argument is NULL."
    assert ev(call("CONCAT", STR, s("AA"), s("BB"), s("CC"))) == "AABBCC"
    assert ev(call("CONCAT", STR, s("AA"), s(None))) is None
    assert ev(call("CONCAT_OP", STR, s("AA"), s(None))) is None


def test_concat_ws_skips_nulls() -> None:
    # Flink doc: "CONCAT_WS('~', 'AA', Null, 'BB', '', 'CC') returns 'AA~BB~~CC'";
    # "Returns NULL If string1 is NULL".
    e = call("CONCAT_WS", STR, s("~"), s("AA"), s(None), s("BB"), s(""), s("CC"))
    assert ev(e) == "AA~BB~~CC"
    assert ev(call("CONCAT_WS", STR, s(None), s("AA"))) is None


def test_position_counts_code_points() -> None:
    # Flink doc: "POSITION(string1 IN string2) Returns the position (start from 1) of the first
    # occurrence of string1 in string2; returns 0 if string1 cannot be found".
    assert ev(call("POSITION", t.int_(), s("R"), s("🚀 Rocket"))) == 3
    assert ev(call("POSITION", t.int_(), s("z"), s("abc"))) == 0


def test_upper_lower() -> None:
    assert ev(call("UPPER", STR, s("aB"))) == "AB"
    assert ev(call("LOWER", STR, s("aB"))) == "ab"


def test_like() -> None:
    assert ev(call("LIKE", t.boolean(), s("abc"), s("a%"))) is True
    assert ev(call("NOT_LIKE", t.boolean(), s("abc"), s("b%"))) is True


# -- conditionals and NULLs -------------------------------------------------------------------
def test_if_and_case() -> None:
    # Flink doc: "IF(condition, true_value, false_value)".
    assert ev(call("IF", STR, lit(False, t.boolean()), s("a"), s("b"))) == "b"
    case = Case(whens=((lit(True, t.boolean()), s("dayTime")),), default=s("night"), type=STR)
    # FLINK_SEMANTICS.md: "`CASE` results of different lengths are not padded".
    assert ev(case) == "dayTime"


def test_coalesce() -> None:
    assert ev(call("COALESCE", STR, s(None), s("x"))) == "x"


def test_greatest_is_null_if_any_null() -> None:
    # Flink doc: "GREATEST(value1[, value2]*) ... Returns NULL if any argument is NULL."
    assert ev(call("GREATEST", t.int_(), i(1), i(5), i(3))) == 5
    assert ev(call("GREATEST", t.int_(), i(1), i(None))) is None


def test_is_true_never_null() -> None:
    b = t.boolean()
    assert ev(call("IS_TRUE", t.boolean(False), lit(None, b))) is False
    assert ev(call("IS_NOT_TRUE", t.boolean(False), lit(None, b))) is True
    assert ev(call("IS_NULL", t.boolean(False), lit(None, b))) is True


def test_in() -> None:
    assert ev(call("IN", t.boolean(), i(2), i(1), i(2))) is True
    assert ev(call("NOT_IN", t.boolean(), i(3), i(1), i(2))) is True


# -- time -------------------------------------------------------------------------------------
TS = lit(dt.datetime(2020, 4, 5, 13, 7, 9, 123000), t.timestamp(3))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("yyyy-MM-dd", "2020-04-05"),  # Nexmark q10, q15
        ("HH:mm", "13:07"),  # Nexmark q10, q16
        ("yyyy-MM-dd HH:mm:ss", "2020-04-05 13:07:09"),
        ("yyyy-MM-dd HH:mm:ss.SSS", "2020-04-05 13:07:09.123"),
        ("yyyyMMdd'T'HH", "20200405T13"),
    ],
)
def test_date_format(pattern: str, expected: str) -> None:
    # Flink doc: "DATE_FORMAT(timestamp, string) Converts timestamp to a value of string in
    # the format specified by the date format string. The format string is compatible with
    # Java's SimpleDateFormat."
    assert ev(call("DATE_FORMAT", STR, TS, s(pattern))) == expected


def test_date_format_rejects_unknown_letters() -> None:
    with pytest.raises(UnsupportedError):
        ev(call("DATE_FORMAT", STR, TS, s("GGGG")))


def test_hour_and_extract() -> None:
    # Flink doc: "HOUR(timestamp) Returns the hour of a day (an integer between 0 and 23)";
    # "EXTRACT(timeintervalunit FROM temporal)". Nexmark q14 uses HOUR(dateTime).
    assert ev(call("HOUR", t.bigint(), TS)) == 13
    assert ev(call("EXTRACT", t.bigint(), s("MINUTE"), TS)) == 7
    # Flink doc: "DAYOFWEEK(date) Returns the day of a week (an integer between 1 and 7)"
    # with Sunday = 1; 2020-04-05 was a Sunday.
    assert ev(call("DAYOFWEEK", t.bigint(), TS)) == 1
    assert ev(call("EXTRACT", t.bigint(), s("DOW"), TS)) == 1


def test_timestamp_plus_interval() -> None:
    e = call(
        "PLUS",
        t.timestamp(3),
        TS,
        lit(dt.timedelta(seconds=1, milliseconds=500), t.interval_day_time()),
    )
    assert ev(e) == dt.datetime(2020, 4, 5, 13, 7, 10, 623000)


def test_to_timestamp_with_pattern() -> None:
    # Flink doc: "TO_TIMESTAMP(string1[, string2]) Converts date time string string1 with
    # format string2 (by default: 'yyyy-MM-dd HH:mm:ss')"; NULL when it does not parse.
    e = call("TO_TIMESTAMP", t.timestamp(3), s("05/04/2020 13"), s("dd/MM/yyyy HH"))
    assert ev(e) == dt.datetime(2020, 4, 5, 13, 0)
    assert ev(call("TO_TIMESTAMP", t.timestamp(3), s("2020-04-05 13:00:00"))) == dt.datetime(
        2020, 4, 5, 13, 0
    )
    assert ev(call("TO_TIMESTAMP", t.timestamp(3), s("nope"), s("yyyy"))) is None


def test_from_unixtime_in_session_zone() -> None:
    # Flink doc: "FROM_UNIXTIME(numeric[, string]) Returns a representation of the numeric
    # argument as a value in string format (default is 'yyyy-MM-dd HH:mm:ss')"; the runtime
    # session time zone is UTC by default.
    assert ev(call("FROM_UNIXTIME", STR, lit(44, t.bigint()))) == "1970-01-01 00:00:44"


def test_unix_timestamp_parses_in_session_zone() -> None:
    e = call("UNIX_TIMESTAMP", t.bigint(), s("1970-01-01 00:01:00"))
    assert ev(e) == 60


def test_column_references_and_nesting() -> None:
    fields = (Field("a", t.int_()), Field("b", STR))
    e = call(
        "CONCAT",
        STR,
        call("UPPER", STR, ref(1, STR, "b")),
        Cast(input=ref(0, t.int_(), "a"), type=STR),
    )
    assert ev(e, (i(7), s("x")), fields) == "X7"


def test_item_array_is_one_based() -> None:
    arr = call("ARRAY", t.array(t.int_()), i(10), i(20))
    assert ev(call("ITEM", t.int_(), arr, i(1))) == 10
    assert ev(call("ITEM", t.int_(), arr, i(3))) is None


def test_cast_to_timestamp_3_truncates() -> None:
    # Flink truncates fractional seconds beyond the target precision.
    micro = lit(dt.datetime(2020, 1, 1, 0, 0, 0, 123999), t.timestamp(6))
    assert ev(Cast(input=micro, type=t.timestamp(3))) == dt.datetime(2020, 1, 1, 0, 0, 0, 123000)


def test_double_division_by_zero_is_infinity() -> None:
    # Java double arithmetic: 1.0 / 0 = Infinity (integer division by zero is an error).
    assert ev(call("DIVIDE", t.double(), lit(1.0, t.double()), lit(0.0, t.double()))) == float(
        "inf"
    )


def test_date_format_of_ltz_uses_session_zone() -> None:
    # TIMESTAMP_LTZ values render in the session time zone (table.local-time-zone).
    ltz = t.timestamp_ltz(3)
    when = lit(dt.datetime(2024, 1, 1, 16, 0, tzinfo=dt.UTC), ltz)
    e = call("DATE_FORMAT", STR, when, s("yyyy-MM-dd HH:mm"))
    values = n.Values(rows=((i(0),),), fields=(Field("d", t.int_()),))
    plan = n.Project(input=values, exprs=(e,), names=("r",))
    assert run_plan(plan, time_zone="Asia/Tokyo").table.to_pylist() == [{"r": "2024-01-02 01:00"}]
    assert ev(e) == "2024-01-01 16:00"


def test_similar_to() -> None:
    # Flink doc: "string1 SIMILAR TO string2 Returns TRUE if string1 matches SQL regular
    # expression string2".
    assert ev(call("SIMILAR_TO", t.boolean(), s("abc"), s("a(b|x)%"))) is True
    assert ev(call("SIMILAR_TO", t.boolean(), s("abc"), s("a_"))) is False
    assert ev(call("SIMILAR_TO", t.boolean(), s("a.c"), s("a.c"))) is True
    assert ev(call("SIMILAR_TO", t.boolean(), s("abc"), s("a.c"))) is False
