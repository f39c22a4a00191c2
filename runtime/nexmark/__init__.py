"""nrtg's seeded, reproducible Nexmark generator (see generator.py for the model and how it differs
from upstream) and its outputs: JSON lines or Parquet files in a directory, or a Kafka topic.

    from nrtg.runtime.nexmark import NexmarkConfig, generate
    generate(NexmarkConfig(events=1_000_000, seed=7), "out/nexmark")  # out/nexmark/events.jsonl
    generate(NexmarkConfig(events=10_000), "kafka://127.0.0.1:9092/nexmark")

The same (events, seed, rate, out_of_order_ms, base time) always gives the same bytes.
`golden/catalogs/nexmark.sql` declares the Flink source table and the person/auction/bid views.
"""

from __future__ import annotations

from pathlib import Path

from nrtg.runtime.nexmark.config import (
    AUCTION,
    BID,
    PERSON,
    Event,
    NexmarkConfig,
    NexmarkError,
)
from nrtg.runtime.nexmark.generator import NexmarkGenerator
from nrtg.runtime.nexmark.sinks import (
    Format,
    KafkaTarget,
    parse_kafka_url,
    produce_kafka,
    write_directory,
)

__all__ = [
    "AUCTION",
    "BID",
    "PERSON",
    "Event",
    "Format",
    "KafkaTarget",
    "NexmarkConfig",
    "NexmarkError",
    "NexmarkGenerator",
    "generate",
    "parse_kafka_url",
    "produce_kafka",
    "write_directory",
]


def generate(
    config: NexmarkConfig, out: str | Path, *, fmt: Format = "json", files: int = 1
) -> list[str]:
    """Write the events to a directory or to `kafka://host:port/topic`; returns what was written
    (file paths, or the topic with its message count)."""
    if isinstance(out, str) and out.startswith("kafka://"):
        if fmt != "json":
            raise NexmarkError("Kafka output is JSON only")
        target = parse_kafka_url(out)
        count = produce_kafka(config, target)
        return [f"kafka://{target.bootstrap}/{target.topic} ({count} messages)"]
    return [str(p) for p in write_directory(config, Path(out), fmt=fmt, files=files)]
