"""Helpers for the Kafka connector tests: Nexmark DDL over a topic, producing test messages,
reading a topic back with an independent read_committed consumer, running a stream job."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from nrtg.compiler.api import compile_sql

REPO = Path(__file__).resolve().parents[3]
NRTG = str(Path(sys.executable).parent / "nrtg")


@dataclass(frozen=True)
class Record:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp: int
    headers: tuple[tuple[str, bytes], ...] = ()


def nexmark_table(topic: str, bootstrap: str, **options: str) -> str:
    """golden/catalogs/nexmark.sql's `nexmark` table and views, on a Kafka topic."""
    text = (REPO / "golden" / "catalogs" / "nexmark.sql").read_text()
    extra = "".join(f"    '{k}' = '{v}',\n" for k, v in options.items())
    kafka = (
        "'connector' = 'kafka',\n"
        f"    'topic' = '{topic}',\n"
        f"    'properties.bootstrap.servers' = '{bootstrap}',\n"
        f"{extra}"
    )
    old = "'connector' = 'filesystem',\n    'path' = '${NEXMARK_PATH}',\n"
    assert old in text
    return text.replace(old, kafka)


def nexmark_files(directory: Path) -> str:
    text = (REPO / "golden" / "catalogs" / "nexmark.sql").read_text()
    return text.replace("${NEXMARK_PATH}", str(directory))


def generate(out: str, events: int, seed: int = 7, rate: int = 10_000) -> None:
    cmd = [NRTG, "nexmark", "generate", "--events", str(events), "--seed", str(seed)]
    cmd += ["--rate", str(rate), "--out", out]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)


def produce(
    bootstrap: str,
    topic: str,
    values: Sequence[bytes | str | None],
    *,
    keys: Sequence[bytes | str | None] | None = None,
    partition: int | Sequence[int] = 0,
    timestamps: Sequence[int] | None = None,
    headers: Sequence[Sequence[tuple[str, bytes]]] | None = None,
) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for i, v in enumerate(values):
        kwargs: dict[str, Any] = {
            "value": v,
            "partition": partition if isinstance(partition, int) else partition[i],
        }
        if keys is not None:
            kwargs["key"] = keys[i]
        if timestamps is not None:
            kwargs["timestamp"] = timestamps[i]
        if headers is not None:
            kwargs["headers"] = list(headers[i])
        producer.produce(topic, **kwargs)
    assert producer.flush(30) == 0


def read_topic(
    bootstrap: str, topic: str, *, committed: bool = True, timeout: float = 60.0
) -> list[Record]:
    """Every record of `topic` up to its current end, read by a fresh consumer (read_committed
    unless `committed=False`)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"witness-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed" if committed else "read_uncommitted",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    try:
        meta = consumer.list_topics(topic, timeout=10).topics[topic]
        parts = sorted(meta.partitions)
        consumer.assign([TopicPartition(topic, p, 0) for p in parts])
        done: set[int] = set()
        out: list[Record] = []
        deadline = time.monotonic() + timeout
        while len(done) < len(parts):
            if time.monotonic() > deadline:
                raise AssertionError(f"reading {topic} timed out ({len(out)} records so far)")
            for m in consumer.consume(10_000, 0.5):
                err = m.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        done.add(m.partition())
                    continue
                done.discard(m.partition())
                ts = m.timestamp()[1]
                out.append(
                    Record(
                        m.partition(), m.offset(), m.key(), m.value(), ts, tuple(m.headers() or ())
                    )
                )
        return out
    finally:
        consumer.close()


def run_sql(
    sql: str,
    *,
    options: Mapping[str, str] | None = None,
    changelog: bool = False,
    checkpoint_dir: str | None = None,
    bounded: bool | None = None,
) -> pa.Table | None:
    """Compile a script for the stream target and run it in this process."""
    from nrtg.runtime.stream.job import run_stream_job

    job = compile_sql(sql, None, target="stream")
    job.session.options.update(options or {})
    return run_stream_job(
        job,
        tuple(job.optimized),
        changelog=changelog,
        checkpoint_dir=checkpoint_dir,
        bounded=bounded,
    )


WINDOWED = (
    "SELECT auction, window_start, window_end, COUNT(*) AS n, MAX(price) AS mx "
    "FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '1' SECOND)) "
    "GROUP BY auction, window_start, window_end"
)
WINDOWED_SINK = (
    "(auction BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, mx BIGINT)"
)


def job_script(
    path: Path,
    bootstrap: str,
    src: str,
    dst: str,
    *,
    query: str = WINDOWED,
    sink_columns: str = WINDOWED_SINK,
    source_options: Mapping[str, str] | None = None,
    checkpoint_dir: Path | None = None,
    interval: str = "300 ms",
) -> Path:
    """A stream job script: Nexmark on `src` (bounded at the end offsets seen at start) into an
    exactly-once Kafka sink on `dst`."""
    options = {
        "scan.startup.mode": "earliest-offset",
        "scan.bounded.mode": "latest-offset",
        **(source_options or {}),
    }
    sets = [f"SET 'execution.checkpointing.interval' = '{interval}';"]
    if checkpoint_dir is not None:
        sets.append(f"SET 'execution.checkpointing.dir' = '{checkpoint_dir}';")
    sets.append("SET 'restart-strategy.fixed-delay.attempts' = '30';")
    sql = (
        "\n".join(sets)
        + "\n"
        + nexmark_table(src, bootstrap, **options)
        + f"CREATE TABLE out_t {sink_columns} WITH ("
        f"'connector' = 'kafka', 'topic' = '{dst}', "
        f"'properties.bootstrap.servers' = '{bootstrap}', 'format' = 'json', "
        "'sink.delivery-guarantee' = 'exactly-once', "
        f"'sink.transactional-id-prefix' = 'nrtg-test-{dst}');\n"
        f"INSERT INTO out_t {query};\n"
    )
    path.write_text(sql)
    return path


def start_job(script: Path, log: Path) -> subprocess.Popen[bytes]:
    """`nrtg run --mode stream script` in a child process, output to `log`."""
    out = open(log, "ab")  # noqa: SIM115 (owned by the child for its lifetime)
    try:
        return subprocess.Popen(
            [NRTG, "run", "--mode", "stream", "--catalog", "memory://", str(script)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    finally:
        out.close()


def values(records: Sequence[Record]) -> Counter[bytes]:
    return Counter(r.value for r in records if r.value is not None)


def delete_topics(bootstrap: str, *topics: str) -> None:
    """Drop a test's topics (the project broker keeps data forever: big fault-test topics would
    pile up run after run). Best effort."""
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.delete_topics(list(topics), operation_timeout=30).values():
        # cleanup only: a failure here must not mask the test's own result
        with contextlib.suppress(Exception):
            future.result(timeout=60)


class TopicPool:
    """Topics made for one test and dropped after it (see `delete_topics`)."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.made: list[str] = []

    def new(self, name: str, partitions: int) -> str:
        from ...services import make_topic

        topic = make_topic(self.bootstrap, name, partitions)
        self.made.append(topic)
        return topic

    def drop(self) -> None:
        if self.made:
            delete_topics(self.bootstrap, *self.made)
