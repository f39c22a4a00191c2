"""Which topic-partitions a Kafka source reads, as Flink's connector selects them.

`topic` names the topics (`;`-separated); `topic-pattern` is a regular expression that whole
topic names must match (Flink compiles it as a Java regex; Python's `re` reads the common
subset the same way). Internal topics (`__consumer_offsets`, `__transaction_state`, any name
starting with `__`) never match, as the Java admin client does not list them. Only one of the
two options may be set.

Unbounded sources look again every `scan.topic-partition-discovery.interval` (Flink's default
5 minutes; `0` disables it) and read the partitions added since, and with a pattern the
matching topics created since, from their earliest offset (as Flink does, whatever the startup
mode). Bounded sources read what existed at open, as in Flink.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from confluent_kafka import Consumer, KafkaException

from nrtg.catalog.errors import ExecutionError

from .kafka_offsets import METADATA_TIMEOUT_S
from .options import Recoverable, duration_ms

DISCOVERY_OPTION = "scan.topic-partition-discovery.interval"
DEFAULT_DISCOVERY_MS = 5 * 60 * 1000


class Topics:
    def __init__(self, options: Mapping[str, str], table: str) -> None:
        self.table = table
        self.names = [t.strip() for t in options.get("topic", "").split(";") if t.strip()]
        pattern = options.get("topic-pattern")
        if self.names and pattern is not None:
            raise ExecutionError(
                f"table {table}: set either 'topic' or 'topic-pattern', not both (as in Flink)"
            )
        if not self.names and not pattern:
            raise ExecutionError(
                f"table {table}: the kafka source needs 'topic' or 'topic-pattern'"
            )
        self.pattern: re.Pattern[str] | None = None
        if pattern:
            try:
                self.pattern = re.compile(pattern)
            except re.error as e:
                raise ExecutionError(
                    f"table {table}: cannot read 'topic-pattern' {pattern!r}: {e}"
                ) from e
        value = options.get(DISCOVERY_OPTION)
        self.discovery_ms = (
            DEFAULT_DISCOVERY_MS if value is None else duration_ms(value, DISCOVERY_OPTION)
        )

    def partitions(self, consumer: Consumer, *, at_open: bool) -> list[tuple[str, int]]:
        """(topic, partition) pairs in the cluster's metadata now. At open a named topic that
        does not exist fails the job (the broker does not create topics automatically)."""
        if self.pattern is not None:
            return self._matching(consumer)
        out: list[tuple[str, int]] = []
        for topic in self.names:
            try:
                meta = consumer.list_topics(topic, timeout=METADATA_TIMEOUT_S)
            except KafkaException as e:
                raise Recoverable(
                    f"table {self.table}: cannot read metadata of {topic}: {e}"
                ) from e
            info = meta.topics.get(topic)
            if info is not None and info.error is not None and info.error.retriable():
                raise Recoverable(f"table {self.table}: topic {topic!r}: {info.error}")
            if info is None or info.error is not None or not info.partitions:
                if not at_open:
                    continue  # deleted since: its partitions stay as they are
                why = info.error if info is not None and info.error is not None else "no partitions"
                raise ExecutionError(
                    f"table {self.table}: topic {topic!r} is not available ({why}); create it "
                    "first (the broker does not create topics automatically)"
                )
            out += [(topic, p) for p in sorted(info.partitions)]
        return out

    def _matching(self, consumer: Consumer) -> list[tuple[str, int]]:
        assert self.pattern is not None
        try:
            meta = consumer.list_topics(timeout=METADATA_TIMEOUT_S)
        except KafkaException as e:
            raise Recoverable(f"table {self.table}: cannot read the topic list: {e}") from e
        return [
            (topic, p)
            for topic, info in sorted(meta.topics.items())
            if not topic.startswith("__") and self.pattern.fullmatch(topic) and info.error is None
            for p in sorted(info.partitions)
        ]
