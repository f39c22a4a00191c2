"""The `kafka` and `upsert-kafka` source (runtime/stream/api.py `Source`).

One consumer reads every partition of the table's topics (`topic`, `;`-separated, or the
topics matching `topic-pattern`; unbounded sources also pick up partitions and matching topics
created later: kafka_topics.py), assigned explicitly (no group rebalancing: one process runs
the job). Each topic-partition is a split, named `topic:partition`; rows carry it in `_split`
(dictionary-encoded) so the watermark assigner keeps per-partition watermarks, and the position
is the next offset per split.

Start (`scan.startup.mode`, resolved to concrete offsets at open so the first checkpoint is
exact): `earliest-offset`, `latest-offset`, `group-offsets` (the group's committed offsets; a
partition without one follows `properties.auto.offset.reset`, and fails without it, as Flink's
default `none` does), `timestamp` (`scan.startup.timestamp-millis`: the first offset at or after
it), `specific-offsets` (`partition:0,offset:42;partition:1,offset:300`; unlisted partitions
start at the earliest offset). A restored checkpoint's position overrides the startup mode.

Bounded reading (`scan.bounded.mode`: `latest-offset` = the end offsets seen at open,
`group-offsets`, `timestamp`, `specific-offsets`; or `bounded=True` from the caller): a
partition is finished when its position reaches its end offset or the consumer reports the end
of the partition at or past it (transaction markers occupy offsets that carry no message).

Only the value fields the job reads are decoded (projection.py); the others are NULL.

Metadata columns: `key` (BYTES), `timestamp` (TIMESTAMP_LTZ(3)), `timestamp-type`, `partition`,
`offset`, `topic`, `headers` (MAP<STRING, BYTES>), `leader-epoch`. The consumer reads with
`isolation.level = read_committed` unless `properties.isolation.level` says otherwise, so the
output of an exactly-once upstream job is read exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    TopicPartition,
)

from nrtg.catalog.errors import ExecutionError
from nrtg.catalog.type_mapping import to_arrow_type
from nrtg.compiler.plan import nodes as n

from ..api import OP_COLUMN, Polled, SourcePosition
from ..chunks import contiguous
from ..formats import Decoded, format_options, make_decoder
from .kafka_offsets import (
    OffsetResolver,
    parse_split,
    split_name,
)
from .kafka_topics import Topics
from .options import Layout, bootstrap, client_properties, layout
from .projection import Demand, pruned_type, widened

SPLIT_COLUMN = "_split"
# an empty poll waits for records in slices this long: a record arriving is taken within one
WAIT_SLICE_S = 0.005
METADATA_KEYS = (
    "key",
    "timestamp",
    "timestamp-type",
    "partition",
    "offset",
    "topic",
    "headers",
    "leader-epoch",
)
_TIMESTAMP_TYPES = {0: "NoTimestampType", 1: "CreateTime", 2: "LogAppendTime"}


class KafkaSource:
    def __init__(
        self,
        scan: n.TableScan,
        *,
        group_id: str | None = None,
        bounded: bool | None = None,
        read: Demand | None = None,
    ) -> None:
        self.scan = scan
        self.table = str(scan.table)
        self.options = dict(scan.options)
        opts = self.options
        self.upsert = opts.get("connector") == "upsert-kafka"
        self.topics = Topics(opts, self.table)
        names = [f.name for f in scan.fields]
        meta = scan.metadata_keys or tuple(None for _ in names)
        self.metadata = [(i, key) for i, key in enumerate(meta) if key is not None]
        for _, key in self.metadata:
            if key not in METADATA_KEYS:
                raise ExecutionError(
                    f"table {self.table}: unknown kafka metadata key {key!r} "
                    f"(known: {', '.join(METADATA_KEYS)})"
                )
        physical = [names[i] for i, key in enumerate(meta) if key is None]
        pk = [names[i] for i in scan.primary_key] if scan.primary_key else None
        self.layout: Layout = layout(opts, physical, pk, self.upsert, self.table)
        self.types = {f.name: to_arrow_type(f.type) for f in scan.fields}
        self.out_schema = pa.schema([pa.field(f.name, self.types[f.name]) for f in scan.fields])
        vfmt = self.layout.value_format
        # The value fields the job reads (projection.py), in the types that read them; only
        # JSON can skip fields (CSV is positional), and upsert rows are keyed by every field.
        self.value_read = {f: self.types[f] for f in self.layout.value_fields}
        if read is not None and vfmt == "json" and not self.upsert:
            index = {name: i for i, name in enumerate(names)}
            self.value_read = {
                f: pruned_type(t, read[index[f]])
                for f, t in self.value_read.items()
                if index[f] in read
            }
        value_schema = pa.schema([pa.field(f, t) for f, t in self.value_read.items()])
        prefix = "value." if "value.format" in opts else ""
        self.value_decoder = make_decoder(
            vfmt, value_schema, format_options(opts, prefix, vfmt), self.table
        )
        self.key_decoder = None
        if self.layout.key_format:
            key_schema = pa.schema(
                [
                    pa.field(name, self.types[f])
                    for name, f in zip(self.layout.key_names(), self.layout.key_fields, strict=True)
                ]
            )
            kfmt = self.layout.key_format
            self.key_decoder = make_decoder(
                kfmt, key_schema, format_options(opts, "key.", kfmt), self.table
            )
        self.changelog = vfmt == "debezium-json" or self.upsert
        self.group_id = opts.get("properties.group.id") or group_id or f"nrtg-{self.table}"
        mode = opts.get("scan.bounded.mode", "unbounded")
        self.bounded_mode = "latest-offset" if bounded and mode == "unbounded" else mode
        self.is_bounded = self.bounded_mode != "unbounded"
        self.consumer: Consumer | None = None
        self.splits: list[str] = []
        self.next_offset: dict[str, int] = {}
        self.end_offset: dict[str, int] = {}
        self.done: set[str] = set()
        self.records_in = 0
        self.records_skipped = 0
        self.consumer_errors = 0
        # called with each poll's messages (benchmarks read their Kafka timestamps)
        self.observer: Callable[[list[Message]], None] | None = None

    # -- setup ----------------------------------------------------------------------------
    def _config(self) -> dict[str, Any]:
        conf: dict[str, Any] = {
            "bootstrap.servers": bootstrap(self.options, self.table),
            "group.id": self.group_id,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "enable.partition.eof": True,
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
            "fetch.min.bytes": 1,
            "fetch.wait.max.ms": 50,
            "queued.min.messages": 200_000,
            "client.id": f"nrtg-source-{self.table}",
        }
        props = client_properties(self.options)
        self.reset_policy = props.pop("auto.offset.reset", None)
        conf.update(props)
        conf["enable.auto.commit"] = False
        return conf

    def _resolver(self) -> OffsetResolver:
        return OffsetResolver(
            self.table, self.options, self.group_id, self.reset_policy, self.upsert
        )

    def open(self, position: SourcePosition | None) -> None:
        consumer = Consumer(self._config())
        self.consumer = consumer
        tps = self.topics.partitions(consumer, at_open=True)
        self.splits = [split_name(t, p) for t, p in tps]
        start = self._resolver().startup(consumer, tps) if position is None else {}
        if position is not None:
            for s in self.splits:
                if s in position.offsets:
                    start[s] = int(position.offsets[s])
                else:  # a partition added since the checkpoint
                    start[s] = self._resolver().bounds(consumer, *parse_split(s))[0]
        self.next_offset = dict(start)
        self.end_offset = self._resolver().ends(consumer, tps, self.bounded_mode)
        self.done = {s for s, end in self.end_offset.items() if self.next_offset[s] >= end}
        self._index_splits()
        consumer.assign([TopicPartition(t, p, start[split_name(t, p)]) for t, p in tps])
        self.last_poll = time.monotonic()
        every = self.topics.discovery_ms
        self.discover_every = every / 1000 if every > 0 and not self.is_bounded else None
        self.next_discovery = self.last_poll + (self.discover_every or 0)
        self.announced = False

    def _index_splits(self) -> None:
        """The per-split lookups of `poll` (after open and after discovery)."""
        self.split_index = {s: i for i, s in enumerate(self.splits)}
        self.split_array = pa.array(self.splits, type=pa.string())
        self.end_list = [self.end_offset.get(s, 2**63 - 1) for s in self.splits]
        # one topic: partition number -> split index (most often the identity)
        tps = [parse_split(s) for s in self.splits]
        self.single_topic = np.zeros(0, dtype=np.int32)
        if len({t for t, _ in tps}) == 1:
            self.single_topic = np.zeros(max(p for _, p in tps) + 1, dtype=np.int32)
            for i, (_, p) in enumerate(tps):
                self.single_topic[p] = i
        self.partition_is_split = bool(
            len(self.single_topic) == len(tps)
            and (self.single_topic == np.arange(len(tps), dtype=np.int32)).all()
        )

    def _discover(self) -> None:
        """Read the partitions (and, with a pattern, topics) created since open, from their
        earliest offset (kafka_topics.py)."""
        assert self.consumer is not None
        new = [
            (t, p)
            for t, p in self.topics.partitions(self.consumer, at_open=False)
            if split_name(t, p) not in self.split_index
        ]
        if not new:
            return
        resolver = self._resolver()
        start = {split_name(t, p): resolver.bounds(self.consumer, t, p)[0] for t, p in new}
        self.splits += list(start)
        self.next_offset.update(start)
        self._index_splits()
        self.consumer.incremental_assign(
            [TopicPartition(t, p, start[split_name(t, p)]) for t, p in new]
        )

    # -- reading --------------------------------------------------------------------------
    def _locate(self, msgs: Sequence[Message]) -> Any:
        def locate(i: int) -> str:
            m = msgs[i]
            return f"topic {m.topic()}, partition {m.partition()}, offset {m.offset()}"

        return locate

    def poll(self, max_records: int, timeout_s: float) -> Polled:
        consumer = self.consumer
        assert consumer is not None, "open() first"
        if self.is_bounded and len(self.done) == len(self.splits):
            return Polled(None, (), True)
        if not self.announced:
            # the first poll only names the splits, so that the watermark assigner counts
            # every partition (an empty one holds the watermark back) before any row arrives
            self.announced = True
            active = tuple(sp for sp in self.splits if sp not in self.done)
            return Polled(None, active, self.is_bounded and not active)
        if self.discover_every is not None and time.monotonic() >= self.next_discovery:
            self._discover()
            self.next_discovery = time.monotonic() + self.discover_every
        # What is already waiting goes on at once: one blocking consume would hold a partial
        # batch for the whole timeout, which was the latency floor below ~330 K records/s.
        # Only an empty queue is waited on, in short slices, up to the timeout (the executor's
        # idle beat: idle-timeout and bounded-end detection see the same empty polls as before).
        msgs = consumer.consume(num_messages=max_records, timeout=0)
        deadline = time.monotonic() + timeout_s
        while not msgs and (left := deadline - time.monotonic()) > 0:
            msgs = consumer.consume(num_messages=max_records, timeout=min(left, WAIT_SLICE_S))
        # Per-message work is C-level map() over unbound Message methods (a poll holds tens of
        # thousands; a list comprehension's bytecode per message cost ~0.9 us of q0's ~4 us).
        # end-of-partition events and errors, rare (a KafkaError is always true)
        if any(map(Message.error, msgs)):
            errors = list(map(Message.error, msgs))
            for m, err in zip(msgs, errors, strict=True):
                if err is not None:
                    self._consumer_event(m, err)
            msgs = [m for m, err in zip(msgs, errors, strict=True) if err is None]
        parts = self._split_indexes(msgs)
        # librdkafka hands over a partition's messages in offset order, in runs: only the last
        # message of a run needs its offset read
        last: dict[int, int] = {}
        if len(msgs):
            run_ends = np.append(np.flatnonzero(parts[1:] != parts[:-1]), len(msgs) - 1)
            for i in run_ends.tolist():
                last[int(parts[i])] = msgs[i].offset()
        bounded = self.is_bounded
        ends = self.end_list
        if bounded and any(off >= ends[idx] for idx, off in last.items()):
            for idx, off in last.items():
                if off >= ends[idx]:
                    self.done.add(self.splits[idx])
            offsets = list(map(Message.offset, msgs))
            keep = [i for i, off in enumerate(offsets) if off < ends[parts[i]]]
            msgs = [msgs[i] for i in keep]
            parts = parts[keep]
            last = dict(zip(parts.tolist(), [offsets[i] for i in keep], strict=True))
        for idx, off in last.items():
            self.next_offset[self.splits[idx]] = off + 1
        if bounded:
            for s, end in self.end_offset.items():
                if self.next_offset[s] >= end:
                    self.done.add(s)
        active = tuple(s for s in self.splits if s not in self.done)
        end_of_input = bounded and not active
        self.last_poll = time.monotonic()
        if not msgs:
            return Polled(None, active, end_of_input)
        self.records_in += len(msgs)
        if self.observer is not None:
            self.observer(msgs)
        batch = self._batch(msgs, list(map(Message.value, msgs)), parts)
        return Polled(batch if batch.num_rows else None, active, end_of_input)

    def _split_indexes(self, msgs: list[Message]) -> np.ndarray:
        """The split index of every message (int32)."""
        single = self.single_topic
        if not len(single):
            index_of = self.split_index
            return np.array(
                [index_of[f"{m.topic()}:{m.partition()}"] for m in msgs], dtype=np.int32
            )
        partitions = np.fromiter(map(Message.partition, msgs), dtype=np.int32, count=len(msgs))
        return partitions if self.partition_is_split else single[partitions]

    def _consumer_event(self, m: Message, err: KafkaError) -> None:
        if err.code() == KafkaError._PARTITION_EOF:
            s = split_name(m.topic(), m.partition())
            end = self.end_offset.get(s)
            if end is not None and m.offset() >= end:
                self.done.add(s)
                self.next_offset[s] = max(self.next_offset[s], end)
            return
        # librdkafka recovers from transient errors (a broker restart) by itself
        self.consumer_errors += 1
        if err.fatal():
            raise ExecutionError(f"table {self.table}: kafka consumer error: {err.str()}")

    def _batch(
        self, msgs: list[Message], values: list[bytes | None], parts: np.ndarray
    ) -> pa.RecordBatch:
        locate = self._locate(msgs)
        if self.upsert:
            decoded = self._decode_upsert(msgs, values, locate)
        else:
            decoded = self.value_decoder.decode(values, locate)
        self.records_skipped += decoded.skipped
        rows = decoded.source  # message index per row (None: identity)
        columns: dict[str, pa.Array] = {
            name: contiguous(decoded.table.column(name)) for name in decoded.table.column_names
        }
        if not self.upsert:
            for f in self.layout.value_fields:
                full = self.types[f]
                if f not in self.value_read:
                    columns[f] = pa.nulls(decoded.table.num_rows, full)
                elif self.value_read[f] != full:
                    columns[f] = widened(columns[f], full)
        if self.key_decoder is not None and not self.upsert:
            keys = [msgs[i].key() for i in (rows if rows is not None else range(len(msgs)))]
            key_table = self.key_decoder.decode(keys, locate).table
            for name, field in zip(self.layout.key_names(), self.layout.key_fields, strict=True):
                columns[field] = contiguous(key_table.column(name))
        if self.metadata:
            chosen = [msgs[i] for i in rows] if rows is not None else msgs
            for i, key in self.metadata:
                name = self.out_schema.field(i).name
                columns[name] = self._metadata_column(chosen, key, self.out_schema.field(i).type)
        arrays = [columns[f.name] for f in self.out_schema]
        names = list(self.out_schema.names)
        index = pa.array(parts if rows is None else parts[rows], type=pa.int32())
        if self.changelog:
            ops = decoded.ops if decoded.ops is not None else pa.array([0] * len(index), pa.int8())
            arrays.append(ops)
            names.append(OP_COLUMN)
        # dictionary-encoded: the watermark assigner groups by the codes
        arrays.append(pa.DictionaryArray.from_arrays(index, self.split_array))
        names.append(SPLIT_COLUMN)
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def _decode_upsert(
        self, msgs: list[Message], values: list[bytes | None], locate: Any
    ) -> Decoded:
        """upsert-kafka: a value is +U of its key's row, a tombstone (null value) is -D."""
        assert self.key_decoder is not None
        keys = self.key_decoder.decode([m.key() for m in msgs], locate)
        if keys.source is not None:
            missing = sorted(set(range(len(msgs))) - set(keys.source))
            raise ExecutionError(
                f"table {self.table}: upsert-kafka record without a key at {locate(missing[0])}"
            )
        present = [i for i, v in enumerate(values) if v is not None]
        decoded = self.value_decoder.decode(
            [values[i] for i in present], lambda j: locate(present[j])
        )
        value_rows = decoded.source if decoded.source is not None else list(range(len(present)))
        position: dict[int, int] = {present[j]: r for r, j in enumerate(value_rows)}
        take_value = pa.array([position.get(i) for i in range(len(msgs))], type=pa.int64())
        columns = []
        key_of = dict(zip(self.layout.key_fields, self.layout.key_names(), strict=True))
        for f in self.layout.value_fields if self.layout.value_fields else ():
            columns.append((f, contiguous(decoded.table.column(f)).take(take_value)))
        table_columns = dict(columns)
        for field, name in key_of.items():
            table_columns[field] = contiguous(keys.table.column(name))
        names = [f.name for f in self.out_schema if f.name in table_columns]
        ops = pa.array([2 if i in position else 3 for i in range(len(msgs))], type=pa.int8())
        skipped_rows = [i for i in present if i not in position]
        keep = [i for i in range(len(msgs)) if i not in set(skipped_rows)]
        table = pa.table({k: table_columns[k] for k in names})
        if skipped_rows:
            table = table.take(pa.array(keep))
            ops = ops.take(pa.array(keep))
            return Decoded(table, keep, ops, decoded.skipped)
        return Decoded(table, None, ops, decoded.skipped)

    def _metadata_column(self, msgs: Sequence[Message], key: str, typ: pa.DataType) -> pa.Array:
        if key == "key":
            return pa.array([m.key() for m in msgs], type=pa.binary()).cast(typ)
        if key == "timestamp":
            stamps = [m.timestamp() for m in msgs]
            ms = pa.array([t[1] if t[0] else None for t in stamps], type=pa.int64())
            return ms.cast(pa.timestamp("ms", tz="UTC")).cast(typ)
        if key == "timestamp-type":
            return pa.array([_TIMESTAMP_TYPES[m.timestamp()[0]] for m in msgs], type=typ)
        if key == "partition":
            return pa.array([m.partition() for m in msgs], type=pa.int32()).cast(typ)
        if key == "offset":
            return pa.array([m.offset() for m in msgs], type=pa.int64()).cast(typ)
        if key == "topic":
            return pa.array([m.topic() for m in msgs], type=pa.string()).cast(typ)
        if key == "leader-epoch":
            return pa.array([m.leader_epoch() for m in msgs], type=pa.int32()).cast(typ)
        # headers: MAP<STRING, BYTES>
        headers = [dict(m.headers() or []) for m in msgs]
        return pa.array(
            [list(h.items()) for h in headers], type=pa.map_(pa.string(), pa.binary())
        ).cast(typ)

    # -- positions ------------------------------------------------------------------------
    def position(self) -> SourcePosition:
        return SourcePosition(dict(self.next_offset))

    def lag(self) -> dict[str, int]:
        """Per split: the broker's high watermark (as last fetched) minus the position."""
        out: dict[str, int] = {}
        if self.consumer is None:
            return out
        for s in self.splits:
            t, p = parse_split(s)
            try:
                _, high = self.consumer.get_watermark_offsets(TopicPartition(t, p), cached=True)
            except KafkaException:
                continue
            if high is not None and high >= 0:
                out[s] = max(0, int(high) - self.next_offset.get(s, 0))
        return out

    def metrics(self) -> Mapping[str, int | float]:
        return {
            "records_in": self.records_in,
            "records_skipped": self.records_skipped,
            "lag": sum(self.lag().values()),
        }

    def kafka_offsets(self, position: SourcePosition, metadata: str = "") -> list[TopicPartition]:
        """A position as the offsets to commit for this source's group."""
        return [
            TopicPartition(*parse_split(s), int(o), metadata=metadata)
            for s, o in sorted(position.offsets.items())
        ]

    def group_metadata(self) -> Any:
        assert self.consumer is not None
        return self.consumer.consumer_group_metadata()

    def commit(self, position: SourcePosition, metadata: str) -> None:
        """Commit a position to the group outside a transaction (at-least-once sinks)."""
        if self.consumer is None:
            return
        tps = self.kafka_offsets(position, metadata)
        self.consumer.commit(offsets=tps, asynchronous=False)

    def close(self) -> None:
        if self.consumer is not None:
            self.consumer.close()
            self.consumer = None
