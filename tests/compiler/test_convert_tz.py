"""CONVERT_TZ(string, from_tz, to_tz) on both targets, with Java's zone names (Flink calls
TimeZone.getTimeZone: tz database IDs, legacy three-letter IDs, `GMT+h[h][:mm]`, and GMT for an
unknown name)."""

from __future__ import annotations

from typing import Any

import pytest

from nrtg.catalog import types as t
from nrtg.compiler.lower.duckdb_funcs import java_zone
from tests.runtime.stream._parity import column_per_id, optimized_plan

TIMES = (
    "(VALUES (1, '1970-01-01 00:00:00'), (2, '2024-03-10 02:30:00'), "
    "(3, '2024-11-03 12:00:00.123'), (4, 'not a time'), (5, CAST(NULL AS STRING))) AS t(id, s)"
)


def _column(expr: str) -> dict[int, Any]:
    return column_per_id(expr, TIMES)


def test_flink_doc_example_and_dst() -> None:
    # Flink doc: CONVERT_TZ('1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles') returns
    # '1969-12-31 16:00:00'.
    assert _column("CONVERT_TZ(s, 'UTC', 'America/Los_Angeles')") == {
        1: "1969-12-31 16:00:00",
        2: "2024-03-09 18:30:00",
        3: "2024-11-03 04:00:00",  # after the switch back to PST; the fraction is ignored
        4: None,
        5: None,
    }
    # 02:30 does not exist on 2024-03-10 in Los Angeles: Java reads it as 03:30 PDT
    assert _column("CONVERT_TZ(s, 'America/Los_Angeles', 'UTC')")[2] == "2024-03-10 10:30:00"


def test_java_zone_names() -> None:
    assert _column("CONVERT_TZ(s, 'GMT+8', 'PST')")[1] == "1969-12-31 08:00:00"
    assert _column("CONVERT_TZ(s, 'No/Such_Zone', 'Asia/Tokyo')")[1] == "1970-01-01 09:00:00"


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("EST", "EST"),
        ("PST", "America/Los_Angeles"),
        ("GMT-8", "GMT-08:00"),
        ("GMT+05:30", "GMT+05:30"),
        ("GMT+0530", "GMT+05:30"),
        ("GMT+25", "GMT"),
        ("utc", "GMT"),
        ("Mars/Olympus", "GMT"),
    ],
)
def test_java_zone(name: str, zone: str) -> None:
    assert java_zone(name) == zone


def test_type() -> None:
    plan = optimized_plan("SELECT CONVERT_TZ('1970-01-01 00:00:00', 'UTC', 'UTC') AS v")
    assert plan.schema.fields[0].type == t.string()
