"""Flink and Hive type strings -> SqlType and back (Flink's serializable form)."""

from __future__ import annotations

import pytest

from nrtg.catalog import types as t
from nrtg.catalog.errors import TypeParseError
from nrtg.catalog.type_parser import parse_flink_type, parse_hive_type

FLINK = [
    ("INT", t.int_()),
    ("STRING NOT NULL", t.string(nullable=False)),
    # FlinkTypeSystem: VARCHAR/VARBINARY without a length are the maximum length in SQL.
    ("VARCHAR", t.string()),
    ("VARBINARY", t.bytes_()),
    ("CHAR", t.char(1)),
    ("DECIMAL(10, 3)", t.decimal(10, 3)),
    ("DECIMAL", t.decimal(10, 0)),
    ("TIMESTAMP", t.timestamp(6)),
    ("TIMESTAMP(3) WITH LOCAL TIME ZONE", t.timestamp_ltz(3)),
    ("TIMESTAMP_LTZ(3)", t.timestamp_ltz(3)),
    ("INT ARRAY", t.array(t.int_())),
    ("MAP<STRING, BIGINT NOT NULL>", t.map_(t.string(), t.bigint(nullable=False))),
    (
        "ROW<a INT, `b c` STRING 'doc'>",
        t.row((t.RowField("a", t.int_()), t.RowField("b c", t.string(), "doc"))),
    ),
    ("INTERVAL DAY(2) TO SECOND(3)", t.interval_day_time("DAY", "SECOND", 2, 3)),
]


@pytest.mark.parametrize(("text", "expected"), FLINK, ids=[x[0] for x in FLINK])
def test_flink_types_parse_and_round_trip(text: str, expected: t.SqlType) -> None:
    parsed = parse_flink_type(text)
    assert parsed == expected
    assert parse_flink_type(parsed.serializable()) == parsed


def test_serializable_form_is_flinks() -> None:
    assert t.string().serializable() == "VARCHAR(2147483647)"
    assert t.bigint(nullable=False).serializable() == "BIGINT NOT NULL"
    assert t.timestamp_ltz(3).serializable() == "TIMESTAMP(3) WITH LOCAL TIME ZONE"
    assert t.row([("id", t.bigint())]).serializable() == "ROW<`id` BIGINT>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("struct<a:int,b:array<string>>", t.row([("a", t.int_()), ("b", t.array(t.string()))])),
        ("decimal(10,2)", t.decimal(10, 2)),
        ("decimal", t.decimal(10, 0)),
        ("timestamp", t.timestamp(9)),
        ("varchar(10)", t.varchar(10)),
        ("map<string,bigint>", t.map_(t.string(), t.bigint())),
    ],
)
def test_hive_types(text: str, expected: t.SqlType) -> None:
    assert parse_hive_type(text) == expected


@pytest.mark.parametrize("bad", ["INTT", "DECIMAL(50, 2)", "ROW<a>", "MAP<INT>"])
def test_bad_flink_types_are_clear_errors(bad: str) -> None:
    with pytest.raises(TypeParseError, match=r"invalid Flink type|out of range"):
        parse_flink_type(bad)


@pytest.mark.parametrize(
    "text",
    ["INT", "bigint NOT NULL", "STRING", "VARCHAR", "VARCHAR(10)", "CHAR", "BYTES", "BINARY(4)",
     "DECIMAL", "DECIMAL(38, 18)", "NUMERIC(5)", "TIMESTAMP", "TIMESTAMP(3) NOT NULL",
     "TIMESTAMP_LTZ(3)", "TIME(3)", "DOUBLE PRECISION", "REAL", "DATE"],
)  # fmt: skip
def test_scalar_fast_path_agrees_with_the_grammar(text: str) -> None:
    from nrtg.catalog.type_parser import _FlinkBuilder, _parse, _simple_flink_type

    fast = _simple_flink_type(text)
    assert fast is not None
    assert fast == _parse("flink_type", text, _FlinkBuilder().build, "Flink")
