"""Order-sensitive window aggregates on the batch target (LISTAGG, ARRAY_AGG, FIRST_VALUE,
LAST_VALUE) take a window's rows in the order the stream target's window aggregate does: a
TUMBLE window's in arrival order, HOP and CUMULATE slice by slice (each in arrival order), a
closed session's by (event time, arrival) (runtime/stream/operators/_sessions.py). Input arrives
out of event-time order, ties on event time often and has NULLs. SESSION is checked against a
Python oracle; the window functions that assign sessions reorder the rows, and elements came out
scrambled within a partition before the aggregates ordered them. Past DuckDB's first vector
group (122 880 rows) a parallel scan hands rows over in pieces: only ORDER BY inside the
aggregate keeps the order there."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.plan import nodes as n
from nrtg.runtime.batch import run_plan

from ..stream._parity import run_parity

DDL = """
CREATE TABLE clicks (
    user_id BIGINT,
    url STRING,
    price DECIMAL(10, 2),
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json');
"""
GAP_S = 30
AGGS = (
    "LISTAGG(url) AS urls, ARRAY_AGG(price) AS prices, FIRST_VALUE(url) AS first_url, "
    "LAST_VALUE(url) AS last_url, FIRST_VALUE(price) AS first_price, "
    "LAST_VALUE(price) AS last_price"
)
BASE = dt.datetime(2026, 1, 1, 10)


def _clicks(count: int, seed: int) -> pa.Table:
    """Rows in arrival order: event times in whole seconds (many ties), each row up to 4 s
    earlier than the latest so far (out of order, not late), pauses that end sessions."""
    rng = random.Random(seed)
    now, rows = 0, []
    for i in range(count):
        now += rng.choice((0, 0, 1, 2, 3, 45)) if i % 50 else 90
        rows.append(
            {
                "user_id": rng.randrange(5),
                "url": None if rng.random() < 0.1 else f"/u{i}",
                "price": None if rng.random() < 0.1 else Decimal(i) / 100,
                "ts": BASE + dt.timedelta(seconds=max(0, now - rng.randrange(5))),
            }
        )
    schema = pa.schema(
        [
            ("user_id", pa.int64()),
            ("url", pa.string()),
            ("price", pa.decimal128(10, 2)),
            ("ts", pa.timestamp("ms")),
        ]
    )
    return pa.Table.from_pylist(rows, schema)


def _expected(table: pa.Table, partitioned: bool) -> list[tuple[Any, ...]]:
    """Per partition, rows in (time, arrival) order split where the gap is exceeded; each
    session's aggregates over its rows in that order (LISTAGG and FIRST/LAST_VALUE skip
    NULLs, ARRAY_AGG keeps them)."""
    rows = table.to_pylist()
    parts: dict[Any, list[tuple[dt.datetime, int]]] = {}
    for i, r in enumerate(rows):
        parts.setdefault(r["user_id"] if partitioned else None, []).append((r["ts"], i))
    out = []
    gap = dt.timedelta(seconds=GAP_S)
    for key, found in parts.items():
        found.sort()
        sessions: list[list[int]] = []
        last = None
        for ts, i in found:
            if last is None or ts - last > gap:
                sessions.append([])
            sessions[-1].append(i)
            last = ts
        for s in sessions:
            urls = [rows[i]["url"] for i in s if rows[i]["url"] is not None]
            prices = [rows[i]["price"] for i in s]
            present = [p for p in prices if p is not None]
            start, end = rows[s[0]]["ts"], rows[s[-1]]["ts"] + gap
            head = (key,) if partitioned else ()
            out.append(
                (
                    *head,
                    start,
                    end,
                    ",".join(urls) if urls else None,
                    prices,
                    urls[0] if urls else None,
                    urls[-1] if urls else None,
                    present[0] if present else None,
                    present[-1] if present else None,
                )
            )
    return sorted(out, key=repr)


def _plans(partitioned: bool) -> list[n.Plan]:
    """The optimized plan (a session WindowAggregate) and the logical one (a regular
    aggregate over the session window TVF)."""
    part = " PARTITION BY user_id" if partitioned else ""
    keys = "user_id, " if partitioned else ""
    sql = (
        f"SELECT {keys}window_start, window_end, {AGGS} FROM TABLE(SESSION(TABLE clicks{part}, "
        f"DESCRIPTOR(ts), INTERVAL '{GAP_S}' SECOND)) GROUP BY {keys}window_start, window_end;"
    )
    job = compile_sql(DDL + sql)
    plans = [job.optimized[0], job.logical[0]]
    assert any(isinstance(p, n.WindowAggregate) for p in _walk(plans[0]))
    return plans


def _walk(plan: n.Plan) -> list[n.Plan]:
    from nrtg.compiler.plan.walk import walk

    return list(walk(plan))


@pytest.mark.parametrize("partitioned", [True, False], ids=["partition_by", "global"])
@pytest.mark.parametrize("seed", [1, 2])
def test_session_aggregates_take_rows_in_time_then_arrival_order(
    partitioned: bool, seed: int
) -> None:
    table = _clicks(3000, seed)
    expected = _expected(table, partitioned)
    assert len(expected) > 20  # many sessions
    for plan in _plans(partitioned):
        got = run_plan(plan, tables={"clicks": table}).table.to_pylist()
        assert sorted((tuple(r.values()) for r in got), key=repr) == expected


def test_session_order_holds_past_one_vector_group() -> None:
    table = _clicks(130_000, 3)
    plan = _plans(True)[0]
    got = run_plan(plan, tables={"clicks": table}).table.to_pylist()
    assert sorted((tuple(r.values()) for r in got), key=repr) == _expected(table, True)


ARRIVAL_ORDER = {
    "tumble": "SELECT user_id, window_start, {aggs} FROM TABLE(TUMBLE(TABLE clicks, "
    "DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY user_id, window_start, window_end;",
    "group_by": "SELECT user_id, {aggs} FROM clicks GROUP BY user_id;",
}


@pytest.mark.parametrize("kind", list(ARRIVAL_ORDER))
def test_arrival_order_holds_past_one_vector_group(kind: str) -> None:
    """A TUMBLE window's or a group's rows in arrival order, over a parallel scan (of a table
    in many chunks); the aggregates took them in the order the scan's pieces reached DuckDB's
    aggregate before they ordered them by "$arr"."""
    table = pa.Table.from_batches(_clicks(130_000, 4).to_batches(max_chunksize=4096))
    aggs = "ARRAY_AGG(url) AS urls, FIRST_VALUE(url) AS f, LAST_VALUE(url) AS l"
    sql = ARRIVAL_ORDER[kind].format(aggs=aggs)
    found: dict[tuple[Any, ...], list[Any]] = {}
    for r in table.to_pylist():
        key = (r["user_id"], r["ts"].replace(second=0)) if kind == "tumble" else (r["user_id"],)
        found.setdefault(key, []).append(r["url"])
    expected = {}
    for key, urls in found.items():
        present = [u for u in urls if u is not None]
        expected[key] = (urls, present[0] if present else None, present[-1] if present else None)
    got = run_plan(compile_sql(DDL + sql).optimized[0], tables={"clicks": table}).table
    width = 2 if kind == "tumble" else 1
    rows = (tuple(r.values()) for r in got.to_pylist())
    assert {r[:width]: r[width:] for r in rows} == expected


WINDOWS = {
    "tumble": "TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)",
    "hop": "HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '1' MINUTE)",
    "cumulate": "CUMULATE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '1' MINUTE)",
    "session": "SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '30' SECOND)",
}


@pytest.mark.parametrize("kind", list(WINDOWS))
def test_window_aggregates_take_rows_in_the_stream_targets_order(kind: str) -> None:
    sql = (
        f"SELECT user_id, window_start, window_end, {AGGS} FROM TABLE({WINDOWS[kind]}) "
        "GROUP BY user_id, window_start, window_end;"
    )
    plan = compile_sql(DDL + sql).optimized[0]
    batch, stream = run_parity(plan, tables={"clicks": _clicks(2000, 5)}, batch_size=97)
    assert batch == stream


FRAMES = {
    "rows": "ROWS BETWEEN 3 PRECEDING AND CURRENT ROW",
    "range": "RANGE BETWEEN INTERVAL '5' SECOND PRECEDING AND CURRENT ROW",
}


@pytest.mark.parametrize("frame", list(FRAMES))
def test_over_aggregates_break_time_ties_by_arrival(frame: str) -> None:
    """Two windows (a chain of two Over nodes): each frame's rows by (time, arrival)."""
    sql = (
        "SELECT user_id, url, LISTAGG(url) OVER w AS l, ARRAY_AGG(price) OVER w AS a, "
        "FIRST_VALUE(url) OVER w AS f, LAST_VALUE(price) OVER w AS la, LISTAGG(url) OVER "
        "(PARTITION BY user_id ORDER BY ts) AS so_far FROM clicks "
        f"WINDOW w AS (PARTITION BY user_id ORDER BY ts {FRAMES[frame]});"
    )
    for plan in compile_sql(DDL + sql).optimized + compile_sql(DDL + sql).logical:
        batch, stream = run_parity(plan, tables={"clicks": _clicks(2000, 6)}, batch_size=97)
        assert batch == stream
