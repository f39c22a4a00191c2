"""The seeded Nexmark generator: reproducibility, the model's invariants, and its outputs read back
by an independent reader (DuckDB)."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import uuid
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from nrtg.runtime.nexmark import (
    AUCTION,
    BID,
    PERSON,
    Event,
    Format,
    NexmarkConfig,
    NexmarkError,
    NexmarkGenerator,
    parse_kafka_url,
    write_directory,
)
from nrtg.runtime.nexmark.config import (
    AUCTION_FIELDS,
    BID_FIELDS,
    DEFAULT_BASE_TIME_MS,
    HOT_CHANNELS,
    PERSON_FIELDS,
    US_STATES,
)
from nrtg.runtime.nexmark.jsonl import TimestampFormatter, event_line
from nrtg.runtime.nexmark.values import PRICE_BITS, price

ROOT = Path(__file__).resolve().parents[2]
TS_TEXT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$")


def events_of(config: NexmarkConfig) -> list[Event]:
    return NexmarkGenerator(config).take(config.events)


def event_time(e: Event) -> int:
    return int(e[7] if e[0] == PERSON else e[6])


def test_same_seed_same_json_and_parquet_bytes(tmp_path: Path) -> None:
    config = NexmarkConfig(events=20_000, seed=11)
    formats: tuple[tuple[Format, str], ...] = (
        ("json", "events.jsonl"),
        ("parquet", "events.parquet"),
    )
    for fmt, name in formats:
        a = write_directory(config, tmp_path / f"a-{fmt}", fmt=fmt)
        b = write_directory(config, tmp_path / f"b-{fmt}", fmt=fmt)
        assert [p.name for p in a] == [name]
        assert a[0].read_bytes() == b[0].read_bytes()


def test_pinned_json_digest() -> None:
    """Bytes are identical on every machine and Python version: this digest is pinned."""
    lines = NexmarkGenerator(NexmarkConfig(events=5_000, seed=42)).take_json(5_000)
    digest = hashlib.sha256("".join(lines).encode()).hexdigest()
    assert digest == PINNED_DIGEST


PINNED_DIGEST = "c743b3e484b6d52f8c79e89e628b4499e988a241a95da6f6eae832ce9ef5a4d4"


def test_different_seed_different_data() -> None:
    a = NexmarkGenerator(NexmarkConfig(events=2_000, seed=1)).take_json(2_000)
    b = NexmarkGenerator(NexmarkConfig(events=2_000, seed=2)).take_json(2_000)
    assert a != b
    assert sum(x != y for x, y in zip(a, b, strict=True)) > 1_500


def test_event_mix_is_exactly_1_3_46_per_50() -> None:
    events = events_of(NexmarkConfig(events=50 * 200 + 17, seed=3))
    for n, e in enumerate(events):
        offset = n % 50
        assert e[0] == (PERSON if offset == 0 else AUCTION if offset < 4 else BID), n
    counts = Counter(e[0] for e in events[: 50 * 200])
    assert counts == {PERSON: 200, AUCTION: 600, BID: 9_200}


def test_ids_are_dense_from_1000_and_references_exist() -> None:
    events = events_of(NexmarkConfig(events=50_000, seed=4))
    people: set[int] = set()
    auctions: set[int] = set()
    hot_auction_bids = 0
    for n, e in enumerate(events):
        if e[0] == PERSON:
            assert e[1] == 1000 + n // 50
            people.add(e[1])
        elif e[0] == AUCTION:
            assert e[1] == 1000 + 3 * (n // 50) + n % 50 - 1
            assert e[8] in people, "seller must be a person already generated"
            auctions.add(e[1])
        else:
            assert e[1] in auctions, "bid on an auction not generated yet"
            assert e[2] in people, "bidder must be a person already generated"
            hot_auction_bids += e[1] % 100 == 0  # hot auctions are multiples of 100 (base 0)
    assert min(min(people), min(auctions)) == 1000
    bids = sum(1 for e in events if e[0] == BID)
    assert 0.45 < hot_auction_bids / bids < 0.6  # 1/2 hot, plus cold picks of a hot id


def test_value_domains() -> None:
    events = events_of(NexmarkConfig(events=50_000, seed=5))
    persons = [e for e in events if e[0] == PERSON]
    auctions = [e for e in events if e[0] == AUCTION]
    bids = [e for e in events if e[0] == BID]
    assert {e[6] for e in persons} == set(US_STATES)
    assert all(re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", e[4]) for e in persons)
    assert all(re.fullmatch(r"[a-z]+@[a-z]+\.com", e[3]) for e in persons)
    assert {e[9] for e in auctions} == {10, 11, 12, 13, 14}
    for e in auctions:
        assert e[5] >= e[4] >= 100  # reserve >= initialBid
        assert e[7] > e[6]  # expires after dateTime
    prices = [e[3] for e in bids]
    assert min(prices) >= 100 and max(prices) <= 100_000_000
    # log-uniform over 6 decades: about 1/6 of the prices in each decade
    decade = Counter(len(str(p)) for p in prices)
    assert all(abs(decade[d] / len(prices) - 1 / 6) < 0.02 for d in range(3, 9))
    hot = [e for e in bids if e[4] in HOT_CHANNELS]
    assert 0.47 < len(hot) / len(bids) < 0.53
    assert {e[4] for e in hot} == set(HOT_CHANNELS)
    assert all("channel_id=" not in e[5] for e in hot)
    cold = [e for e in bids if e[4] not in HOT_CHANNELS]
    assert all(re.fullmatch(r"channel-\d{1,4}", e[4]) for e in cold)
    with_id = sum("&channel_id=" in e[5] for e in cold) / len(cold)
    assert 0.85 < with_id < 0.95
    for e in bids:
        assert re.fullmatch(
            r"https://www\.nexmark\.com/[a-z_]+/[a-z_]+/[a-z_]+/item\.htm\?query=1"
            r"(&channel_id=\d+)?",
            e[5],
        )
    # a cold channel always has the same url
    urls: dict[str, str] = {}
    for e in cold:
        assert urls.setdefault(e[4], e[5]) == e[5]


def test_row_sizes_are_near_the_upstream_averages() -> None:
    events = events_of(NexmarkConfig(events=20_000, seed=6))

    def size(e: Event) -> int:
        """Upstream's accounting: string lengths, 8 bytes a number; a bid's channel and url (added
        to the model after the padding rule) are not counted."""
        values = e[1:4] + e[6:] if e[0] == BID else e[1:]
        return sum(len(v) if isinstance(v, str) else 8 for v in values)

    for kind, average in ((PERSON, 200), (AUCTION, 500), (BID, 100)):
        sizes = [size(e) for e in events if e[0] == kind]
        assert abs(sum(sizes) / len(sizes) - average) < 0.1 * average, kind


def test_event_times_are_monotonic_at_the_rate() -> None:
    events = events_of(NexmarkConfig(events=10_000, seed=7, rate=1_000))
    times = [event_time(e) for e in events]
    assert times == [DEFAULT_BASE_TIME_MS + n for n in range(10_000)]
    default = [event_time(e) for e in events_of(NexmarkConfig(events=1_000, seed=7))]
    assert default == [DEFAULT_BASE_TIME_MS + n // 10 for n in range(1_000)]


def test_out_of_order_is_bounded_and_changes_only_times() -> None:
    bound = 250
    in_order = events_of(NexmarkConfig(events=30_000, seed=8))
    shuffled = events_of(NexmarkConfig(events=30_000, seed=8, out_of_order_ms=bound))
    high = -1
    moved = 0
    for a, b in zip(in_order, shuffled, strict=True):
        ta, tb = event_time(a), event_time(b)
        assert 0 <= ta - tb < bound
        assert tb > high - bound, "a watermark of dateTime - bound would make this row late"
        high = max(high, tb)
        moved += ta != tb
        index = 7 if a[0] == PERSON else 6
        assert a[:index] == b[:index]
        if a[0] == AUCTION:
            assert a[7] - a[6] == b[7] - b[6]  # expires moves with dateTime
            assert a[8:] == b[8:]
        else:
            assert a[index + 1 :] == b[index + 1 :]
    assert moved > 0.9 * len(in_order)
    times = [event_time(e) for e in shuffled]
    assert any(x > y for x, y in itertools.pairwise(times)), "nothing out of order"


def test_batching_does_not_change_the_stream() -> None:
    config = NexmarkConfig(events=3_000, seed=9, out_of_order_ms=30)
    whole = NexmarkGenerator(config).take_json(3_000)
    pieces = NexmarkGenerator(config)
    mixed: list[str] = []
    timestamps = TimestampFormatter()
    for size in (1, 3, 46, 50, 51, 7, 999, 1, 10_000):
        if size % 2:
            mixed += pieces.take_json(size)
        else:
            mixed += [event_line(e, timestamps) for e in pieces.take(size)]
    assert mixed == whole


def test_json_lines_are_flink_json() -> None:
    config = NexmarkConfig(events=5_000, seed=10)
    lines = NexmarkGenerator(config).take_json(5_000)
    events = events_of(config)
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    names = {"person": PERSON_FIELDS, "auction": AUCTION_FIELDS, "bid": BID_FIELDS}
    for line, event in zip(lines, events, strict=True):
        row = json.loads(line)
        assert list(row) == ["event_type", "person", "auction", "bid"]
        assert row["event_type"] == event[0]
        present = [k for k in ("person", "auction", "bid") if row[k] is not None]
        assert present == [("person", "auction", "bid")[event[0]]]
        fields = row[present[0]]
        assert tuple(fields) == names[present[0]]
        for name, value in fields.items():
            if name in ("dateTime", "expires"):
                assert TS_TEXT.match(value), value
        assert fields["dateTime"] == TimestampFormatter()(event_time(event))
    assert lines[0].startswith('{"event_type":0,"person":{"id":1000,')
    assert '"dateTime":"2026-01-01 00:00:00.000"' in lines[0]


def test_prices_are_exact_log_uniform() -> None:
    assert price(0) == 100
    assert price(1 << (PRICE_BITS - 1)) == 100_000  # U = 1/2: 100 * 10^3
    assert price((1 << PRICE_BITS) - 1) == 100_000_000  # 10^8 * (1 - 2e-10), rounded


def test_split_files_concatenate_to_the_single_file(tmp_path: Path) -> None:
    config = NexmarkConfig(events=12_345, seed=12)
    single = write_directory(config, tmp_path / "one")
    split = write_directory(config, tmp_path / "four", files=4)
    assert [p.name for p in split] == [f"events-{i:05d}.jsonl" for i in range(4)]
    assert b"".join(p.read_bytes() for p in split) == single[0].read_bytes()
    # a rerun with another split replaces the earlier event files
    again = write_directory(config, tmp_path / "four", files=2, fmt="parquet")
    assert sorted(p.name for p in (tmp_path / "four").iterdir()) == [p.name for p in again]


def _summary(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple[object, ...]]:
    return con.execute(
        f"""
        SELECT event_type, count(*), sum(bid.price), sum(auction.reserve), max(person.id),
               min(coalesce(person.dateTime, auction.dateTime, bid.dateTime)),
               max(coalesce(person.dateTime, auction.dateTime, bid.dateTime))
        FROM {source} GROUP BY event_type ORDER BY event_type
        """
    ).fetchall()


def test_duckdb_reads_json_and_parquet_alike(tmp_path: Path) -> None:
    config = NexmarkConfig(events=50_000, seed=13, out_of_order_ms=100)
    write_directory(config, tmp_path / "json", fmt="json", files=2)
    write_directory(config, tmp_path / "parquet", fmt="parquet", files=3)
    con = duckdb.connect()
    from_json = _summary(
        con, f"read_json('{tmp_path}/json/events-*.jsonl', format='newline_delimited')"
    )
    from_parquet = _summary(con, f"read_parquet('{tmp_path}/parquet/events-*.parquet')")
    assert from_json == from_parquet
    events = events_of(config)
    counts = Counter(e[0] for e in events)
    assert [(row[0], row[1]) for row in from_json] == sorted(counts.items())
    assert from_json[2][2] == sum(e[3] for e in events if e[0] == BID)
    assert from_json[1][3] == sum(e[5] for e in events if e[0] == AUCTION)
    schema = con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{tmp_path}/parquet/events-00000.parquet')"
    ).fetchall()
    assert schema[0][:2] == ("event_type", "INTEGER")
    assert "dateTime TIMESTAMP" in schema[3][1]


def test_parquet_schema_and_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from nrtg.runtime.nexmark import sinks
    from nrtg.runtime.nexmark.arrow import SCHEMA

    monkeypatch.setattr(sinks, "PARQUET_ROW_GROUP", 2048)
    [path] = write_directory(NexmarkConfig(events=5_000, seed=15), tmp_path, fmt="parquet")
    file = pq.ParquetFile(path)
    assert file.schema_arrow.remove_metadata() == SCHEMA
    assert SCHEMA.field("bid").type.field("dateTime").type == pa.timestamp("ms")
    assert [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)] == [
        2048,
        2048,
        904,
    ]
    table = file.read()
    assert table.num_rows == 5_000
    rows = table.slice(0, 5).to_pylist()
    assert rows[0]["person"]["id"] == 1000 and rows[0]["bid"] is None and rows[1]["person"] is None


def test_cli_generate_writes_files(tmp_path: Path) -> None:
    from nrtg.cli import main

    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(
        main,
        [
            "nexmark",
            "generate",
            "--events",
            "5000",
            "--seed",
            "3",
            "--out",
            str(out),
            "--files",
            "2",
            "--out-of-order-ms",
            "10",
            "--rate",
            "5000",
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["events-00000.jsonl", "events-00001.jsonl"]
    expected = NexmarkGenerator(
        NexmarkConfig(events=5000, seed=3, out_of_order_ms=10, rate=5000)
    ).take_json(5000)
    written = (out / "events-00000.jsonl").read_text() + (out / "events-00001.jsonl").read_text()
    assert written == "".join(expected)

    result = runner.invoke(
        main, ["nexmark", "generate", "--events", "100", "--out", str(out), "--format", "parquet"]
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["events.parquet"]

    bad = runner.invoke(main, ["nexmark", "generate", "--events", "10", "--out", "kafka://nohost"])
    assert bad.exit_code == 1
    assert "error[nexmark-error]" in bad.output


def test_bad_parameters_are_nexmark_errors() -> None:
    with pytest.raises(NexmarkError):
        NexmarkConfig(events=-1)
    with pytest.raises(NexmarkError):
        NexmarkConfig(events=1, rate=0)
    with pytest.raises(NexmarkError):
        NexmarkConfig(events=1, out_of_order_ms=-5)
    assert parse_kafka_url("kafka://h1:9092,h2:9092/nexmark").topic == "nexmark"
    with pytest.raises(NexmarkError):
        parse_kafka_url("kafka://h:1/")


def test_catalog_ddl_declares_the_generated_layout() -> None:
    ddl = (ROOT / "golden" / "catalogs" / "nexmark.sql").read_text()
    for row, fields in (
        ("person", PERSON_FIELDS),
        ("auction", AUCTION_FIELDS),
        ("bid", BID_FIELDS),
    ):
        body = re.search(rf"\b{row} ROW<(.*?)>,", ddl, re.S)
        assert body is not None, row
        declared = [f.split()[0].strip("`") for f in body.group(1).split(",")]
        assert tuple(declared) == fields
    assert "WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND" in ddl
    assert "'json.timestamp-format.standard' = 'SQL'" in ddl


@pytest.mark.kafka
def test_kafka_output_round_robin_with_event_timestamps(kafka_bootstrap: str) -> None:
    from confluent_kafka import Consumer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic

    from nrtg.runtime.nexmark import generate

    topic = f"nrtg-test-nexmark-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    for future in admin.create_topics([NewTopic(topic, 3, 1)]).values():
        future.result(30)
    try:
        config = NexmarkConfig(events=3_000, seed=14)
        assert generate(config, f"kafka://{kafka_bootstrap}/{topic}") == [
            f"kafka://{kafka_bootstrap}/{topic} (3000 messages)"
        ]
        consumer = Consumer(
            {"bootstrap.servers": kafka_bootstrap, "group.id": topic, "enable.auto.commit": False}
        )
        consumer.assign([TopicPartition(topic, p, 0) for p in range(3)])
        got: dict[int, list[tuple[int, bytes]]] = {0: [], 1: [], 2: []}
        while sum(len(v) for v in got.values()) < 3_000:
            batch = consumer.consume(1_000, timeout=10)
            assert batch, "timed out reading the topic back"
            for message in batch:
                assert message.error() is None and message.key() is None
                value = message.value()
                assert value is not None
                got[message.partition()].append((message.timestamp()[1], value))
        consumer.close()
        events = events_of(config)
        lines = NexmarkGenerator(config).take_json(3_000)
        for n, (event, line) in enumerate(zip(events, lines, strict=True)):
            ts, value = got[n % 3][n // 3]
            assert ts == event_time(event)
            assert value == line[:-1].encode()
    finally:
        for future in admin.delete_topics([topic]).values():
            future.result(30)
