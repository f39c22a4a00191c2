"""The `kafka` (append) and `upsert-kafka` sinks (runtime/stream/api.py `Sink`).

`kafka` writes one message per row (key from `key.fields` when given); an updating input is
refused unless the format is a changelog format (debezium-json). `upsert-kafka` keys each
message by the primary key: +I/+U write the row, -D writes a tombstone (null value), -U is
dropped (the +U that follows replaces the row), as Flink's upsert-kafka sink does.

Delivery (`sink.delivery-guarantee`):
  * `exactly-once`: the sinks of a job that write to the same cluster share one transactional
    producer (`KafkaWriter`, `transactional.id` = `sink.transactional-id-prefix` or
    `nrtg-<table>`, stable across restarts so a restarted job fences its predecessor and aborts
    its open transaction). At checkpoint N, `prepare` flushes and adds to the transaction the
    sources' offsets (with metadata `nrtg-checkpoint=N`) plus a marker offset N of the writer's
    marker group; after the checkpoint is durable, `commit` commits the transaction and begins
    the next. read_committed consumers see each checkpoint's rows once; job.py restores the
    checkpoint the marker names (see there).
  * `at-least-once` (Flink's default): `prepare` waits until every message is acknowledged; a
    restart replays from the last checkpoint, so rows after it may be written twice.
  * `none`: fire and forget.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

from nrtg.catalog.errors import ExecutionError
from nrtg.catalog.type_mapping import to_arrow_type
from nrtg.compiler.plan import nodes as n

from ..api import OP_COLUMN, SourcePosition
from ..formats import Encoder, format_options, make_encoder
from .options import Recoverable, bootstrap, client_properties, layout

GUARANTEES = ("exactly-once", "at-least-once", "none")
MARKER_METADATA = "nrtg-checkpoint="
TIMEOUT_S = 60.0
# Transactional calls that need a coordinator can block past their timeout when the broker
# restarts (confluentinc/librdkafka#5456); they run under this watchdog instead.
CALL_TIMEOUT_S = 20.0

# (consumer group metadata, offsets) to add to a transaction for checkpoint N
OffsetsProvider = Callable[
    [int, Mapping[str, SourcePosition]], list[tuple[Any, list[TopicPartition]]]
]


class TransactionAborted(Recoverable):
    """The open transaction can no longer commit (e.g. the broker restarted and lost it): the
    job must restart from its last committed checkpoint."""


def guarantee_of(options: Mapping[str, str], table: str) -> str:
    value = options.get("sink.delivery-guarantee", "at-least-once").lower()
    if value not in GUARANTEES:
        raise ExecutionError(
            f"table {table}: 'sink.delivery-guarantee' is one of {', '.join(GUARANTEES)}"
        )
    return value


class KafkaWriter:
    """One producer (transactional for exactly-once) shared by the Kafka sinks of a job that
    write to one cluster with one guarantee."""

    def __init__(
        self,
        servers: str,
        properties: Mapping[str, str],
        guarantee: str,
        transactional_id: str,
        offsets: OffsetsProvider | None = None,
    ) -> None:
        self.servers = servers
        self.properties = dict(properties)
        self.guarantee = guarantee
        self.transactional_id = transactional_id
        self.offsets = offsets
        self.producer: Producer | None = None
        self.errors: list[str] = []
        self.prepared = -1
        self.committed = -1
        self.records_out = 0
        self.marker_topic: str | None = None
        self._marker_md: Any = None

    @property
    def transactional(self) -> bool:
        return self.guarantee == "exactly-once"

    @property
    def marker_group(self) -> str:
        return f"{self.transactional_id}-marker"

    def _guarded(self, what: str, call: Callable[[], Any]) -> Any:
        """Run a blocking transactional call in a helper thread; if it has not returned after
        CALL_TIMEOUT_S the producer is abandoned (the restarted job's producer, with the same
        transactional.id, fences it) and the job restarts from its last checkpoint."""
        outcome: dict[str, Any] = {}

        def target() -> None:
            try:
                outcome["value"] = call()
            except BaseException as e:  # handed to the caller's thread
                outcome["error"] = e

        thread = threading.Thread(target=target, name=f"nrtg-kafka-{what}", daemon=True)
        thread.start()
        thread.join(CALL_TIMEOUT_S)
        if thread.is_alive():
            self.producer = None
            raise TransactionAborted(
                f"kafka {what} did not return within {CALL_TIMEOUT_S:.0f} s "
                "(a librdkafka coordinator hang); restarting from the last checkpoint"
            )
        if "error" in outcome:
            error = outcome["error"]
            if isinstance(error, KafkaException):
                raise TransactionAborted(f"kafka {what} failed: {error}") from error
            raise error
        return outcome.get("value")

    def _delivered(self, err: KafkaError | None, msg: Any) -> None:
        if err is not None:
            self.errors.append(f"{err.str()} (topic {msg.topic()})")

    def open(self) -> None:
        if self.producer is not None:
            return
        conf: dict[str, Any] = {
            "bootstrap.servers": self.servers,
            "linger.ms": 20,
            "batch.num.messages": 10_000,
            "queue.buffering.max.messages": 1_000_000,
            "queue.buffering.max.kbytes": 1_048_576,
            "partitioner": "murmur2_random",  # the Java client's default partitioner
            "delivery.report.only.error": True,
            "on_delivery": self._delivered,
            "client.id": f"nrtg-sink-{self.transactional_id}",
        }
        if self.guarantee != "none":
            conf["enable.idempotence"] = True
        if self.transactional:
            conf["transactional.id"] = self.transactional_id
            conf["transaction.timeout.ms"] = 120_000
        conf.update(self.properties)
        self.producer = Producer(conf)
        if self.transactional:
            producer = self.producer
            # fences an earlier incarnation and aborts its open transaction
            self._guarded("init_transactions", lambda: producer.init_transactions(TIMEOUT_S))
            producer.begin_transaction()

    def produce(self, topic: str, keys: Sequence[Any] | None, values: Sequence[Any]) -> None:
        producer = self.producer
        assert producer is not None, "open() first"
        # A produce() call a message is the floor: Producer.produce_batch (confluent-kafka 2.16)
        # works in a transaction and partitions keys alike, but wants a dict a message and
        # measured no cheaper; either way ~1 us a message goes to librdkafka's enqueueing.
        produce = producer.produce
        if keys is None:
            for v in values:
                try:
                    produce(topic, v)
                except BufferError:
                    producer.poll(0.05)
                    produce(topic, v)
        else:
            for k, v in zip(keys, values, strict=True):
                try:
                    produce(topic, v, k)
                except BufferError:
                    producer.poll(0.05)
                    produce(topic, v, k)
        self.records_out += len(values)
        producer.poll(0)
        self._check()

    def _check(self) -> None:
        if self.errors:
            first = self.errors[0]
            self.errors.clear()
            if self.transactional:
                raise TransactionAborted(f"kafka sink delivery failed: {first}")
            raise ExecutionError(f"kafka sink delivery failed: {first}")

    def _marker(self, checkpoint_id: int) -> tuple[Any, list[TopicPartition]] | None:
        if self.marker_topic is None:
            return None
        if self._marker_md is None:
            consumer = Consumer({"bootstrap.servers": self.servers, "group.id": self.marker_group})
            self._marker_md = consumer.consumer_group_metadata()
            consumer.close()
        tp = TopicPartition(
            self.marker_topic, 0, checkpoint_id, metadata=f"{MARKER_METADATA}{checkpoint_id}"
        )
        return self._marker_md, [tp]

    def prepare(self, checkpoint_id: int, positions: Mapping[str, SourcePosition]) -> None:
        if self.prepared >= checkpoint_id or self.producer is None:
            return
        self.prepared = checkpoint_id
        if self.guarantee == "none":
            self.producer.poll(0)
            return
        try:
            left = self.producer.flush(TIMEOUT_S)
        except KafkaException as e:
            raise TransactionAborted(f"kafka sink flush failed: {e}") from e
        if left:
            raise TransactionAborted(f"kafka sink: {left} messages not delivered in {TIMEOUT_S} s")
        self._check()
        if not self.transactional:
            return
        groups = list(self.offsets(checkpoint_id, positions)) if self.offsets else []
        marker = self._marker(checkpoint_id)
        if marker is not None:
            groups.append(marker)
        producer = self.producer
        for group_md, tps in groups:
            if tps:
                self._guarded(
                    "send_offsets_to_transaction",
                    lambda tps=tps, md=group_md: producer.send_offsets_to_transaction(
                        tps, md, CALL_TIMEOUT_S
                    ),
                )

    def commit(self, checkpoint_id: int) -> None:
        if self.committed >= checkpoint_id or self.producer is None:
            return
        self.committed = checkpoint_id
        if not self.transactional:
            return
        producer = self.producer
        self._guarded("commit_transaction", lambda: producer.commit_transaction(CALL_TIMEOUT_S))
        try:
            producer.begin_transaction()
        except KafkaException as e:
            raise TransactionAborted(f"kafka begin_transaction failed: {e}") from e

    def close(self) -> None:
        producer = self.producer
        self.producer = None
        if producer is None:
            return
        if self.transactional:
            # whatever was written after the last checkpoint is not part of the output
            self.producer = producer
            with contextlib.suppress(KafkaException, TransactionAborted):
                self._guarded("abort_transaction", lambda: producer.abort_transaction(10.0))
            self.producer = None
        else:
            producer.flush(TIMEOUT_S)


def committed_marker(servers: str, transactional_id: str, topic: str) -> int | None:
    """The checkpoint id whose transaction committed last for this writer, or None."""
    consumer = Consumer({"bootstrap.servers": servers, "group.id": f"{transactional_id}-marker"})
    try:
        got = consumer.committed([TopicPartition(topic, 0)], timeout=TIMEOUT_S)
    finally:
        consumer.close()
    for tp in got:
        if tp.offset >= 0 and (tp.metadata or "").startswith(MARKER_METADATA):
            return int(tp.metadata[len(MARKER_METADATA) :])
    return None


class KafkaSink:
    def __init__(self, sink: n.Sink, writer: KafkaWriter) -> None:
        self.node = sink
        self.table = str(sink.table)
        opts = dict(sink.options)
        self.writer = writer
        self.upsert = opts.get("connector") == "upsert-kafka"
        topics = [t.strip() for t in opts.get("topic", "").split(";") if t.strip()]
        if len(topics) != 1:
            raise ExecutionError(f"table {self.table}: the kafka sink needs exactly one 'topic'")
        self.topic = topics[0]
        names = [f.name for f in sink.fields]
        pk = [names[i] for i in sink.primary_key] if sink.primary_key else None
        self.layout = layout(opts, names, pk, self.upsert, self.table)
        types = {f.name: to_arrow_type(f.type) for f in sink.fields}
        self.index = {name: i for i, name in enumerate(names)}
        vfmt = self.layout.value_format
        prefix = "value." if "value.format" in opts else ""
        value_schema = pa.schema([pa.field(f, types[f]) for f in self.layout.value_fields])
        self.value_encoder: Encoder = make_encoder(
            vfmt, value_schema, format_options(opts, prefix, vfmt), self.table
        )
        self.changelog_format = vfmt == "debezium-json"
        self.key_encoder: Encoder | None = None
        if self.layout.key_format:
            key_schema = pa.schema(
                [
                    pa.field(k, types[f])
                    for k, f in zip(self.layout.key_names(), self.layout.key_fields, strict=True)
                ]
            )
            kfmt = self.layout.key_format
            self.key_encoder = make_encoder(
                kfmt, key_schema, format_options(opts, "key.", kfmt), self.table
            )
        self.records_in = 0
        self.tombstones = 0
        if writer.marker_topic is None:
            writer.marker_topic = self.topic

    def open(self, restored_checkpoint: int | None) -> None:
        self.writer.open()

    def _columns(self, batch: pa.RecordBatch, fields: Sequence[str]) -> pa.RecordBatch:
        return pa.RecordBatch.from_arrays(
            [batch.column(self.index[f]) for f in fields], names=list(fields)
        )

    def write(self, batch: pa.RecordBatch) -> None:
        self.records_in += batch.num_rows
        op_index = batch.schema.get_field_index(OP_COLUMN)
        ops = batch.column(op_index) if op_index >= 0 else None
        if ops is not None and not self.changelog_format:
            if self.upsert:
                keep = pc.not_equal(ops, 1)  # -U is replaced by the +U that follows
                batch = batch.filter(keep)
                ops = batch.column(op_index)
            elif pc.any(pc.not_equal(ops, 0)).as_py():
                raise ExecutionError(
                    f"table {self.table}: the kafka sink is append-only and received update "
                    "changes; use the upsert-kafka connector or a changelog format"
                )
        if not batch.num_rows:
            return
        values_batch = self._columns(batch, self.layout.value_fields)
        if self.changelog_format and ops is not None:
            values_batch = values_batch.append_column(OP_COLUMN, ops)
        values = self.value_encoder.encode(values_batch)
        if self.upsert and ops is not None:
            deletes = pc.equal(ops, 3)
            if pc.any(deletes).as_py():
                flags = deletes.to_pylist()
                values = [None if d else v for v, d in zip(values, flags, strict=True)]
                self.tombstones += sum(flags)
        keys = None
        if self.key_encoder is not None:
            keys = self.key_encoder.encode(self._columns(batch, self.layout.key_fields))
        self.writer.produce(self.topic, keys, values)

    def prepare(self, checkpoint_id: int, positions: Mapping[str, SourcePosition]) -> None:
        self.writer.prepare(checkpoint_id, positions)

    def commit(self, checkpoint_id: int) -> None:
        self.writer.commit(checkpoint_id)

    def close(self) -> None:
        self.writer.close()

    def metrics(self) -> Mapping[str, int | float]:
        return {"records_in": self.records_in, "tombstones": self.tombstones}


def writer_for(
    sink: n.Sink,
    writers: dict[tuple[str, str, str], KafkaWriter],
    offsets: OffsetsProvider | None,
) -> KafkaWriter:
    """The job's shared writer for this sink's cluster and guarantee (created on first use)."""
    opts = dict(sink.options)
    table = str(sink.table)
    servers = bootstrap(opts, table)
    guarantee = guarantee_of(opts, table)
    prefix = opts.get("sink.transactional-id-prefix") or f"nrtg-{table}"
    key = (servers, guarantee, prefix if guarantee == "exactly-once" else "")
    writer = writers.get(key)
    if writer is None:
        writer = KafkaWriter(servers, client_properties(opts), guarantee, prefix, offsets)
        writers[key] = writer
    return writer
