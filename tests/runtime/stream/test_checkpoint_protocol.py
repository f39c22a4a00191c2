"""The exactly-once protocol at its critical point, in process: checkpoint N is durable but the
process dies before its Kafka transaction commits. The restart must resume from N-1 (the
checkpoint the committed marker names), discard N, and the read_committed output must hold
every row exactly once. Once with a Kafka source (offsets + marker in the transaction) and once
with a file source (the marker alone)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.runtime.stream.job import JobRun, Settings

from ._kafka import TopicPool, produce, read_topic

pytestmark = pytest.mark.kafka

ROWS = 3000


@pytest.fixture
def topics(kafka_bootstrap: str) -> Iterator[TopicPool]:
    pool = TopicPool(kafka_bootstrap)
    yield pool
    pool.drop()


def _crash_after_checkpoint_is_durable(run: JobRun) -> int:
    """Checkpoint steps 1-3 (snapshot, prepare, durable save) without step 4 (commit)."""
    ex = run.executor
    ex.checkpoint_id += 1
    cp = ex.checkpoint_id
    payload = ex.snapshot()
    for sink in ex.sinks.values():
        sink.prepare(cp, {str(k): v for k, v in payload["sources"].items()})
    assert run.store is not None
    run.store.save(cp, payload)
    return cp


def _exercise(sql: str, bootstrap: str, out: str, tmp_path: Path) -> None:
    graph = lower_to_stream(tuple(compile_sql(sql, None, target="stream").optimized))
    settings = Settings(checkpoint_dir=str(tmp_path / "cp"), batch_size=100)
    first = JobRun(graph, settings, bounded=True)
    try:
        for _ in range(5):
            first.executor.step()
        assert first.checkpoint() == 1  # committed
        for _ in range(5):
            first.executor.step()
        assert _crash_after_checkpoint_is_durable(first) == 2
        assert first.store is not None and first.store.ids() == [1, 2]
    finally:
        first.close()  # the process is gone: its open transaction never commits
    committed = sorted(json.loads(r.value)["id"] for r in read_topic(bootstrap, out))
    assert committed and len(committed) < ROWS  # exactly what checkpoint 1 covered

    second = JobRun(graph, settings, bounded=True)
    try:
        assert second.restored_from == 1  # not 2: its transaction never committed
        assert second.store is not None and second.store.ids() == [1]
        second.run(lambda: False)
    finally:
        second.close()
    ids = [json.loads(r.value)["id"] for r in read_topic(bootstrap, out)]
    assert sorted(ids) == list(range(ROWS))  # nothing lost, nothing twice


def _sink(bootstrap: str, out: str) -> str:
    return (
        "CREATE TABLE d (id BIGINT) WITH ("
        f"'connector' = 'kafka', 'topic' = '{out}', 'properties.bootstrap.servers' = '{bootstrap}', "
        "'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once', "
        f"'sink.transactional-id-prefix' = 'proto-{out}');\n"
        "INSERT INTO d SELECT id FROM s;"
    )


def test_kafka_source_resumes_from_the_committed_checkpoint(
    kafka_bootstrap: str, topics: TopicPool, tmp_path: Path
) -> None:
    src = topics.new("proto-src", 2)
    out = topics.new("proto-out", 2)
    rows = [json.dumps({"id": i}).encode() for i in range(ROWS)]
    produce(kafka_bootstrap, src, rows[::2], partition=0)
    produce(kafka_bootstrap, src, rows[1::2], partition=1)
    sql = (
        "CREATE TABLE s (id BIGINT) WITH ("
        f"'connector' = 'kafka', 'topic' = '{src}', 'properties.bootstrap.servers' = '{kafka_bootstrap}', "
        "'format' = 'json', 'scan.startup.mode' = 'earliest-offset', "
        "'scan.bounded.mode' = 'latest-offset');\n"
    ) + _sink(kafka_bootstrap, out)
    _exercise(sql, kafka_bootstrap, out, tmp_path)


def test_file_source_resumes_from_the_committed_checkpoint(
    kafka_bootstrap: str, topics: TopicPool, tmp_path: Path
) -> None:
    out = topics.new("proto-out", 2)
    data = tmp_path / "in"
    data.mkdir()
    for part in range(3):
        lines = [json.dumps({"id": i}) for i in range(part * 1000, part * 1000 + 1000)]
        (data / f"part-{part}.json").write_text("\n".join(lines) + "\n")
    sql = (
        "CREATE TABLE s (id BIGINT) WITH ("
        f"'connector' = 'filesystem', 'path' = '{data}', 'format' = 'json');\n"
    ) + _sink(kafka_bootstrap, out)
    _exercise(sql, kafka_bootstrap, out, tmp_path)
