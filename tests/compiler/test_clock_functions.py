"""The clock functions (CURRENT_TIMESTAMP, NOW, LOCALTIMESTAMP, CURRENT_DATE, CURRENT_TIME,
LOCALTIME): bare keywords bind as calls, with Flink's types, and both targets read the clock in
the session time zone. Clock values differ between runs, so only types and plausibility are
compared."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from sqlglot import exp

from nrtg.catalog import types as t
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.compiler.parse.parse import parse_expression, parse_query, to_flink_sql
from nrtg.runtime.batch.executor import run_plan
from nrtg.runtime.stream.executor import run_graph
from tests.runtime.stream._parity import optimized_plan

SQL = (
    "SELECT id, LOCALTIMESTAMP AS lts, LOCALTIME AS lt, CURRENT_TIMESTAMP AS cts, "
    "CURRENT_DATE AS cd, CURRENT_TIME AS ct, NOW() AS nw "
    "FROM (VALUES (1), (2)) AS v(id)"
)


def test_bare_keywords_are_calls() -> None:
    assert isinstance(parse_expression("LOCALTIMESTAMP"), exp.Localtimestamp)
    assert isinstance(parse_expression("localtime"), exp.Localtime)
    fields = optimized_plan(SQL).schema.fields
    assert [f.type for f in fields[1:]] == [
        t.timestamp(3, False),
        t.time(0, False),
        t.timestamp_ltz(3, False),
        t.date(False),
        t.time(0, False),
        t.timestamp_ltz(3, False),
    ]


def test_quoted_name_is_still_a_column() -> None:
    plan = optimized_plan("SELECT `localtime` + 1 AS x FROM (VALUES (1)) AS v(`localtime`)")
    assert plan.schema.fields[0].type == t.int_(False)


def test_printed_back_as_keywords() -> None:
    sql = "SELECT LOCALTIMESTAMP, LOCALTIME + INTERVAL '1' SECOND FROM t"
    assert to_flink_sql(parse_query(sql)) == sql


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return sorted(table.to_pylist(), key=lambda r: r["id"])


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Honolulu", "Asia/Kolkata"])
def test_both_targets_read_the_clock_in_the_session_zone(zone: str) -> None:
    plan = optimized_plan(SQL)
    before = dt.datetime.now(dt.UTC)
    batch = _rows(run_plan(plan, time_zone=zone).table)
    (changes,) = run_graph(lower_to_stream((plan,)), time_zone=zone)
    assert changes is not None
    stream = _rows(changes)
    after = dt.datetime.now(dt.UTC)
    tz = ZoneInfo(zone)
    slack = dt.timedelta(seconds=1)
    for rows in (batch, stream):
        assert [r["id"] for r in rows] == [1, 2]
        for r in rows:
            assert before - slack <= r["cts"] <= after + slack
            assert before - slack <= r["nw"] <= after + slack
            local = r["cts"].astimezone(tz).replace(tzinfo=None)
            assert abs(r["lts"] - local) < slack
            assert r["cd"] in ((before.astimezone(tz)).date(), (after.astimezone(tz)).date())
            for name in ("lt", "ct"):  # TIME(0): whole seconds of the local time
                assert r[name].microsecond == 0
                seconds = r[name].hour * 3600 + r[name].minute * 60 + r[name].second
                now = local.hour * 3600 + local.minute * 60 + local.second
                assert (now - seconds) % 86400 in (0, 1, 86399)
