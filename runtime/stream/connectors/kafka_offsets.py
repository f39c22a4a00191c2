"""Where a Kafka source starts and (when bounded) stops: Flink's `scan.startup.mode` and
`scan.bounded.mode` resolved to concrete offsets per topic-partition (kafka_source.py)."""

from __future__ import annotations

from collections.abc import Mapping

from confluent_kafka import Consumer, KafkaException, TopicPartition

from nrtg.catalog.errors import ExecutionError

from .options import Recoverable

METADATA_TIMEOUT_S = 15.0


def split_name(topic: str, partition: int) -> str:
    return f"{topic}:{partition}"


def parse_split(name: str) -> tuple[str, int]:
    topic, _, partition = name.rpartition(":")
    return topic, int(partition)


def parse_specific_offsets(text: str, table: str) -> dict[int, int]:
    """`partition:0,offset:42;partition:1,offset:300` -> {0: 42, 1: 300}."""
    out: dict[int, int] = {}
    for item in text.split(";"):
        if not item.strip():
            continue
        try:
            fields = dict(part.split(":", 1) for part in item.split(","))
            out[int(fields["partition"].strip())] = int(fields["offset"].strip())
        except (ValueError, KeyError) as e:
            raise ExecutionError(
                f"table {table}: bad specific offsets {item!r} "
                "(expected 'partition:0,offset:42;partition:1,offset:300')"
            ) from e
    return out


class OffsetResolver:
    """Startup and end offsets of one table's partitions, read through its consumer."""

    def __init__(
        self,
        table: str,
        options: Mapping[str, str],
        group_id: str,
        reset_policy: str | None,
        upsert: bool,
    ) -> None:
        self.table = table
        self.options = options
        self.group_id = group_id
        self.reset_policy = reset_policy
        self.upsert = upsert

    def bounds(self, consumer: Consumer, topic: str, partition: int) -> tuple[int, int]:
        try:
            low, high = consumer.get_watermark_offsets(
                TopicPartition(topic, partition), timeout=METADATA_TIMEOUT_S, cached=False
            )
        except KafkaException as e:
            raise Recoverable(
                f"table {self.table}: cannot read offsets of {topic} partition {partition}: {e}"
            ) from e
        return int(low), int(high)

    def by_time(self, consumer: Consumer, tps: list[tuple[str, int]], ms: int) -> dict[str, int]:
        asked = [TopicPartition(t, p, ms) for t, p in tps]
        found = consumer.offsets_for_times(asked, timeout=METADATA_TIMEOUT_S)
        out: dict[str, int] = {}
        for tp in found:
            name = split_name(tp.topic, tp.partition)
            out[name] = (
                tp.offset if tp.offset >= 0 else self.bounds(consumer, *parse_split(name))[1]
            )
        return out

    def committed(self, consumer: Consumer, tps: list[tuple[str, int]]) -> dict[str, int]:
        got = consumer.committed([TopicPartition(t, p) for t, p in tps], timeout=METADATA_TIMEOUT_S)
        return {split_name(tp.topic, tp.partition): tp.offset for tp in got if tp.offset >= 0}

    def startup(self, consumer: Consumer, tps: list[tuple[str, int]]) -> dict[str, int]:
        opts = self.options
        # upsert-kafka always reads the whole topic (Flink has no startup mode for it)
        default = "earliest-offset" if self.upsert else "group-offsets"
        mode = opts.get("scan.startup.mode", default)
        bounds = {split_name(t, p): self.bounds(consumer, t, p) for t, p in tps}
        if mode == "earliest-offset":
            return {s: lo for s, (lo, _) in bounds.items()}
        if mode == "latest-offset":
            return {s: hi for s, (_, hi) in bounds.items()}
        if mode == "timestamp":
            ms = opts.get("scan.startup.timestamp-millis")
            if ms is None:
                raise ExecutionError(
                    f"table {self.table}: 'scan.startup.mode' = 'timestamp' needs "
                    "'scan.startup.timestamp-millis'"
                )
            return self.by_time(consumer, tps, int(ms))
        if mode == "specific-offsets":
            given = parse_specific_offsets(
                opts.get("scan.startup.specific-offsets", ""), self.table
            )
            return {split_name(t, p): given.get(p, bounds[split_name(t, p)][0]) for t, p in tps}
        if mode == "group-offsets":
            committed = self.committed(consumer, tps)
            out: dict[str, int] = {}
            for s, (lo, hi) in bounds.items():
                if s in committed:
                    out[s] = committed[s]
                elif self.reset_policy in ("earliest", "smallest", "beginning"):
                    out[s] = lo
                elif self.reset_policy in ("latest", "largest", "end"):
                    out[s] = hi
                else:
                    raise ExecutionError(
                        f"table {self.table}: group {self.group_id!r} has no committed offset for "
                        f"{s} and 'properties.auto.offset.reset' is not set (Flink's default "
                        "'none'); set it to 'earliest' or 'latest', or choose another "
                        "'scan.startup.mode'"
                    )
            return out
        raise ExecutionError(
            f"table {self.table}: unknown 'scan.startup.mode' {mode!r} (earliest-offset, "
            "latest-offset, group-offsets, timestamp, specific-offsets)"
        )

    def ends(self, consumer: Consumer, tps: list[tuple[str, int]], mode: str) -> dict[str, int]:
        opts = self.options
        if mode == "unbounded":
            return {}
        if mode == "latest-offset":
            return {split_name(t, p): self.bounds(consumer, t, p)[1] for t, p in tps}
        if mode == "timestamp":
            return self.by_time(consumer, tps, int(opts.get("scan.bounded.timestamp-millis", "0")))
        if mode == "group-offsets":
            committed = self.committed(consumer, tps)
            return {
                split_name(t, p): committed.get(split_name(t, p), self.bounds(consumer, t, p)[1])
                for t, p in tps
            }
        if mode == "specific-offsets":
            given = parse_specific_offsets(
                opts.get("scan.bounded.specific-offsets", ""), self.table
            )
            return {split_name(t, p): given.get(p, self.bounds(consumer, t, p)[1]) for t, p in tps}
        raise ExecutionError(f"table {self.table}: unknown 'scan.bounded.mode' {mode!r}")
