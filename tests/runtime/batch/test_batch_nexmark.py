"""Nexmark queries end to end on the batch target (SQL -> plan -> DuckDB) over seeded data,
each checked against an independent hand-written DuckDB query that spells out Flink's
semantics (integer AVG truncation, 0-based SPLIT_INDEX with NULLs, REGEXP_EXTRACT's NULL, window
bounds).

The expected rows of the golden cases (`== result ==` in golden/cases/nexmark/*.out) are checked
here: the reference rows, rendered by the same value printer, must equal them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]

REFERENCE: dict[str, str] = {
    "q0": "SELECT auction, bidder, price, dateTime, extra FROM bid",
    "q1": "SELECT auction, bidder, CAST(0.908 * price AS DECIMAL(23, 3)), dateTime, extra FROM bid",
    "q2": "SELECT auction, price FROM bid WHERE auction % 123 = 0",
    "q3": """SELECT p.name, p.city, p.state, a.id FROM auction a JOIN person p ON a.seller = p.id
             WHERE a.category = 10 AND p.state IN ('OR', 'ID', 'CA')""",
    "q4": """SELECT category, sum(final) // count(final) FROM (
               SELECT max(b.price) AS final, a.category FROM auction a JOIN bid b
               ON a.id = b.auction AND b.dateTime BETWEEN a.dateTime AND a.expires
               GROUP BY a.id, a.category) GROUP BY category""",
    "q5": """WITH hop AS (
               SELECT b.auction, time_bucket(INTERVAL 2 SECOND, b.dateTime)
                        - INTERVAL (k * 2) SECOND AS ws
               FROM bid b, range(5) r(k)),
             c AS (SELECT auction, ws, count(*) AS n FROM hop GROUP BY auction, ws),
             m AS (SELECT ws, max(n) AS mx FROM c GROUP BY ws)
             SELECT c.auction, c.n FROM c JOIN m ON c.ws = m.ws AND c.n >= m.mx""",
    "q7": """WITH m AS (SELECT max(price) AS mp,
                    time_bucket(INTERVAL 10 SECOND, dateTime) + INTERVAL 10 SECOND AS we
                    FROM bid GROUP BY 2)
             SELECT b.auction, b.price, b.bidder, b.dateTime, b.extra FROM bid b JOIN m
             ON b.price = m.mp WHERE b.dateTime BETWEEN m.we - INTERVAL 10 SECOND AND m.we""",
    "q8": """WITH p AS (SELECT DISTINCT id, name, time_bucket(INTERVAL 10 SECOND, dateTime) AS s
                       FROM person),
                  a AS (SELECT DISTINCT seller, time_bucket(INTERVAL 10 SECOND, dateTime) AS s
                       FROM auction)
             SELECT p.id, p.name, p.s FROM p JOIN a ON p.id = a.seller AND p.s = a.s""",
    "q9": """SELECT id, itemName, description, initialBid, reserve, dateTime, expires, seller,
               category, extra, auction, bidder, price, bid_dateTime, bid_extra FROM (
               SELECT a.*, b.auction, b.bidder, b.price, b.dateTime AS bid_dateTime,
                      b.extra AS bid_extra,
                      row_number() OVER (PARTITION BY a.id ORDER BY b.price DESC, b.dateTime) AS rn
               FROM auction a JOIN bid b
               ON a.id = b.auction AND b.dateTime BETWEEN a.dateTime AND a.expires)
             WHERE rn = 1""",
    "q10": """SELECT auction, bidder, price, dateTime, extra, strftime(dateTime, '%Y-%m-%d'),
               strftime(dateTime, '%H:%M') FROM bid""",
    "q11": """WITH o AS (
               SELECT bidder, dateTime,
                 CASE WHEN lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime)
                           > dateTime - INTERVAL 10 SECOND THEN 0 ELSE 1 END AS new
               FROM bid),
             s AS (SELECT bidder, dateTime, sum(new) OVER (PARTITION BY bidder ORDER BY dateTime
                     ROWS UNBOUNDED PRECEDING) AS session FROM o)
             SELECT bidder, count(*), min(dateTime), max(dateTime) + INTERVAL 10 SECOND
             FROM s GROUP BY bidder, session""",
    "q14": """SELECT auction, bidder, CAST(0.908 * price AS DECIMAL(23, 3)),
               CASE WHEN hour(dateTime) BETWEEN 8 AND 18 THEN 'dayTime'
                    WHEN hour(dateTime) <= 6 OR hour(dateTime) >= 20 THEN 'nightTime'
                    ELSE 'otherTime' END,
               dateTime, extra, length(extra) - length(replace(extra, 'c', ''))
             FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000""",
    "q15": """SELECT strftime(dateTime, '%Y-%m-%d') AS d, count(*),
               count(*) FILTER (WHERE price < 10000),
               count(*) FILTER (WHERE price >= 10000 AND price < 1000000),
               count(*) FILTER (WHERE price >= 1000000),
               count(DISTINCT bidder),
               count(DISTINCT bidder) FILTER (WHERE price < 10000),
               count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000),
               count(DISTINCT bidder) FILTER (WHERE price >= 1000000),
               count(DISTINCT auction),
               count(DISTINCT auction) FILTER (WHERE price < 10000),
               count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000),
               count(DISTINCT auction) FILTER (WHERE price >= 1000000)
             FROM bid GROUP BY d""",
    "q16": """SELECT channel, strftime(dateTime, '%Y-%m-%d') AS d,
               max(strftime(dateTime, '%H:%M')), count(*),
               count(*) FILTER (WHERE price < 10000),
               count(*) FILTER (WHERE price >= 10000 AND price < 1000000),
               count(*) FILTER (WHERE price >= 1000000),
               count(DISTINCT bidder),
               count(DISTINCT bidder) FILTER (WHERE price < 10000),
               count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000),
               count(DISTINCT bidder) FILTER (WHERE price >= 1000000),
               count(DISTINCT auction),
               count(DISTINCT auction) FILTER (WHERE price < 10000),
               count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000),
               count(DISTINCT auction) FILTER (WHERE price >= 1000000)
             FROM bid GROUP BY channel, d""",
    "q17": """SELECT auction, strftime(dateTime, '%Y-%m-%d'), count(*),
               count(*) FILTER (WHERE price < 10000),
               count(*) FILTER (WHERE price >= 10000 AND price < 1000000),
               count(*) FILTER (WHERE price >= 1000000),
               min(price), max(price), sum(price) // count(price), sum(price)
             FROM bid GROUP BY 1, 2""",
    "q18": """SELECT auction, bidder, price, channel, url, dateTime, extra FROM bid
             QUALIFY row_number() OVER (PARTITION BY bidder, auction ORDER BY dateTime DESC) = 1""",
    "q19": """SELECT *, row_number() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bid
             QUALIFY rn <= 10""",
    "q20": """SELECT b.auction, b.bidder, b.price, b.channel, b.url, b.dateTime, b.extra,
               a.itemName, a.description, a.initialBid, a.reserve, a.dateTime, a.expires,
               a.seller, a.category, a.extra
             FROM bid b JOIN auction a ON b.auction = a.id WHERE a.category = 10""",
    "q21": """SELECT auction, bidder, price, channel,
               CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
                    WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
                    ELSE CASE WHEN regexp_matches(url, '(&|^)channel_id=([^&]*)')
                         THEN regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) END END
             FROM bid WHERE regexp_matches(url, '(&|^)channel_id=([^&]*)')
                OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')""",
    "q22": """SELECT auction, bidder, price, channel, list_extract(string_split(url, '/'), 4),
               list_extract(string_split(url, '/'), 5), list_extract(string_split(url, '/'), 6)
             FROM bid""",
    "q23": """SELECT p.id, p.name, a.id, b.price FROM person p
             JOIN auction a ON a.seller = p.id JOIN bid b ON b.auction = a.id""",
}


@pytest.fixture(scope="module")
def nexmark_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from nrtg.golden_data import write_nexmark

    yield write_nexmark(tmp_path_factory.mktemp("nexmark"))


def _case(name: str) -> Any:
    from nrtg.golden import load_case

    return load_case(ROOT / "golden" / "cases" / "nexmark" / f"{name}.sql")


def _ours(name: str, data: Path, work: Path) -> list[str]:
    from nrtg.golden_data import result_rows, run_case

    return result_rows(run_case(_case(name), work, data))


def _golden(name: str) -> list[str]:
    from nrtg.golden_data import result_rows, section

    out = _case(name).out_path.read_text()
    body = section(out, "result")
    assert body is not None, f"{name}.out has no == result == section"
    return result_rows(body)


def _reference(sql: str, data: Path) -> list[str]:
    import duckdb

    from nrtg.golden_data import render_row

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    src = f"read_json('{data}/*', format = 'newline_delimited')"
    for view in ("bid", "auction", "person"):
        kind = {"person": 0, "auction": 1, "bid": 2}[view]
        con.execute(f"CREATE VIEW {view} AS SELECT {view}.* FROM {src} WHERE event_type = {kind}")
    return sorted(render_row(row) for row in con.sql(sql).fetchall())


@pytest.mark.parametrize("name", sorted(REFERENCE, key=lambda q: int(q[1:])))
def test_nexmark_golden_result_matches_reference(
    name: str, nexmark_dir: Path, tmp_path: Path
) -> None:
    """The golden `== result ==` rows are the independent query's rows (rendered alike), and a
    fresh batch run gives them too."""
    expected = _reference(REFERENCE[name], nexmark_dir)
    assert expected  # every query has rows on this input
    assert _golden(name) == expected
    assert _ours(name, nexmark_dir, tmp_path) == expected


def test_every_batch_nexmark_case_has_a_reference() -> None:
    from nrtg.golden import discover
    from nrtg.golden_data import has_result

    cases = discover([ROOT / "golden" / "cases" / "nexmark"])
    with_result = {c.path.stem for c in cases if has_result(c)}
    assert with_result == set(REFERENCE)
