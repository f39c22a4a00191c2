"""Kafka tables in batch: a bounded snapshot of the topic, as one Arrow table.

The snapshot reads each partition from the table's start (`scan.startup.mode`: earliest-offset,
latest-offset, group-offsets, timestamp, specific-offsets) up to the end offsets seen when the
read starts (or `scan.bounded.mode` when the table sets one). Reading, decoding (json, csv, raw,
debezium-json; key and value layouts; metadata columns) and malformed-record handling are the
streaming connector's (runtime/stream/connectors/kafka_source.py), so a table means the same in
both targets: a bad record fails the run naming topic, partition and offset, or with
`<format>.ignore-parse-errors = true` it is skipped and counted.

Changelog tables come back as their changes, in order: a `"$op"` column (I, UB, UA, D) and a
`"$seq"` column (read order; per partition it is offset order), which the batch runtime folds
(sources.py / changelog.py): debezium-json applies its changes, `upsert-kafka` keeps the latest
value per key and a tombstone deletes the key (it reads from the earliest offset, as Flink's
upsert-kafka does). The group's offsets are never committed.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nrtg.catalog.errors import ExecutionError

if TYPE_CHECKING:
    import pyarrow as pa

    from nrtg.compiler.plan.nodes import TableScan

OP = "$op"
SEQ = "$seq"
_OP_NAMES = ("I", "UB", "UA", "D")  # the stream runtime's int8 row kinds 0..3
STALL_TIMEOUT_S = 60.0  # no record and no end of input for this long: the broker is gone
POLL_RECORDS = 50_000


@dataclass(frozen=True)
class Snapshot:
    table: pa.Table  # the scan's columns (+ "$op", "$seq" for a changelog table)
    records: int  # records read
    skipped: int  # malformed records skipped (ignore-parse-errors)


def read_kafka(scan: TableScan, *, stall_timeout_s: float = STALL_TIMEOUT_S) -> Snapshot:
    """Read the bounded snapshot of a `kafka` / `upsert-kafka` table."""
    import pyarrow as pa

    from nrtg.runtime.stream.api import OP_COLUMN
    from nrtg.runtime.stream.connectors.kafka_source import KafkaSource

    if scan.option("connector") == "upsert-kafka" and scan.option("scan.startup.mode") is None:
        # Flink's upsert-kafka always reads the topic from the start (it has no startup mode).
        options = (*scan.options, ("scan.startup.mode", "earliest-offset"))
        scan = dataclasses.replace(scan, options=tuple(sorted(options)))
    source = KafkaSource(scan, bounded=True, group_id=f"nrtg-batch-{scan.table}")
    batches: list[pa.RecordBatch] = []
    try:
        source.open(None)
        last_progress = time.monotonic()
        while True:
            polled = source.poll(POLL_RECORDS, 0.2)
            if polled.batch is not None:
                batches.append(polled.batch)
            if polled.end_of_input:
                break
            now = time.monotonic()
            if polled.batch is not None:
                last_progress = now
            elif now - last_progress > stall_timeout_s:
                raise ExecutionError(
                    f"table {scan.table}: no progress reading the kafka snapshot for "
                    f"{stall_timeout_s:.0f} s (is the broker reachable?); positions: "
                    + ", ".join(f"{s}={o}" for s, o in sorted(source.next_offset.items()))
                )
        records, skipped = source.records_in, source.records_skipped
    finally:
        source.close()
    names = [f.name for f in scan.fields]
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    if batches:
        table = pa.Table.from_batches(batches)
        for name in names:
            columns[name] = table.column(name)
        ops = table.column(OP_COLUMN) if OP_COLUMN in table.column_names else None
        count = table.num_rows
    else:
        from nrtg.catalog.type_mapping import to_arrow_type

        for f in scan.fields:
            columns[f.name] = pa.array([], type=to_arrow_type(f.type))
        ops = None
        count = 0
    if source.changelog:
        kinds = pa.array(_OP_NAMES, type=pa.string())
        columns[OP] = (
            kinds.take(ops.combine_chunks() if isinstance(ops, pa.ChunkedArray) else ops)
            if ops is not None
            else pa.array(["I"] * count, type=pa.string())
        )
        columns[SEQ] = pa.array(range(1, count + 1), type=pa.int64())
    return Snapshot(pa.table(columns), records, skipped)
