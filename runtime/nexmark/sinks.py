"""Where generated events go: files in a directory (JSON lines or Parquet) or a Kafka topic."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from nrtg.catalog.errors import ExecutionError
from nrtg.runtime.nexmark.config import PERSON, NexmarkConfig, NexmarkError
from nrtg.runtime.nexmark.generator import NexmarkGenerator
from nrtg.runtime.nexmark.jsonl import TimestampFormatter, event_line

Format = Literal["json", "parquet"]
SUFFIX: dict[str, str] = {"json": "jsonl", "parquet": "parquet"}
JSON_BATCH = 8192
PARQUET_ROW_GROUP = 65536  # events per Parquet row group (a file's last group may be shorter)
KAFKA_BATCH = 8192
TOPIC_WAIT_S = 5.0  # how long an unknown topic may take to appear (broker auto-creation)


@dataclass(frozen=True, kw_only=True)
class KafkaTarget:
    bootstrap: str
    topic: str


def parse_kafka_url(url: str) -> KafkaTarget:
    """`kafka://host:port[,host:port...]/topic` -> KafkaTarget."""
    parts = urlsplit(url)
    topic = parts.path.strip("/")
    if parts.scheme != "kafka" or not parts.netloc or not topic or "/" in topic:
        raise NexmarkError(f"expected kafka://host:port/topic, got {url!r}")
    return KafkaTarget(bootstrap=parts.netloc, topic=topic)


def file_names(files: int, fmt: Format) -> list[str]:
    """`events.<ext>` for one file, else `events-00000.<ext>` ... in event order."""
    suffix = SUFFIX[fmt]
    if files == 1:
        return [f"events.{suffix}"]
    return [f"events-{i:05d}.{suffix}" for i in range(files)]


def _ranges(events: int, files: int) -> list[int]:
    """Event counts per file: contiguous, as equal as possible."""
    return [(i + 1) * events // files - i * events // files for i in range(files)]


def _clear_old_outputs(directory: Path) -> None:
    """Remove the event files of an earlier run (any format or split), nothing else."""
    for path in directory.iterdir():
        name = path.name
        if path.is_file() and name.startswith("events") and name.endswith((".jsonl", ".parquet")):
            stem = name.rsplit(".", 1)[0]
            if stem == "events" or (stem.startswith("events-") and stem[7:].isdigit()):
                path.unlink()


def write_directory(
    config: NexmarkConfig,
    directory: Path,
    *,
    fmt: Format = "json",
    files: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Write the events to `directory` as `files` files holding contiguous event ranges in order.

    The concatenation of the files is the same bytes (JSON) / rows (Parquet) whatever `files` is.
    Each file is written under a hidden temporary name (`.events...tmp`, which Flink's filesystem
    source skips) and renamed when complete; event files of earlier runs are removed first.
    """
    if files < 1:
        raise NexmarkError(f"files must be >= 1, got {files}")
    if fmt not in SUFFIX:
        raise NexmarkError(f"unknown format {fmt!r}: expected json or parquet")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _clear_old_outputs(directory)
    except OSError as e:
        raise NexmarkError(f"cannot prepare output directory {directory}: {e}") from e
    generator = NexmarkGenerator(config)
    written: list[Path] = []
    for name, count in zip(file_names(files, fmt), _ranges(config.events, files), strict=True):
        final = directory / name
        temporary = directory / f".{name}.tmp"
        try:
            if fmt == "json":
                _write_json(generator, temporary, count, progress)
            else:
                _write_parquet(generator, temporary, count, progress)
            os.replace(temporary, final)
        except OSError as e:
            raise NexmarkError(f"cannot write {final}: {e}") from e
        written.append(final)
    return written


def _write_json(
    generator: NexmarkGenerator, path: Path, count: int, progress: Callable[[int], None] | None
) -> None:
    with open(path, "wb") as out:
        while count > 0:
            lines = generator.take_json(min(count, JSON_BATCH))
            count -= len(lines)
            out.write("".join(lines).encode("ascii"))
            if progress is not None:
                progress(len(lines))


def _write_parquet(
    generator: NexmarkGenerator, path: Path, count: int, progress: Callable[[int], None] | None
) -> None:
    from nrtg.runtime.nexmark.arrow import parquet_writer, record_batch

    with parquet_writer(path) as writer:
        while count > 0:
            events = generator.take(min(count, PARQUET_ROW_GROUP))
            count -= len(events)
            writer.write_batch(record_batch(events), row_group_size=PARQUET_ROW_GROUP)
            if progress is not None:
                progress(len(events))


def produce_kafka(
    config: NexmarkConfig,
    target: KafkaTarget,
    *,
    producer_config: dict[str, Any] | None = None,
    timeout_s: float = 30.0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Produce the events as JSON messages (no trailing newline) to an existing topic.

    Nothing is created: the topic must exist, or the broker must auto-create it on the metadata
    request (`auto.create.topics.enable=true`, Apache Kafka's default; scripts/kafka.sh turns it
    off, so create the topic there first). An unknown topic fails after TOPIC_WAIT_S. Keys are
    null; event n goes to the n-th partition round-robin (`n mod partitions`, partitions sorted by
    id) with message timestamp = the event's `dateTime` in ms, so a topic's contents are
    deterministic too (up to the broker's offsets). Returns the number of messages delivered.
    """
    from confluent_kafka import KafkaError, KafkaException, Producer

    settings: dict[str, Any] = {
        "bootstrap.servers": target.bootstrap,
        "linger.ms": 20,
        "batch.num.messages": 10000,
        "compression.type": "lz4",
        "enable.idempotence": True,  # retries keep the order within a partition
    }
    settings.update(producer_config or {})
    try:
        producer = Producer(settings)
        partitions = _partitions(producer, target.topic, min(timeout_s, TOPIC_WAIT_S))
    except KafkaException as e:
        raise ExecutionError(f"kafka {target.bootstrap}: {e}") from e
    failures: list[str] = []

    def delivered(err: KafkaError | None, _msg: object) -> None:
        if err is not None and len(failures) < 10:
            failures.append(str(err))

    generator = NexmarkGenerator(config)
    timestamps = TimestampFormatter()
    n = 0
    while batch := generator.take(KAFKA_BATCH):
        for event in batch:
            value = event_line(event, timestamps)[:-1].encode("ascii")
            ts = event[7] if event[0] == PERSON else event[6]
            partition = partitions[n % len(partitions)]
            while True:
                try:
                    producer.produce(
                        target.topic,
                        value=value,
                        partition=partition,
                        timestamp=ts,
                        on_delivery=delivered,
                    )
                    break
                except BufferError:
                    producer.poll(0.05)
            n += 1
        producer.poll(0)
        if failures:
            break
        if progress is not None:
            progress(len(batch))
    remaining = producer.flush(timeout_s)
    if failures or remaining:
        detail = "; ".join(failures) or f"{remaining} messages not delivered in {timeout_s} s"
        raise ExecutionError(f"producing to kafka topic {target.topic!r} failed: {detail}")
    return n


def _partitions(producer: Any, topic: str, timeout_s: float) -> list[int]:
    """The topic's partition ids; asking for the topic's metadata lets the broker auto-create it."""
    from confluent_kafka import KafkaError

    deadline = time.monotonic() + timeout_s
    while True:
        meta = producer.list_topics(topic, timeout=max(0.1, deadline - time.monotonic()))
        found = meta.topics.get(topic)
        if found is not None and found.error is None and found.partitions:
            return sorted(found.partitions)
        retriable = (
            found is None
            or found.error is None
            or found.error.code()
            in (KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError.LEADER_NOT_AVAILABLE)
        )
        if not retriable or time.monotonic() >= deadline:
            why = found.error if found is not None and found.error is not None else "no partitions"
            raise ExecutionError(
                f"kafka topic {topic!r} is not available ({why}); create it first or enable "
                "auto.create.topics.enable on the broker"
            )
        time.sleep(0.2)
