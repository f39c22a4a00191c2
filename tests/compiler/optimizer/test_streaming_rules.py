"""The streaming rules end to end (compile_sql(...).optimized) and on their tricky edges."""

from __future__ import annotations

from pathlib import Path

import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.optimizer.driver import Rule, optimize
from nrtg.compiler.optimizer.rules.deduplicate import deduplicate
from nrtg.compiler.optimizer.rules.interval_join import interval_join
from nrtg.compiler.optimizer.rules.topn import topn
from nrtg.compiler.optimizer.rules.window_aggregate import window_aggregate
from nrtg.compiler.optimizer.rules.window_join import window_join
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.traits import INSERT_ONLY, INSERT_UPDATE
from nrtg.compiler.plan.walk import walk

GOLDEN = Path(__file__).resolve().parents[3] / "golden"

DDL = """
CREATE TABLE bids (
    auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
CREATE TABLE auctions (
    id BIGINT, seller BIGINT, expires TIMESTAMP(3), ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'auctions', 'format' = 'json');
CREATE TABLE prices (
    item BIGINT, price BIGINT, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND,
    PRIMARY KEY (item) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'p', 'key.format' = 'json',
        'value.format' = 'json');
"""


def optimized(sql: str) -> tuple[n.Plan, ...]:
    return compile_sql(DDL + sql).optimized


def nodes(roots: tuple[n.Plan, ...], kind: type[n.Plan]) -> list[n.Plan]:
    return [p for r in roots for p in walk(r) if isinstance(p, kind)]


def only(rule: Rule, sql: str) -> tuple[tuple[n.Plan, ...], tuple[n.Plan, ...]]:
    roots = compile_sql(DDL + sql).logical
    return roots, optimize(roots, rules=(rule,))


def test_tumble_query_becomes_an_insert_only_window_aggregate() -> None:
    roots = optimized(
        """
        SELECT auction, window_start, window_end, COUNT(*) AS bids, MAX(price) AS top
        FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
        WHERE channel <> 'internal'
        GROUP BY auction, window_start, window_end;
        """
    )
    (agg,) = nodes(roots, n.WindowAggregate)
    assert agg.changelog == INSERT_ONLY
    assert roots[0].changelog == INSERT_ONLY
    assert not nodes(roots, n.Aggregate) and not nodes(roots, n.WindowTVF)
    assert roots[0].schema.names == ("auction", "window_start", "window_end", "bids", "top")


def test_window_aggregate_leaves_a_filter_on_window_start_alone() -> None:
    roots, after = only(
        window_aggregate,
        """
        SELECT window_start, window_end, COUNT(*) AS c
        FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
        WHERE window_start > TIMESTAMP '2024-01-01 00:00:00'
        GROUP BY window_start, window_end;
        """,
    )
    assert after[0] is roots[0]


def test_window_aggregate_over_max_of_window_start_is_left_alone() -> None:
    roots, after = only(
        window_aggregate,
        """
        SELECT window_end, MAX(window_start) AS s
        FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
        GROUP BY window_start, window_end;
        """,
    )
    assert after[0] is roots[0]


def test_window_topn_over_a_window_aggregate_end_to_end() -> None:
    roots = optimized(
        """
        SELECT * FROM (
            SELECT *, ROW_NUMBER() OVER (
                PARTITION BY window_start, window_end ORDER BY c DESC) AS rn
            FROM (
                SELECT auction, window_start, window_end, COUNT(*) AS c
                FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
                GROUP BY auction, window_start, window_end
            )
        ) WHERE rn <= 3;
        """
    )
    (rank,) = nodes(roots, n.WindowRank)
    assert isinstance(rank, n.WindowRank) and rank.rank_name is not None
    assert roots[0].changelog == INSERT_ONLY and not nodes(roots, n.Over)


def test_window_deduplicate_end_to_end() -> None:
    roots = optimized(
        """
        SELECT auction, price, window_start FROM (
            SELECT *, ROW_NUMBER() OVER (
                PARTITION BY auction, window_start, window_end ORDER BY ts DESC) AS rn
            FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
        ) WHERE rn = 1;
        """
    )
    (dedup,) = nodes(roots, n.WindowDeduplicate)
    assert isinstance(dedup, n.WindowDeduplicate) and dedup.keep_last
    assert roots[0].changelog == INSERT_ONLY


def test_dedup_needs_insert_only_input_and_falls_back_to_rank() -> None:
    sql = """
        SELECT item, price FROM (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY price ORDER BY ts DESC) AS rn
            FROM prices
        ) WHERE rn = 1;
    """
    roots, after = only(deduplicate, sql)
    assert after[0] is roots[0]
    assert nodes(optimized(sql), n.Rank) and not nodes(optimized(sql), n.Deduplicate)


def test_topn_refuses_a_filter_that_reads_rn_otherwise() -> None:
    roots, after = only(
        topn,
        """
        SELECT * FROM (
            SELECT auction, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price) AS rn
            FROM bids
        ) WHERE rn <= 5 AND rn <> 2;
        """,
    )
    assert after[0] is roots[0]


def test_topn_rn_less_than_gives_the_inclusive_upper_bound() -> None:
    _, after = only(
        topn,
        """
        SELECT auction FROM (
            SELECT auction, RANK() OVER (PARTITION BY auction ORDER BY price) AS rn FROM bids
        ) WHERE rn < 4 AND rn > 1;
        """,
    )
    (rank,) = nodes(after, n.Rank)
    assert isinstance(rank, n.Rank) and (rank.lower, rank.upper) == (2, 3)
    assert rank.fn is n.RankFn.RANK and rank.rank_name is None


def test_interval_join_needs_both_bounds_on_the_same_pair() -> None:
    roots, after = only(
        interval_join,
        """
        SELECT b.auction FROM bids b JOIN auctions a
        ON b.auction = a.id AND b.ts >= a.ts AND b.ts <= a.expires;
        """,
    )
    assert after[0] is roots[0]


def test_interval_join_equality_on_rowtimes() -> None:
    _, after = only(
        interval_join,
        "SELECT b.auction FROM bids b JOIN auctions a ON b.auction = a.id AND b.ts = a.ts;",
    )
    (j,) = nodes(after, n.IntervalJoin)
    assert isinstance(j, n.IntervalJoin) and (j.lower_ms, j.upper_ms) == (0, 0)


def test_interval_join_refuses_an_updating_side() -> None:
    roots, after = only(
        interval_join,
        """
        SELECT b.auction FROM bids b JOIN prices p
        ON b.auction = p.item AND b.ts BETWEEN p.ts AND p.ts + INTERVAL '1' MINUTE;
        """,
    )
    assert after[0] is roots[0]


def test_window_join_needs_both_bounds() -> None:
    roots, after = only(
        window_join,
        """
        SELECT L.auction FROM
            (SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))) L
        JOIN (SELECT * FROM TABLE(TUMBLE(TABLE auctions, DESCRIPTOR(ts), INTERVAL '10' SECOND))) R
        ON L.auction = R.id AND L.window_start = R.window_start;
        """,
    )
    assert after[0] is roots[0]


def _nexmark(query: str) -> tuple[n.Plan, ...]:
    path = GOLDEN / "cases" / "nexmark" / f"{query}.sql"
    sql = (GOLDEN / "catalogs" / "nexmark.sql").read_text() + "\n" + path.read_text()
    return compile_sql(sql).optimized


def test_nexmark_q8_is_a_window_join_of_window_aggregates() -> None:
    roots = _nexmark("q8")
    (join,) = nodes(roots, n.WindowJoin)
    assert isinstance(join, n.WindowJoin) and join.changelog == INSERT_ONLY
    assert len(nodes(roots, n.WindowAggregate)) == 2 and not nodes(roots, n.Join)


@pytest.mark.parametrize("query", ["q4", "q9"])
def test_nexmark_expires_join_stays_a_regular_join(query: str) -> None:
    roots = _nexmark(query)
    assert nodes(roots, n.Join) and not nodes(roots, n.IntervalJoin)


def test_nexmark_q18_is_a_deduplicate_and_q19_a_rank() -> None:
    assert nodes(_nexmark("q18"), n.Deduplicate)
    assert nodes(_nexmark("q19"), n.Rank)


def test_window_topn_after_a_window_join_end_to_end() -> None:
    roots = optimized(
        """
        SELECT * FROM (
            SELECT L.auction, L.price, L.window_start, L.window_end,
                ROW_NUMBER() OVER (
                    PARTITION BY L.window_start, L.window_end ORDER BY L.price DESC) AS rn
            FROM (SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))) L
            JOIN (SELECT * FROM TABLE(TUMBLE(TABLE auctions, DESCRIPTOR(ts), INTERVAL '10' SECOND))) R
            ON L.auction = R.id AND L.window_start = R.window_start AND L.window_end = R.window_end
        ) WHERE rn <= 2;
        """
    )
    assert nodes(roots, n.WindowJoin) and nodes(roots, n.WindowRank)
    assert roots[0].changelog == INSERT_ONLY


def test_dedup_over_an_interval_join_keeps_the_rowtime_order() -> None:
    roots = optimized(
        """
        SELECT auction, seller FROM (
            SELECT b.auction, a.seller, b.ts,
                ROW_NUMBER() OVER (PARTITION BY b.auction ORDER BY b.ts) AS rn
            FROM bids b JOIN auctions a
            ON b.auction = a.id AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' HOUR
        ) WHERE rn = 1;
        """
    )
    assert nodes(roots, n.IntervalJoin) and nodes(roots, n.Deduplicate)
    # Flink: keep-first on event time may be replaced by an earlier, later-arriving row.
    assert roots[0].changelog == INSERT_UPDATE
