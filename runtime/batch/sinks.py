"""Write a batch query's result to its sink: filesystem (json/csv/parquet), kafka, upsert-kafka,
print, blackhole."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.plan.nodes import Sink

from .functions import java_value

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


def write_sink(
    con: duckdb.DuckDBPyConnection, sink: Sink, result: pa.Table, out: TextIO | None = None
) -> int:
    """Write `result` to `sink`; returns the number of rows written."""
    connector = sink.option("connector", "") or ""
    if connector == "blackhole":
        return result.num_rows
    if connector == "print":
        return _print(sink, result, out or sys.stdout)
    if connector == "filesystem":
        return _filesystem(con, sink, result)
    if connector in ("kafka", "upsert-kafka"):
        return _kafka(sink, result)
    raise UnsupportedError(
        f"sink {sink.table}: connector {connector!r} is not supported by the batch runtime yet"
    )


def _kafka(sink: Sink, result: pa.Table) -> int:
    """The streaming target's Kafka sink writes the batch result, so a table's key, value format
    and delivery guarantee mean the same on both targets; a batch result is insert-only (upsert
    keys get their final value). With `sink.delivery-guarantee = exactly-once` the whole result is
    one Kafka transaction."""
    from nrtg.runtime.stream.connectors.kafka_sink import KafkaSink, KafkaWriter, writer_for

    writers: dict[tuple[str, str, str], KafkaWriter] = {}
    target = KafkaSink(sink, writer_for(sink, writers, None))
    target.open(None)
    try:
        for batch in result.to_batches():
            target.write(batch)
        target.prepare(1, {})
        target.commit(1)
    finally:
        target.close()
    return result.num_rows


def _print(sink: Sink, result: pa.Table, out: TextIO) -> int:
    # Flink's print sink: `[identifier> ]+I[v1, v2]` per row; a batch result is insert-only.
    prefix = sink.option("print-identifier")
    lead = f"{prefix}> " if prefix else ""
    columns = [c.to_pylist() for c in result.columns]
    for i in range(result.num_rows):
        values = ", ".join(java_value(c[i]) for c in columns)
        out.write(f"{lead}+I[{values}]\n")
    return result.num_rows


def _filesystem(con: duckdb.DuckDBPyConnection, sink: Sink, result: pa.Table) -> int:
    path = sink.option("path")
    if not path:
        raise ExecutionError(f"sink {sink.table}: the filesystem connector needs a 'path'")
    fmt = sink.option("format", "") or ""
    copy_format = {"json": "json", "csv": "csv", "parquet": "parquet"}.get(fmt)
    if copy_format is None:
        raise UnsupportedError(f"sink {sink.table}: format {fmt!r} is not supported yet")
    index = 0
    if "://" not in path:
        os.makedirs(path, exist_ok=True)
        parts = [f for _, _, files in os.walk(path) for f in files if f.startswith("part-")]
        if sink.overwrite:
            # INSERT OVERWRITE replaces the table's files (in every partition directory).
            for root, _, files in os.walk(path):
                for f in files:
                    if f.startswith("part-"):
                        os.remove(os.path.join(root, f))
            parts = []
        else:
            # INSERT INTO adds a part file next to the existing ones.
            while any(f.startswith(f"part-{index}.") for f in parts):
                index += 1
    target = f"{path.rstrip('/')}/part-{index}.{fmt}"
    name = "nrtg$sink"
    con.register(name, result)
    options = [f"FORMAT {copy_format}"]
    if sink.partition_keys:
        # Flink's layout: path/k1=v1/k2=v2/part-*, partition columns not repeated in the files.
        target = path.rstrip("/")
        keys = ", ".join(
            '"' + sink.schema.names[i].replace('"', '""') + '"' for i in sink.partition_keys
        )
        options += [
            f"PARTITION_BY ({keys})",
            f"FILENAME_PATTERN 'part-{index}-{{i}}'",
            "OVERWRITE_OR_IGNORE true",
        ]
    if copy_format == "csv":
        options += ["HEADER false", f"DELIMITER '{sink.option('csv.field-delimiter', ',')}'"]
    escaped = target.replace("'", "''")
    try:
        con.execute(f"COPY \"{name}\" TO '{escaped}' ({', '.join(options)})")
    finally:
        con.unregister(name)
    return result.num_rows
