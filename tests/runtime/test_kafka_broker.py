"""The project's Kafka broker (scripts/kafka.sh) does what the streaming runtime relies on:
transactions on a single node (aborted data is invisible to read_committed readers) and
producer timestamps (CreateTime) that round-trip exactly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka import (
    OFFSET_BEGINNING,
    TIMESTAMP_CREATE_TIME,
    Consumer,
    KafkaError,
    Message,
    Producer,
    TopicPartition,
)

from tests.services import (
    ServiceError,
    delete_kafka,
    kafka_port,
    kill_kafka,
    make_topic,
    restart_kafka,
    start_kafka,
)

pytestmark = pytest.mark.kafka

PARTITIONS = 4
PER_TXN = 12
BASE_TS_MS = 1_700_000_000_123  # 2023-11-14: historical event times must survive too


def _produce_txn(producer: Producer, topic: str, label: str, first_ts: int) -> None:
    producer.begin_transaction()
    for i in range(PER_TXN):
        producer.produce(
            topic,
            key=f"{label}-{i}".encode(),
            value=f"{label}:{i}".encode(),
            partition=i % PARTITIONS,
            timestamp=first_ts + i,
        )
    producer.flush(30)


def _read_all(
    bootstrap: str, topic: str, isolation: str, partitions: int = PARTITIONS
) -> list[Message]:
    """Reads every partition from the beginning to its end (EOF), in the given isolation."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"nrtg-test-{uuid.uuid4().hex[:8]}",
            "isolation.level": isolation,
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "auto.offset.reset": "earliest",
        }
    )
    try:
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        out: list[Message] = []
        at_eof: set[int] = set()
        for _ in range(600):  # bounded: at most ~60 s of empty polls
            if len(at_eof) == partitions:
                break
            msg = consumer.poll(0.1)
            if msg is None:
                continue
            err = msg.error()
            if err is not None:
                assert err.code() == KafkaError._PARTITION_EOF, err
                at_eof.add(msg.partition())
                continue
            at_eof.discard(msg.partition())
            out.append(msg)
        assert len(at_eof) == partitions, f"{isolation}: not every partition reached its end"
        return out
    finally:
        consumer.close()


@pytest.fixture
def committed_and_aborted(kafka_bootstrap: str) -> Iterator[str]:
    topic = make_topic(kafka_bootstrap, "txn", PARTITIONS)
    producer = Producer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "transactional.id": f"nrtg-test-{uuid.uuid4().hex}",
            "enable.idempotence": True,
            "linger.ms": 5,
        }
    )
    producer.init_transactions(60)
    _produce_txn(producer, topic, "aborted", BASE_TS_MS)
    producer.abort_transaction(60)
    _produce_txn(producer, topic, "committed", BASE_TS_MS + 1000)
    producer.commit_transaction(60)
    yield topic


def test_make_topic_is_unique_and_has_the_partitions(kafka_bootstrap: str) -> None:
    from confluent_kafka.admin import AdminClient

    a = make_topic(kafka_bootstrap, "uniq", 3)
    b = make_topic(kafka_bootstrap, "uniq", 3)
    assert a != b and a.startswith("uniq-")
    meta = AdminClient({"bootstrap.servers": kafka_bootstrap}).list_topics(a, timeout=10)
    assert sorted(meta.topics[a].partitions) == [0, 1, 2]


def test_read_committed_sees_only_committed_transaction(
    kafka_bootstrap: str, committed_and_aborted: str
) -> None:
    got = _read_all(kafka_bootstrap, committed_and_aborted, "read_committed")
    assert sorted(m.value() for m in got) == sorted(
        f"committed:{i}".encode() for i in range(PER_TXN)
    )
    assert {m.partition() for m in got} == set(range(PARTITIONS))


def test_read_uncommitted_sees_both_transactions(
    kafka_bootstrap: str, committed_and_aborted: str
) -> None:
    got = _read_all(kafka_bootstrap, committed_and_aborted, "read_uncommitted")
    expected = [
        f"{label}:{i}".encode() for label in ("aborted", "committed") for i in range(PER_TXN)
    ]
    assert sorted(m.value() for m in got) == sorted(expected)


def test_create_time_timestamps_round_trip(
    kafka_bootstrap: str, committed_and_aborted: str
) -> None:
    got = _read_all(kafka_bootstrap, committed_and_aborted, "read_uncommitted")
    stamps = {m.value(): m.timestamp() for m in got}
    for i in range(PER_TXN):
        assert stamps[f"aborted:{i}".encode()] == (TIMESTAMP_CREATE_TIME, BASE_TS_MS + i)
        assert stamps[f"committed:{i}".encode()] == (TIMESTAMP_CREATE_TIME, BASE_TS_MS + 1000 + i)
    # within a partition, offsets keep production order
    for p in range(PARTITIONS):
        offsets = [m.offset() for m in got if m.partition() == p]
        assert offsets == sorted(offsets)


def _committed_offset(bootstrap: str, group: str, tp: TopicPartition) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        (got,) = consumer.committed([tp], timeout=30)
        return int(got.offset)
    finally:
        consumer.close()


def test_committed_data_and_group_offsets_survive_restart_and_crash(kafka_bootstrap: str) -> None:
    """A private broker (not the shared one other tests use) is restarted, then SIGKILLed."""
    port = kafka_port() + 100
    bootstrap = start_kafka(port)
    try:
        topic = make_topic(bootstrap, "durable", 2)
        producer = Producer(
            {"bootstrap.servers": bootstrap, "transactional.id": f"nrtg-test-{uuid.uuid4().hex}"}
        )
        producer.init_transactions(60)
        producer.begin_transaction()
        for i in range(10):
            producer.produce(topic, value=f"v{i}".encode(), partition=i % 2, timestamp=BASE_TS_MS)
        producer.commit_transaction(60)
        group = f"nrtg-test-{uuid.uuid4().hex[:8]}"
        committer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
        committer.commit(offsets=[TopicPartition(topic, 0, 3)], asynchronous=False)
        committer.close()

        def check() -> None:
            got = _read_all(bootstrap, topic, "read_committed", partitions=2)
            assert sorted(m.value() for m in got) == sorted(f"v{i}".encode() for i in range(10))
            assert _committed_offset(bootstrap, group, TopicPartition(topic, 0)) == 3

        check()
        assert restart_kafka(port) == bootstrap
        check()
        kill_kafka(port)
        assert start_kafka(port) == bootstrap
        check()
    finally:
        delete_kafka(port)


def test_missing_java_is_an_error_not_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ServiceError, match="`java` is not on PATH"):
        start_kafka(kafka_port() + 200)
