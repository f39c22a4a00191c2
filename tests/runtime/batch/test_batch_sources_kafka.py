"""Kafka tables read by the batch target as bounded snapshots, against the project's real broker
(data produced with confluent-kafka, an independent client): every startup mode, the end
offsets seen at the start, json/csv/raw/debezium-json, upsert-kafka (latest value per key,
tombstones delete), malformed records (fail naming topic/partition/offset, or skip and count)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.duckdb import lower_to_duckdb
from nrtg.runtime.batch import BatchSession
from nrtg.runtime.batch.sources import skipped_records

from ...services import make_topic

pytestmark = pytest.mark.kafka

Record = tuple[bytes | None, bytes | None, int, int | None]  # key, value, partition, timestamp


def _produce(bootstrap: str, topic: str, records: Sequence[Record]) -> None:
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for key, value, partition, ts in records:
        kwargs: dict[str, Any] = {"key": key, "value": value, "partition": partition}
        if ts is not None:
            kwargs["timestamp"] = ts
        producer.produce(topic, **kwargs)
    assert producer.flush(30) == 0


def _json(partition: int, id_: int, name: str, ts: int | None = None) -> Record:
    return (None, f'{{"id": {id_}, "name": "{name}"}}'.encode(), partition, ts)


def _table(bootstrap: str, topic: str, cols: str = "id BIGINT, name STRING", **opts: str) -> str:
    options = {
        "connector": "kafka",
        "topic": topic,
        "properties.bootstrap.servers": bootstrap,
        "format": "json",
        "scan.startup.mode": "earliest-offset",
        **opts,
    }
    text = ", ".join(f"'{k}' = '{v}'" for k, v in options.items())
    return f"CREATE TABLE t ({cols}) WITH ({text});\n"


def _rows(script: str) -> tuple[list[tuple[Any, ...]], list[tuple[str, int]]]:
    job = compile_sql(script)
    session = BatchSession()
    try:
        table = session.run(lower_to_duckdb(job.optimized[-1])).table
        rows = sorted(zip(*[c.to_pylist() for c in table.columns], strict=True), key=repr)
        return rows, skipped_records(session.con)
    finally:
        session.close()


def test_json_snapshot_over_partitions_and_startup_modes(kafka_bootstrap: str) -> None:
    topic = make_topic(kafka_bootstrap, "batch-json", 2)
    _produce(
        kafka_bootstrap,
        topic,
        [
            _json(0, 1, "a", 1_000),
            _json(0, 2, "b", 2_000),
            _json(0, 3, "c", 3_000),
            _json(1, 4, "d", 1_500),
            _json(1, 5, "e", 2_500),
        ],
    )
    query = "SELECT id, name FROM t;"
    every = [(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")]
    assert _rows(_table(kafka_bootstrap, topic) + query)[0] == every
    latest = _table(kafka_bootstrap, topic, **{"scan.startup.mode": "latest-offset"})
    assert _rows(latest + query)[0] == []
    specific = _table(
        kafka_bootstrap,
        topic,
        **{
            "scan.startup.mode": "specific-offsets",
            "scan.startup.specific-offsets": "partition:0,offset:2;partition:1,offset:1",
        },
    )
    assert _rows(specific + query)[0] == [(3, "c"), (5, "e")]
    by_time = _table(
        kafka_bootstrap,
        topic,
        **{"scan.startup.mode": "timestamp", "scan.startup.timestamp-millis": "2000"},
    )
    assert _rows(by_time + query)[0] == [(2, "b"), (3, "c"), (5, "e")]


def test_group_offsets_start_where_the_group_committed(kafka_bootstrap: str) -> None:
    from confluent_kafka import Consumer, TopicPartition

    topic = make_topic(kafka_bootstrap, "batch-group", 1)
    _produce(kafka_bootstrap, topic, [_json(0, i, f"n{i}") for i in range(5)])
    group = f"g-{topic}"
    consumer = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": group})
    try:
        consumer.commit(offsets=[TopicPartition(topic, 0, 3)], asynchronous=False)
    finally:
        consumer.close()
    script = _table(
        kafka_bootstrap,
        topic,
        **{"scan.startup.mode": "group-offsets", "properties.group.id": group},
    )
    assert _rows(script + "SELECT id FROM t;")[0] == [(3,), (4,)]
    # the snapshot does not commit: a second read starts at the same place
    assert _rows(script + "SELECT id FROM t;")[0] == [(3,), (4,)]
    unknown = _table(
        kafka_bootstrap,
        topic,
        **{"scan.startup.mode": "group-offsets", "properties.group.id": group + "-new"},
    )
    with pytest.raises(ExecutionError, match=r"auto\.offset\.reset"):
        _rows(unknown + "SELECT id FROM t;")


def test_snapshot_ends_at_the_offsets_seen_at_start(kafka_bootstrap: str) -> None:
    """Records produced after a read started are not part of it; the next read sees them."""
    topic = make_topic(kafka_bootstrap, "batch-end", 1)
    _produce(kafka_bootstrap, topic, [_json(0, 1, "a")])
    script = _table(kafka_bootstrap, topic) + "SELECT COUNT(*) FROM t;"
    assert _rows(script)[0] == [(1,)]
    _produce(kafka_bootstrap, topic, [_json(0, 2, "b"), _json(0, 3, "c")])
    assert _rows(script)[0] == [(3,)]


def test_csv_and_raw_formats(kafka_bootstrap: str) -> None:
    topic = make_topic(kafka_bootstrap, "batch-csv", 1)
    _produce(kafka_bootstrap, topic, [(None, b"1,ann", 0, None), (None, b'2,"b, c"', 0, None)])
    csv = _table(kafka_bootstrap, topic, format="csv")
    assert _rows(csv + "SELECT * FROM t;")[0] == [(1, "ann"), (2, "b, c")]
    raw = _table(kafka_bootstrap, topic, cols="line STRING", format="raw")
    assert _rows(raw + "SELECT line FROM t;")[0] == [("1,ann",), ('2,"b, c"',)]


def test_debezium_json_changelog_is_applied(kafka_bootstrap: str) -> None:
    topic = make_topic(kafka_bootstrap, "batch-dbz", 1)
    changes = [
        '{"before": null, "after": {"id": 1, "name": "ann"}, "op": "c"}',
        '{"before": null, "after": {"id": 2, "name": "bob"}, "op": "r"}',
        '{"before": {"id": 1, "name": "ann"}, "after": {"id": 1, "name": "anna"}, "op": "u"}',
        '{"before": {"id": 2, "name": "bob"}, "after": null, "op": "d"}',
        '{"before": null, "after": {"id": 3, "name": "cy"}, "op": "c"}',
    ]
    _produce(kafka_bootstrap, topic, [(None, c.encode(), 0, None) for c in changes])
    script = _table(kafka_bootstrap, topic, format="debezium-json")
    assert _rows(script + "SELECT id, name FROM t;")[0] == [(1, "anna"), (3, "cy")]
    keyed = _table(
        kafka_bootstrap,
        topic,
        cols="id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED",
        format="debezium-json",
    )
    assert _rows(keyed + "SELECT name FROM t;")[0] == [("anna",), ("cy",)]


def test_upsert_kafka_reads_the_latest_value_per_key(kafka_bootstrap: str) -> None:
    topic = make_topic(kafka_bootstrap, "batch-upsert", 2)

    def key(k: int) -> bytes:
        return f'{{"id": {k}}}'.encode()

    def value(k: int, name: str) -> bytes:
        return f'{{"id": {k}, "name": "{name}"}}'.encode()

    _produce(
        kafka_bootstrap,
        topic,
        [
            (key(1), value(1, "a1"), 0, None),
            (key(2), value(2, "b1"), 1, None),
            (key(1), value(1, "a2"), 0, None),
            (key(3), value(3, "c1"), 1, None),
            (key(2), None, 1, None),  # tombstone: key 2 is deleted
            (key(4), value(4, "d1"), 0, None),
            (key(4), None, 0, None),
            (key(4), value(4, "d2"), 0, None),  # re-inserted after its tombstone
        ],
    )
    options = {
        "connector": "upsert-kafka",
        "topic": topic,
        "properties.bootstrap.servers": kafka_bootstrap,
        "key.format": "json",
        "value.format": "json",
    }
    text = ", ".join(f"'{k}' = '{v}'" for k, v in options.items())
    script = (
        f"CREATE TABLE u (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ({text});\n"
    )
    assert _rows(script + "SELECT id, name FROM u;")[0] == [(1, "a2"), (3, "c1"), (4, "d2")]
    assert _rows(script + "SELECT COUNT(*) FROM u;")[0] == [(3,)]


def test_malformed_record_fails_or_is_skipped_and_counted(kafka_bootstrap: str) -> None:
    topic = make_topic(kafka_bootstrap, "batch-bad", 1)
    _produce(
        kafka_bootstrap,
        topic,
        [_json(0, 1, "a"), (None, b"{not json", 0, None), _json(0, 3, "c")],
    )
    with pytest.raises(ExecutionError) as err:
        _rows(_table(kafka_bootstrap, topic) + "SELECT id FROM t;")
    assert f"topic {topic}, partition 0, offset 1" in str(err.value)
    lenient = _table(kafka_bootstrap, topic, **{"json.ignore-parse-errors": "true"})
    rows, skipped = _rows(lenient + "SELECT id FROM t;")
    assert rows == [(1,), (3,)]
    assert skipped == [("default.t", 1)]
