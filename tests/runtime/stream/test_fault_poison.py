"""Fault test (c): a poison message in the middle of one partition of a 4-partition Nexmark
topic. Default policy: the job fails and names topic, partition and offset. With
`json.ignore-parse-errors = true` the record is skipped and counted, and nothing else is lost:
the committed output equals that of the same job over the clean topic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka import Producer

from ._kafka import TopicPool, generate, job_script, read_topic, start_job, values

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.fixture
def topics(kafka_bootstrap: str) -> Iterator[TopicPool]:
    pool = TopicPool(kafka_bootstrap)
    yield pool
    pool.drop()


EVENTS = 40_000
POISON_PARTITION = 2
POISON_OFFSET = 5_000


def _copy_with_poison(bootstrap: str, clean: str, poisoned: str) -> None:
    records = sorted(read_topic(bootstrap, clean), key=lambda r: (r.partition, r.offset))
    producer = Producer(
        {"bootstrap.servers": bootstrap, "linger.ms": 20, "enable.idempotence": True}
    )
    position = 0
    for r in records:
        if r.partition == POISON_PARTITION:
            if position == POISON_OFFSET:
                producer.produce(
                    poisoned, b'{"event_type":2,"bid":{"auction":', partition=r.partition
                )
            position += 1
        producer.produce(poisoned, r.value, partition=r.partition, timestamp=r.timestamp)
        if len(producer) > 50_000:
            producer.poll(0.1)
    assert producer.flush(60) == 0


def _run(script: Path, log: Path) -> int:
    proc = start_job(script, log)
    return proc.wait(timeout=300)


@pytest.mark.timeout(600)
def test_poison_message_policies(kafka_bootstrap: str, topics: TopicPool, tmp_path: Path) -> None:
    clean = topics.new("psn-clean", 4)
    poisoned = topics.new("psn-bad", 4)
    generate(f"kafka://{kafka_bootstrap}/{clean}", EVENTS, seed=13)
    _copy_with_poison(kafka_bootstrap, clean, poisoned)

    ref = topics.new("psn-ref", 4)
    log = tmp_path / "ref.log"
    assert _run(job_script(tmp_path / "ref.sql", kafka_bootstrap, clean, ref), log) == 0, (
        log.read_text()
    )

    strict_out = topics.new("psn-strict", 4)
    log = tmp_path / "strict.log"
    strict = job_script(tmp_path / "strict.sql", kafka_bootstrap, poisoned, strict_out)
    assert _run(strict, log) != 0
    text = log.read_text()
    assert f"topic {poisoned}, partition {POISON_PARTITION}, offset {POISON_OFFSET}" in text, text
    assert "json.ignore-parse-errors" in text

    lenient_out = topics.new("psn-skip", 4)
    log = tmp_path / "lenient.log"
    lenient = job_script(
        tmp_path / "lenient.sql",
        kafka_bootstrap,
        poisoned,
        lenient_out,
        source_options={"json.ignore-parse-errors": "true"},
    )
    assert _run(lenient, log) == 0, log.read_text()
    assert "1 malformed records skipped" in log.read_text()
    expected = values(read_topic(kafka_bootstrap, ref))
    assert sum(expected.values()) > 1000
    assert values(read_topic(kafka_bootstrap, lenient_out)) == expected
    # what the failed strict run committed is part of the right answer, never more
    assert not values(read_topic(kafka_bootstrap, strict_out)) - expected
