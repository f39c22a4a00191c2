"""The Kafka source and sinks against the project's real broker (scripts/kafka.sh): a
Nexmark round trip over 4 partitions compared with the batch target, every startup mode,
metadata columns, upsert-kafka tombstones read back by an independent consumer, transactions
invisible to read_committed readers until their checkpoint, and the poison-message policy."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.api import compile_sql
from nrtg.runtime.batch.executor import run_plan
from nrtg.runtime.stream.connectors.kafka_topics import Topics

from ...services import make_topic
from ._kafka import generate, nexmark_files, nexmark_table, produce, read_topic, run_sql

pytestmark = pytest.mark.kafka

BOUNDED = {"scan.startup.mode": "earliest-offset", "scan.bounded.mode": "latest-offset"}
Q2 = (
    "SELECT auction, price, `dateTime` AS ts FROM bid "
    "WHERE MOD(auction, 123) = 0 OR price > 9000000"
)


def _json_rows(records: list) -> Counter[str]:  # type: ignore[type-arg]
    return Counter(json.dumps(json.loads(r.value), sort_keys=True) for r in records)


def test_nexmark_round_trip_four_partitions_matches_batch(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    src = make_topic(kafka_bootstrap, "nx-src", 4)
    dst = make_topic(kafka_bootstrap, "nx-dst", 4)
    generate(f"kafka://{kafka_bootstrap}/{src}", 20_000, seed=11)
    generate(str(tmp_path / "files"), 20_000, seed=11)
    sink = (
        "CREATE TABLE out_t (auction BIGINT, price BIGINT, ts TIMESTAMP(3)) WITH ("
        f"'connector' = 'kafka', 'topic' = '{dst}', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', 'format' = 'json', "
        "'sink.delivery-guarantee' = 'exactly-once', "
        f"'sink.transactional-id-prefix' = 'rt-{dst}');\n"
    )
    run_sql(
        nexmark_table(src, kafka_bootstrap, **BOUNDED) + sink + f"INSERT INTO out_t {Q2};",
        checkpoint_dir=str(tmp_path / "cp"),
        options={"execution.checkpointing.interval": "200 ms"},
    )
    records = read_topic(kafka_bootstrap, dst)
    batch_job = compile_sql(nexmark_files(tmp_path / "files") + Q2 + ";", None, target="batch")
    expected = run_plan(batch_job.optimized[-1]).table
    want = Counter(
        json.dumps(
            {
                "auction": r["auction"],
                "price": r["price"],
                # Flink's json text: the fraction without trailing zeros, none when zero
                "ts": str(r["ts"]).rstrip("0") if "." in str(r["ts"]) else str(r["ts"]),
            },
            sort_keys=True,
        )
        for r in expected.to_pylist()
    )
    assert expected.num_rows > 100
    assert _json_rows(records) == want


def _simple_table(topic: str, bootstrap: str, **options: str) -> str:
    opts = {**BOUNDED, **options}
    extra = "".join(f", '{k}' = '{v}'" for k, v in opts.items())
    return (
        "CREATE TABLE s (id BIGINT, p INT METADATA FROM 'partition' VIRTUAL, "
        "o BIGINT METADATA FROM 'offset' VIRTUAL) WITH ("
        f"'connector' = 'kafka', 'topic' = '{topic}', "
        f"'properties.bootstrap.servers' = '{bootstrap}', 'format' = 'json'{extra});\n"
    )


@pytest.fixture(scope="module")
def two_partitions(kafka_bootstrap: str) -> str:
    """ids 0..9 in partition 0 (timestamps 1000..1009) and 10..19 in partition 1 (2000..)."""
    topic = make_topic(kafka_bootstrap, "modes", 2)
    for p in (0, 1):
        ids = range(p * 10, p * 10 + 10)
        produce(
            kafka_bootstrap,
            topic,
            [json.dumps({"id": i}).encode() for i in ids],
            partition=p,
            timestamps=[(p + 1) * 1000 + i % 10 for i in ids],
        )
    return topic


def _ids(sql: str) -> list[int]:
    result = run_sql(sql + "SELECT id FROM s;")
    assert result is not None
    return sorted(result.column("id").to_pylist())


def test_startup_earliest_latest(kafka_bootstrap: str, two_partitions: str) -> None:
    assert _ids(_simple_table(two_partitions, kafka_bootstrap)) == list(range(20))
    latest = _simple_table(
        two_partitions, kafka_bootstrap, **{"scan.startup.mode": "latest-offset"}
    )
    assert _ids(latest) == []


def test_startup_timestamp(kafka_bootstrap: str, two_partitions: str) -> None:
    sql = _simple_table(
        two_partitions,
        kafka_bootstrap,
        **{"scan.startup.mode": "timestamp", "scan.startup.timestamp-millis": "1007"},
    )
    # partition 0 from timestamp 1007 (ids 7..9); every record of partition 1 is later
    assert _ids(sql) == [7, 8, 9, *range(10, 20)]


def test_startup_specific_offsets(kafka_bootstrap: str, two_partitions: str) -> None:
    sql = _simple_table(
        two_partitions,
        kafka_bootstrap,
        **{
            "scan.startup.mode": "specific-offsets",
            "scan.startup.specific-offsets": "partition:0,offset:8;partition:1,offset:5",
        },
    )
    assert _ids(sql) == [8, 9, *range(15, 20)]


def test_startup_group_offsets(kafka_bootstrap: str, two_partitions: str) -> None:
    from confluent_kafka import Consumer, TopicPartition

    group = f"g-{two_partitions}"
    c = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": group})
    c.commit(
        offsets=[TopicPartition(two_partitions, 0, 4), TopicPartition(two_partitions, 1, 9)],
        asynchronous=False,
    )
    c.close()
    opts = {"scan.startup.mode": "group-offsets", "properties.group.id": group}
    assert _ids(_simple_table(two_partitions, kafka_bootstrap, **opts)) == [
        *range(4, 10),
        *range(19, 20),
    ]
    fresh = {"scan.startup.mode": "group-offsets", "properties.group.id": group + "-new"}
    with pytest.raises(ExecutionError, match=r"auto\.offset\.reset"):
        _ids(_simple_table(two_partitions, kafka_bootstrap, **fresh))
    reset = {**fresh, "properties.auto.offset.reset": "earliest"}
    assert _ids(_simple_table(two_partitions, kafka_bootstrap, **reset)) == list(range(20))


def test_bounded_specific_offsets_and_metadata(kafka_bootstrap: str, two_partitions: str) -> None:
    sql = _simple_table(
        two_partitions,
        kafka_bootstrap,
        **{
            "scan.bounded.mode": "specific-offsets",
            "scan.bounded.specific-offsets": "partition:0,offset:3;partition:1,offset:1",
        },
    )
    result = run_sql(sql + "SELECT id, p, o FROM s;")
    assert result is not None
    assert sorted(result.to_pylist(), key=lambda r: r["id"]) == [
        {"id": 0, "p": 0, "o": 0},
        {"id": 1, "p": 0, "o": 1},
        {"id": 2, "p": 0, "o": 2},
        {"id": 10, "p": 1, "o": 0},
    ]


def test_key_timestamp_headers_metadata(kafka_bootstrap: str) -> None:
    topic = make_topic(kafka_bootstrap, "meta", 1)
    produce(
        kafka_bootstrap,
        topic,
        [b'{"v":1}', b'{"v":2}'],
        keys=[b"k1", None],
        timestamps=[1_700_000_000_000, 1_700_000_000_500],
        headers=[[("h", b"x")], []],
    )
    sql = (
        "CREATE TABLE m (v INT, k BYTES METADATA FROM 'key', "
        "ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', "
        "hs MAP<STRING, BYTES> METADATA FROM 'headers', "
        "tp STRING METADATA FROM 'topic' VIRTUAL) WITH ("
        f"'connector' = 'kafka', 'topic' = '{topic}', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', 'format' = 'json', "
        "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');\n"
        "SELECT v, k, ts, hs, tp FROM m;"
    )
    result = run_sql(sql)
    assert result is not None
    rows = sorted(result.to_pylist(), key=lambda r: r["v"])
    assert [r["k"] for r in rows] == [b"k1", None]
    assert [int(r["ts"].timestamp() * 1000) for r in rows] == [1_700_000_000_000, 1_700_000_000_500]
    assert [dict(r["hs"]) for r in rows] == [{"h": b"x"}, {}]
    assert {r["tp"] for r in rows} == {topic}


def test_upsert_kafka_writes_tombstones(kafka_bootstrap: str, tmp_path: Path) -> None:
    cdc = make_topic(kafka_bootstrap, "cdc", 2)
    out = make_topic(kafka_bootstrap, "upsert", 2)
    envelopes = [
        {"before": None, "after": {"id": 1, "name": "a"}, "op": "c"},
        {"before": None, "after": {"id": 2, "name": "b"}, "op": "c"},
        {"before": {"id": 1, "name": "a"}, "after": {"id": 1, "name": "A"}, "op": "u"},
        {"before": {"id": 2, "name": "b"}, "after": None, "op": "d"},
        {"before": None, "after": {"id": 3, "name": "c"}, "op": "c"},
    ]
    produce(kafka_bootstrap, cdc, [json.dumps(e).encode() for e in envelopes])
    sql = (
        "CREATE TABLE src (id BIGINT, name STRING) WITH ("
        f"'connector' = 'kafka', 'topic' = '{cdc}', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', 'format' = 'debezium-json', "
        "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');\n"
        "CREATE TABLE dst (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ("
        f"'connector' = 'upsert-kafka', 'topic' = '{out}', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', "
        "'key.format' = 'json', 'value.format' = 'json', "
        "'sink.delivery-guarantee' = 'exactly-once', "
        f"'sink.transactional-id-prefix' = 'up-{out}');\n"
        "INSERT INTO dst SELECT id, name FROM src;"
    )
    run_sql(sql, checkpoint_dir=str(tmp_path / "cp"))
    records = read_topic(kafka_bootstrap, out)
    keys = [json.loads(r.key) for r in records]
    assert all(set(k) == {"id"} for k in keys)
    # the independent witness: fold the topic by key, as a compacted topic would
    table: dict[int, dict[str, object] | None] = {}
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        table[json.loads(r.key)["id"]] = None if r.value is None else json.loads(r.value)
    assert table == {1: {"id": 1, "name": "A"}, 2: None, 3: {"id": 3, "name": "c"}}
    assert sum(r.value is None for r in records) == 1  # one tombstone, for id 2
    # records of one key stay in one partition (murmur2 of the key), in order
    assert len({(json.loads(r.key)["id"], r.partition) for r in records}) == 3


def test_read_committed_sees_output_only_after_its_checkpoint(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    from nrtg.compiler.lower.stream import lower_to_stream
    from nrtg.runtime.stream.job import JobRun, Settings

    src = make_topic(kafka_bootstrap, "txn-src", 2)
    dst = make_topic(kafka_bootstrap, "txn-dst", 2)
    produce(kafka_bootstrap, src, [json.dumps({"id": i}).encode() for i in range(100)])
    sql = _simple_table(src, kafka_bootstrap) + (
        "CREATE TABLE d (id BIGINT) WITH ("
        f"'connector' = 'kafka', 'topic' = '{dst}', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', 'format' = 'json', "
        f"'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 't-{dst}');\n"
        "INSERT INTO d SELECT id FROM s;"
    )
    job = compile_sql(sql, None, target="stream")
    graph = lower_to_stream(tuple(job.optimized))
    run = JobRun(graph, Settings(checkpoint_dir=str(tmp_path / "cp")), bounded=True)
    try:
        while run.executor.step():
            pass
        for writer in run.writers.values():
            assert writer.producer is not None and writer.producer.flush(30) == 0
        assert len(read_topic(kafka_bootstrap, dst, committed=False)) == 100
        assert read_topic(kafka_bootstrap, dst) == []  # the transaction is still open
        run.checkpoint()
        committed = read_topic(kafka_bootstrap, dst)
        assert sorted(json.loads(r.value)["id"] for r in committed) == list(range(100))
    finally:
        run.close()
    # the group's committed offsets carry the checkpoint id, atomically with the output
    from confluent_kafka import Consumer, TopicPartition

    c = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": "nrtg-default.s"})
    got = c.committed([TopicPartition(src, 0), TopicPartition(src, 1)], timeout=10)
    c.close()
    assert [(tp.offset, tp.metadata) for tp in got] == [
        (100, "nrtg-checkpoint=1"),
        (0, "nrtg-checkpoint=1"),
    ]


@pytest.mark.parametrize("lenient", [False, True])
def test_poison_message_policy(kafka_bootstrap: str, lenient: bool) -> None:
    topic = make_topic(kafka_bootstrap, "poison", 2)
    produce(
        kafka_bootstrap, topic, [json.dumps({"id": i}).encode() for i in range(10)], partition=0
    )
    produce(
        kafka_bootstrap,
        topic,
        [b'{"id": 100}', b'{"id": 101}', b'{"id": 10', b'{"id": 103}'],
        partition=1,
    )
    options = {"json.ignore-parse-errors": "true"} if lenient else {}
    sql = _simple_table(topic, kafka_bootstrap, **options)
    if not lenient:
        with pytest.raises(ExecutionError, match=rf"topic {topic}, partition 1, offset 2"):
            _ids(sql)
        return
    assert _ids(sql) == [*range(10), 100, 101, 103]


def test_only_the_fields_a_query_reads_are_decoded(kafka_bootstrap: str) -> None:
    """Projection pushdown into the decoder (connectors/projection.py): as in Flink, a value of
    the wrong type in a field the query does not read is no error; a query reading it fails."""
    topic = make_topic(kafka_bootstrap, "projected", 1)
    produce(
        kafka_bootstrap,
        topic,
        [
            b'{"id": 1, "r": {"x": 10, "y": 5}, "s": true}',
            b'{"id": 2, "r": {"x": 20, "y": "not a number"}, "s": []}',
        ],
    )
    extra = "".join(f", '{k}' = '{v}'" for k, v in BOUNDED.items())
    table = (
        "CREATE TABLE p (id BIGINT, r ROW<x INT, y INT>, s BOOLEAN) WITH ("
        f"'connector' = 'kafka', 'topic' = '{topic}', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', 'format' = 'json'{extra});\n"
    )
    result = run_sql(table + "SELECT id, r.x AS x FROM p;")
    assert result is not None
    assert sorted((r["id"], r["x"]) for r in result.to_pylist()) == [(1, 10), (2, 20)]
    with pytest.raises(ExecutionError, match=rf"topic {topic}, partition 0, offset 1"):
        run_sql(table + "SELECT id, r.y AS y FROM p;")


def _ids_of(topic_option: str, bootstrap: str, **options: str) -> list[int]:
    extra = "".join(f", '{k}' = '{v}'" for k, v in options.items())
    sql = (
        "CREATE TABLE s (id BIGINT) WITH ("
        f"'connector' = 'kafka', {topic_option}, "
        f"'properties.bootstrap.servers' = '{bootstrap}', 'format' = 'json'{extra});\n"
    )
    return _ids(sql)


def test_topic_pattern_and_topic_lists(kafka_bootstrap: str) -> None:
    """`topic-pattern` reads every partition of the topics whose whole name matches (Flink's
    Java regex semantics: full match); `topic` takes a `;`-separated list."""
    base = f"pat-{uuid.uuid4().hex[:8]}"
    a = make_topic(kafka_bootstrap, f"{base}-a", 2)
    b = make_topic(kafka_bootstrap, f"{base}-b", 1)
    longer = make_topic(kafka_bootstrap, f"{base}-ab", 1)  # matches a prefix only
    for topic, first in ((a, 0), (b, 100), (longer, 200)):
        values = [json.dumps({"id": first + i}).encode() for i in range(4)]
        produce(
            kafka_bootstrap, topic, values, partition=[i % 2 for i in range(4)] if topic == a else 0
        )
    pattern = f"{base}-[ab]-[0-9a-f]{{12}}"
    got = _ids_of(f"'topic-pattern' = '{pattern}'", kafka_bootstrap, **BOUNDED)
    assert got == [0, 1, 2, 3, 100, 101, 102, 103]
    # a pattern matching only a prefix of the names selects nothing (a bounded read then ends)
    assert _ids_of(f"'topic-pattern' = '{base}-a'", kafka_bootstrap, **BOUNDED) == []
    listed = _ids_of(f"'topic' = '{a};{longer}'", kafka_bootstrap, **BOUNDED)
    assert listed == [0, 1, 2, 3, 200, 201, 202, 203]
    with pytest.raises(ExecutionError, match="not both"):
        _ids_of(f"'topic' = '{a}', 'topic-pattern' = '{pattern}'", kafka_bootstrap, **BOUNDED)
    with pytest.raises(ExecutionError, match="cannot read 'topic-pattern'"):
        Topics({"topic-pattern": "(unclosed"}, "t")


def test_partition_discovery_reads_new_partitions_and_topics_from_earliest(
    kafka_bootstrap: str,
) -> None:
    """An unbounded source finds, every `scan.topic-partition-discovery.interval`, the
    partitions added to its topics and the topics created that match its pattern, and reads
    them from their earliest offset (as Flink does) even though it started at the latest."""
    from confluent_kafka.admin import AdminClient, NewPartitions

    from nrtg.compiler.lower.stream import lower_to_stream
    from nrtg.runtime.stream.job import JobRun, Settings

    base = f"disc-{uuid.uuid4().hex[:8]}"
    first = make_topic(kafka_bootstrap, f"{base}-x", 1)
    produce(kafka_bootstrap, first, [b'{"id": 0}'])  # before the job: latest-offset skips it
    sql = (
        "CREATE TABLE s (id BIGINT) WITH ("
        f"'connector' = 'kafka', 'topic-pattern' = '{base}-.*', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', 'format' = 'json', "
        "'scan.startup.mode' = 'latest-offset', "
        "'scan.topic-partition-discovery.interval' = '200 ms');\n"
        "SELECT id FROM s;"
    )
    graph = lower_to_stream(tuple(compile_sql(sql, None, target="stream").optimized))
    run = JobRun(graph, Settings(), bounded=False)
    try:
        produce(kafka_bootstrap, first, [b'{"id": 1}'])
        admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
        admin.create_partitions([NewPartitions(first, 2)])[first].result(timeout=30)
        produce(kafka_bootstrap, first, [b'{"id": 2}', b'{"id": 3}'], partition=1)
        second = make_topic(kafka_bootstrap, f"{base}-y", 1)
        produce(kafka_bootstrap, second, [b'{"id": 4}'])
        want = [1, 2, 3, 4]

        def ids() -> list[int]:
            out = run.executor.output(0)
            return [] if out is None else sorted(out.column("id").to_pylist())

        deadline = time.monotonic() + 30
        run.run(lambda: ids() == want or time.monotonic() > deadline)
        assert ids() == want
        assert sorted(run.executor.sources[0].position().offsets) == sorted(
            [f"{first}:0", f"{first}:1", f"{second}:0"]
        )
    finally:
        run.close()


def test_upsert_kafka_source_reads_updates_and_tombstones(kafka_bootstrap: str) -> None:
    topic = make_topic(kafka_bootstrap, "upsrc", 1)
    produce(
        kafka_bootstrap,
        topic,
        [b'{"id":1,"name":"a"}', b'{"id":2,"name":"b"}', b'{"id":1,"name":"A"}', None],
        keys=[b'{"id":1}', b'{"id":2}', b'{"id":1}', b'{"id":2}'],
    )
    sql = (
        "CREATE TABLE u (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ("
        f"'connector' = 'upsert-kafka', 'topic' = '{topic}', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', "
        "'key.format' = 'json', 'value.format' = 'json', "
        "'scan.bounded.mode' = 'latest-offset');\n"
        "SELECT id, name FROM u;"
    )
    changes = run_sql(sql, changelog=True)
    assert changes is not None
    assert [(r["op"], r["id"], r["name"]) for r in changes.to_pylist()] == [
        ("+U", 1, "a"),
        ("+U", 2, "b"),
        ("+U", 1, "A"),
        ("-D", 2, None),
    ]


def test_idle_partition_holds_the_watermark_until_the_idle_timeout(kafka_bootstrap: str) -> None:
    """Partition 1 never receives data while partition 0 does: without an idle timeout no
    window fires (the empty partition holds the watermark back); with
    `scan.watermark.idle-timeout` partition 1 stops counting and the windows close on
    partition 0's event time."""
    import threading

    from nrtg.compiler.lower.stream import lower_to_stream
    from nrtg.runtime.stream.job import JobRun, Settings

    def rows(first: int, last: int) -> list[bytes]:
        return [
            json.dumps({"id": i, "ts": f"2026-01-01 00:00:{i:02d}.000"}).encode()
            for i in range(first, last)
        ]

    def fired(idle: str | None) -> list[int]:
        topic = make_topic(kafka_bootstrap, "idle", 2)
        produce(kafka_bootstrap, topic, rows(0, 30), partition=0)
        extra = f", 'scan.watermark.idle-timeout' = '{idle}'" if idle else ""
        sql = (
            "CREATE TABLE s (id BIGINT, ts TIMESTAMP(3), "
            "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ("
            f"'connector' = 'kafka', 'topic' = '{topic}', "
            f"'properties.bootstrap.servers' = '{kafka_bootstrap}', 'format' = 'json', "
            f"'scan.startup.mode' = 'earliest-offset'{extra});\n"
            "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), "
            "INTERVAL '10' SECOND)) GROUP BY window_start, window_end;"
        )
        graph = lower_to_stream(tuple(compile_sql(sql, None, target="stream").optimized))
        run = JobRun(graph, Settings(), bounded=False)

        def feed() -> None:  # partition 0 stays busy: one row every 100 ms, ts 30 s .. 44 s
            for i in range(30, 45):
                produce(kafka_bootstrap, topic, rows(i, i + 1), partition=0)
                time.sleep(0.1)

        feeder = threading.Thread(target=feed)
        feeder.start()
        try:
            deadline = time.monotonic() + 3.0
            run.run(lambda: time.monotonic() > deadline)  # unbounded: stopped after 3 s
            out = run.executor.output(0)
            return [] if out is None else sorted(out.column("n").to_pylist())
        finally:
            feeder.join()
            run.close()

    assert fired(None) == []
    windows = fired("500 ms")
    assert len(windows) >= 3 and windows[:3] == [10, 10, 10]


def test_poll_hands_over_waiting_records_without_waiting_for_a_full_batch(
    kafka_bootstrap: str,
) -> None:
    """A poll asking for 32768 records with a long timeout returns the 20 that are there (a
    single blocking consume would hold them for the whole timeout), and an empty poll still
    waits for records up to its timeout."""
    from nrtg.catalog import types as t
    from nrtg.catalog.schema import Field, Ident
    from nrtg.compiler.plan import nodes as n
    from nrtg.runtime.stream.connectors.kafka_source import KafkaSource

    topic = make_topic(kafka_bootstrap, "poll-now", 1)
    options = {
        "connector": "kafka",
        "topic": topic,
        "properties.bootstrap.servers": kafka_bootstrap,
        "format": "json",
        "scan.startup.mode": "earliest-offset",
    }
    scan = n.TableScan(
        table=Ident("default", "s"),
        fields=(Field("id", t.bigint()),),
        options=tuple(sorted(options.items())),
    )
    source = KafkaSource(scan, group_id=f"g-{uuid.uuid4().hex[:8]}", bounded=False)
    source.open(None)
    try:
        source.poll(32768, 0.0)  # names the splits
        source.poll(32768, 0.3)  # takes the end-of-partition event, which ends a poll at once
        started = time.monotonic()
        assert source.poll(32768, 0.3).batch is None  # nothing yet: waits for the timeout
        assert time.monotonic() - started >= 0.3
        produce(kafka_bootstrap, topic, [json.dumps({"id": i}) for i in range(20)])
        started = time.monotonic()
        got: list[int] = []
        while len(got) < 20:
            batch = source.poll(32768, 60.0).batch
            if batch is not None:
                got += batch.column("id").to_pylist()
        assert got == list(range(20))
        assert time.monotonic() - started < 30  # not held for the 60 s timeout
    finally:
        source.close()
