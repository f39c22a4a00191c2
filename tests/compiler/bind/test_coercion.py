"""Flink's type derivation rules (compiler/bind/coercion.py).

Expectations cite Flink's documentation or the observations in docs/FLINK_SEMANTICS.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nrtg.catalog import types as t
from nrtg.catalog.types import SqlType
from nrtg.compiler.bind import coercion as c


# -- literals ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, t.int_(False)),
        (2**31 - 1, t.int_(False)),
        (2**31, t.bigint(False)),
        (-(2**63), t.bigint(False)),
        (2**63, t.decimal(19, 0, False)),
        # Calcite/Flink exact literals: precision counts the digits as written.
        (Decimal("1.25"), t.decimal(3, 2, False)),
        (Decimal("0.908"), t.decimal(4, 3, False)),  # Nexmark q1's 0.908
        (Decimal("1.0"), t.decimal(2, 1, False)),
        (Decimal("100"), t.decimal(3, 0, False)),
        (1e3, t.double(False)),
        ("abc", t.char(3, False)),  # Flink types 'abc' as CHAR(3) NOT NULL
        (True, t.boolean(False)),
        (None, t.null()),
        (dt.date(2024, 1, 1), t.date(False)),
        (dt.datetime(2024, 1, 1, 12, 0, 0, 500_000), t.timestamp(3, False)),
    ],
)
def test_literal_type(value: object, expected: SqlType) -> None:
    assert c.literal_type(value) == expected


# -- DECIMAL arithmetic (Flink LogicalTypeMerging) ----------------------------------------------
@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        # addition: scale max(s1, s2), precision max(p1-s1, p2-s2) + scale + 1
        ("PLUS", t.decimal(10, 2), t.decimal(5, 3), t.decimal(12, 3)),
        ("MINUS", t.decimal(10, 2), t.decimal(5, 3), t.decimal(12, 3)),
        ("PLUS", t.decimal(38, 2), t.decimal(38, 2), t.decimal(38, 2)),
        # an integer operand is DECIMAL(10, 0) (INT) / DECIMAL(19, 0) (BIGINT)
        ("PLUS", t.decimal(5, 2), t.int_(), t.decimal(13, 2)),
        # multiplication: p1 + p2 + 1, s1 + s2
        ("TIMES", t.decimal(4, 3), t.bigint(), t.decimal(24, 3)),  # 0.908 * price
        ("TIMES", t.decimal(10, 2), t.decimal(5, 3), t.decimal(16, 5)),
        # overflow keeps the integral digits, scale not below min(s, 6)
        ("TIMES", t.decimal(38, 10), t.decimal(38, 10), t.decimal(38, 6)),
        # division: scale max(6, s1 + p2 + 1), precision p1 - s1 + s2 + scale
        ("DIVIDE", t.decimal(2, 1), t.int_(), t.decimal(13, 12)),  # 1.0/3 (FLINK_SEMANTICS.md)
        ("DIVIDE", t.decimal(10, 2), t.decimal(5, 3), t.decimal(19, 8)),
        ("DIVIDE", t.decimal(38, 2), t.decimal(10, 0), t.decimal(38, 6)),
        # modulo: scale max(s1, s2), precision min(p1-s1, p2-s2) + scale
        ("MOD", t.decimal(10, 2), t.decimal(5, 3), t.decimal(5, 3)),
    ],
)
def test_decimal_arithmetic(op: str, left: SqlType, right: SqlType, expected: SqlType) -> None:
    assert c.arithmetic_type(op, left, right) == expected


def test_integer_arithmetic_keeps_the_wider_integer_type() -> None:
    # FLINK_SEMANTICS.md: BIGINT/BIGINT is BIGINT (integer division truncates).
    assert c.arithmetic_type("DIVIDE", t.bigint(), t.bigint()) == t.bigint()
    assert c.arithmetic_type("DIVIDE", t.int_(False), t.int_(False)) == t.int_(False)
    assert c.arithmetic_type("PLUS", t.int_(), t.bigint(False)) == t.bigint()
    assert c.arithmetic_type("TIMES", t.smallint(), t.tinyint()) == t.smallint()
    # Calcite's MOD on integers returns the divisor's type.
    assert c.arithmetic_type("MOD", t.bigint(), t.int_()) == t.int_()


def test_approximate_arithmetic() -> None:
    assert c.arithmetic_type("PLUS", t.decimal(10, 2), t.double()) == t.double()
    assert c.arithmetic_type("TIMES", t.int_(), t.float_()) == t.float_()
    assert c.arithmetic_type("DIVIDE", t.float_(), t.double()) == t.double()
    assert c.arithmetic_type("PLUS", t.decimal(10, 2), t.float_()) == t.double()
    assert c.arithmetic_type("MOD", t.double(), t.int_()) is None


def test_arithmetic_nullability_and_rejections() -> None:
    assert c.arithmetic_type("PLUS", t.int_(False), t.int_(False)) == t.int_(False)
    assert c.arithmetic_type("PLUS", t.int_(False), t.int_(True)) == t.int_(True)
    assert c.arithmetic_type("PLUS", t.int_(False), t.null()) == t.int_(True)
    assert c.arithmetic_type("PLUS", t.string(), t.int_()) is None
    assert c.arithmetic_type("PLUS", t.boolean(), t.boolean()) is None


def test_temporal_arithmetic() -> None:
    ts = t.timestamp(3, False)
    day = t.interval_day_time("DAY", "DAY", fraction=None, nullable=False)
    hour = t.interval_day_time("HOUR", "HOUR", fraction=None, nullable=False)
    month = t.interval_year_month("MONTH", "MONTH", nullable=False)
    assert c.arithmetic_type("PLUS", ts, day) == ts
    assert c.arithmetic_type("MINUS", ts, hour) == ts
    assert c.arithmetic_type("PLUS", day, ts) == ts
    assert c.arithmetic_type("PLUS", t.timestamp_ltz(3), month) == t.timestamp_ltz(3)
    assert c.arithmetic_type("PLUS", t.date(False), day) == t.date(False)
    assert c.arithmetic_type("MINUS", t.date(), month) == t.date()
    assert c.arithmetic_type("TIMES", day, t.int_(False)) == day
    # TIMESTAMP - TIMESTAMP is not an operator in Flink: use TIMESTAMPDIFF.
    assert c.arithmetic_type("MINUS", ts, ts) is None
    assert c.arithmetic_type("MINUS", day, ts) is None
    assert c.arithmetic_type("PLUS", day, month) is None


# -- common type --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("types", "expected"),
    [
        ([t.int_(False), t.bigint(False)], t.bigint(False)),
        ([t.tinyint(), t.smallint(False)], t.smallint()),
        ([t.int_(False), t.decimal(5, 2, False)], t.decimal(12, 2, False)),
        ([t.bigint(), t.decimal(10, 2)], t.decimal(21, 2)),
        ([t.decimal(38, 0), t.decimal(38, 10)], t.decimal(38, 0)),
        ([t.decimal(10, 2), t.double()], t.double()),
        ([t.int_(), t.float_()], t.float_()),
        ([t.decimal(10, 2), t.float_()], t.double()),
        # Flink 2.x: CASE results of different lengths are not padded -> VARCHAR(max).
        ([t.char(1, False), t.char(3, False)], t.varchar(3, False)),
        ([t.char(3, False), t.char(3, False)], t.char(3, False)),
        ([t.char(5, False), t.string()], t.string()),
        ([t.varchar(10), t.char(20)], t.varchar(20)),
        ([t.null(), t.int_(False)], t.int_(True)),
        ([t.null(), t.null()], t.null()),
        ([t.timestamp(3, False), t.timestamp(6, False)], t.timestamp(6, False)),
        ([t.timestamp(3), t.timestamp_ltz(3)], t.timestamp_ltz(3)),
        ([t.array(t.int_()), t.array(t.bigint())], t.array(t.bigint())),
        ([t.boolean(False), t.boolean()], t.boolean()),
        # LogicalTypeMerging: intervals widen to the combined resolution.
        (
            [
                t.interval_day_time("DAY", "DAY", fraction=None, nullable=False),
                t.interval_day_time("SECOND", "SECOND", fraction=3, nullable=False),
            ],
            t.interval_day_time("DAY", "SECOND", fraction=3, nullable=False),
        ),
        (
            [t.interval_year_month("MONTH", "MONTH"), t.interval_year_month("YEAR", "YEAR")],
            t.interval_year_month("YEAR", "MONTH"),
        ),
    ],
)
def test_common_type(types: list[SqlType], expected: SqlType) -> None:
    assert c.common_type(types) == expected


@pytest.mark.parametrize(
    "types",
    [
        [t.int_(), t.string()],
        [t.boolean(), t.int_()],
        [t.date(), t.time()],
        [t.date(), t.timestamp(3)],  # Calcite and Flink disagree: nrtg asks for a CAST
        [t.string(), t.bytes_()],
        [t.array(t.int_()), t.array(t.string())],
        [],
    ],
)
def test_common_type_incompatible(types: list[SqlType]) -> None:
    assert c.common_type(types) is None


# -- aggregates' result types ---------------------------------------------------------------------
def test_sum_and_avg_types() -> None:
    # Flink: SUM(DECIMAL(p, s)) is DECIMAL(38, s); AVG(DECIMAL(p, s)) DECIMAL(38, max(s, 6)).
    assert c.sum_type(t.decimal(10, 2)) == t.decimal(38, 2)
    assert c.avg_type(t.decimal(10, 2)) == t.decimal(38, 6)
    assert c.avg_type(t.decimal(20, 8)) == t.decimal(38, 8)
    assert c.avg_type(t.bigint(False)) == t.bigint()


# -- casts: Flink's LogicalTypeCasts (the rules behind the Data Types page's casting table) -----
@pytest.mark.parametrize(
    ("source", "target", "ok"),
    [
        (t.int_(), t.string(), True),
        (t.string(), t.int_(), True),
        (t.string(), t.timestamp(3), True),
        (t.double(), t.decimal(10, 2), True),
        (t.int_(), t.boolean(), True),
        (t.boolean(), t.int_(), True),
        (t.decimal(10, 2), t.boolean(), True),
        (t.timestamp(3), t.date(), True),
        (t.date(), t.timestamp(3), True),
        (t.timestamp(3), t.timestamp_ltz(3), True),
        (t.date(), t.time(), False),
        (t.bigint(), t.timestamp(3), True),
        (t.timestamp_ltz(3), t.bigint(), True),
        (t.boolean(), t.date(), False),
        (t.time(), t.date(), False),
        (t.interval_day_time("DAY", "DAY", fraction=None), t.bigint(), True),
        (t.interval_day_time("DAY", "SECOND"), t.bigint(), False),  # single-field only
        (t.int_(), t.interval_year_month("MONTH", "MONTH"), True),
        (t.array(t.int_()), t.map_(t.int_(), t.int_()), False),
        (t.array(t.int_()), t.string(), True),
        (t.string(), t.array(t.int_()), False),
        (t.array(t.int_()), t.array(t.string()), True),
        (t.row([("a", t.int_())]), t.row([("b", t.bigint())]), True),
        (t.null(), t.int_(), True),
        (t.string(), t.bytes_(), True),
    ],
)
def test_can_cast(source: SqlType, target: SqlType, ok: bool) -> None:
    assert c.can_cast(source, target) is ok


@pytest.mark.parametrize(
    ("source", "target", "ok"),
    [
        (t.int_(), t.bigint(), True),
        (t.bigint(), t.int_(), False),
        (t.int_(), t.decimal(10, 0), True),
        (t.bigint(), t.decimal(10, 0), True),  # kinds only, not precision
        (t.timestamp(3), t.date(), True),
        (t.date(), t.timestamp(3), False),
        (t.decimal(10, 2), t.decimal(12, 2), True),
        (t.decimal(10, 2), t.double(), True),
        (t.double(), t.decimal(10, 2), True),  # DECIMAL implicitly from every NUMERIC
        (t.decimal(10, 2), t.bigint(), False),
        (t.char(3), t.string(), True),
        (t.string(), t.char(3), False),
        (t.int_(), t.string(), False),
        (t.string(), t.int_(), False),
        (t.timestamp(3), t.timestamp(6), True),
        (t.timestamp(3), t.timestamp_ltz(3), True),
        (t.null(), t.int_(), True),
        (t.int_(True), t.int_(False), False),
        (t.int_(False), t.int_(True), True),
    ],
)
def test_can_implicit_cast(source: SqlType, target: SqlType, ok: bool) -> None:
    assert c.can_implicit_cast(source, target) is ok
