"""Batch results written to Kafka: append `kafka` and keyed `upsert-kafka`, read back by
confluent-kafka (an independent client) from the project's real broker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nrtg.cli import main
from tests.services import make_topic

pytestmark = pytest.mark.kafka


def _read(bootstrap: str, topic: str, expected: int) -> list[tuple[bytes | None, bytes | None]]:
    from confluent_kafka import Consumer

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"{topic}-reader",
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
        }
    )
    consumer.subscribe([topic])
    out: list[tuple[bytes | None, bytes | None]] = []
    try:
        for _ in range(60):
            for m in consumer.consume(100, 1.0):
                if m.error() is None:
                    out.append((m.key(), m.value()))
            if len(out) >= expected:
                break
    finally:
        consumer.close()
    return out


def _run(tmp_path: Path, script: str) -> None:
    path = tmp_path / "job.sql"
    path.write_text(script)
    result = CliRunner().invoke(
        main, ["run", str(path), "--mode", "batch", "--catalog", "memory://"]
    )
    assert result.exit_code == 0, result.output


def test_batch_writes_an_append_kafka_sink(tmp_path: Path, kafka_bootstrap: str) -> None:
    topic = make_topic(kafka_bootstrap, "batch-sink", 2)
    _run(
        tmp_path,
        f"""
        CREATE TEMPORARY TABLE out (id INT, name STRING) WITH (
          'connector' = 'kafka', 'topic' = '{topic}', 'format' = 'json',
          'properties.bootstrap.servers' = '{kafka_bootstrap}',
          'sink.delivery-guarantee' = 'exactly-once');
        INSERT INTO out SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, CAST(NULL AS STRING))) AS v(id, name);
        """,
    )
    rows = sorted(json.loads(v or b"null")["id"] for _, v in _read(kafka_bootstrap, topic, 3))
    assert rows == [1, 2, 3]


def test_batch_writes_an_upsert_kafka_sink_keyed_by_the_primary_key(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    topic = make_topic(kafka_bootstrap, "batch-upsert", 2)
    _run(
        tmp_path,
        f"""
        CREATE TEMPORARY TABLE counts (k STRING, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH (
          'connector' = 'upsert-kafka', 'topic' = '{topic}',
          'properties.bootstrap.servers' = '{kafka_bootstrap}',
          'key.format' = 'json', 'value.format' = 'json');
        INSERT INTO counts SELECT k, COUNT(*) FROM (VALUES ('x'), ('y'), ('x')) AS v(k) GROUP BY k;
        """,
    )
    got = {
        json.loads(k)["k"]: json.loads(v)["n"]
        for k, v in _read(kafka_bootstrap, topic, 2)
        if k and v
    }
    assert got == {"x": 2, "y": 1}
