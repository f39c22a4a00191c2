"""Write a batch query's result to its sink: filesystem (json/csv/parquet), kafka, upsert-kafka,
print, blackhole."""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.plan.nodes import Sink

from . import remote
from .formats import lit, q
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
    if fmt not in ("json", "csv", "parquet"):
        raise UnsupportedError(f"sink {sink.table}: format {fmt!r} is not supported yet")
    if remote.is_remote(path):
        _remote(con, sink, result, path)
        return result.num_rows
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
        index = _free_index(parts)
    _copy(con, sink, result, path, index)
    return result.num_rows


def _free_index(parts: list[str]) -> int:
    """The first n that no part file's name uses, as `part-n.<ext>` (an unpartitioned write)
    or `part-n-<i>.<ext>` (a partitioned one), so that INSERT INTO adds a part file next to
    the existing ones and never replaces one."""
    index = 0
    while any(f.startswith((f"part-{index}.", f"part-{index}-")) for f in parts):
        index += 1
    return index


def _remote(con: duckdb.DuckDBPyConnection, sink: Sink, result: pa.Table, path: str) -> None:
    """A filesystem sink on S3 writes its files into a local staging directory, as for a local
    path, then uploads them (remote.upload: each object appears whole or not at all). When an
    upload fails the objects already made are deleted, so an INSERT adds all of its files or
    none; readers listing the table during the upload may see some of them. INSERT OVERWRITE
    uploads under names the table does not use yet and then deletes the old part files: a
    reader sees the old files, or old and new during the switch, never none, and a failed
    write leaves the old ones."""
    table = str(sink.table)
    old = [f for f in remote.objects(path, table) if posixpath.basename(f).startswith("part-")]
    with tempfile.TemporaryDirectory(prefix="nrtg-sink-") as staging:
        _copy(con, sink, result, staging, _free_index([posixpath.basename(f) for f in old]))
        new = [p.relative_to(staging).as_posix() for p in Path(staging).rglob("*") if p.is_file()]
        if new:  # a partitioned write of no rows makes no file
            try:
                remote.upload(staging, path, table)
            except ExecutionError:
                # with the store unreachable the clean-up fails too; the upload's error says why
                with contextlib.suppress(ExecutionError):
                    remote.delete(path, new, table)
                raise
    if sink.overwrite:
        remote.delete(path, old, table)


def _copy(
    con: duckdb.DuckDBPyConnection, sink: Sink, result: pa.Table, path: str, index: int
) -> None:
    """DuckDB's COPY writes `result` into the directory `path` as part file number `index`:
    `part-<index>.<format>`, or Flink's `k1=v1/k2=v2/part-<index>-<i>.<format>` layout for a
    partitioned sink (the partition columns not repeated in the files)."""
    fmt = sink.option("format", "") or ""
    target = f"{path.rstrip('/')}/part-{index}.{fmt}"
    name = "nrtg$sink"
    options = [f"FORMAT {fmt}"]
    if sink.partition_keys:
        target = path.rstrip("/")
        keys = ", ".join(q(sink.schema.names[i]) for i in sink.partition_keys)
        options += [
            f"PARTITION_BY ({keys})",
            f"FILENAME_PATTERN 'part-{index}-{{i}}'",
            "OVERWRITE_OR_IGNORE true",
        ]
    if fmt == "csv":
        options += ["HEADER false", f"DELIMITER '{sink.option('csv.field-delimiter', ',')}'"]
    source = f'"{name}"'
    if fmt == "json":
        lines = _json_lines(sink, result)
        if lines is not None:
            result, line = lines
            keys = "".join(", " + q(sink.schema.names[i]) for i in sink.partition_keys)
            source = f'(SELECT {line} AS line{keys} FROM "{name}")'
            # the lines are written as they are: one column, nothing quoted
            options[0] = "FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x1f'"
            options.append("FILE_EXTENSION 'json'")
    escaped = target.replace("'", "''")
    con.register(name, result)
    try:
        con.execute(f"COPY {source} TO '{escaped}' ({', '.join(options)})")
    finally:
        con.unregister(name)


def _json_lines(sink: Sink, result: pa.Table) -> tuple[pa.Table, str] | None:
    """DuckDB's JSON writer puts a DECIMAL of up to 15 digits through a double, BYTES as `\\x..`
    escapes, TIMESTAMP_LTZ with `+00`, TIME in microseconds and ignores
    `json.timestamp-format.standard`; Flink writes BigDecimal.stripTrailingZeros().toString(),
    base64, `...Z` and milliseconds. With such columns each line is made in SQL (the other
    values as DuckDB's to_json writes them, DECIMAL and date-time text as the stream encoder
    makes it, also for the direct fields of a ROW, BYTES base64); returns the table (DECIMAL and
    date-time columns as that text) and the line expression, None when DuckDB's writer is
    right."""
    import pyarrow as pa

    from nrtg.runtime.stream.formats.json import datetime_json, decimal_json

    iso = sink.option("json.timestamp-format.standard", "SQL").upper() == "ISO-8601"
    kept = [i for i in range(result.num_columns) if i not in sink.partition_keys]
    types = [result.schema.field(i).type for i in kept]

    def datetime(t: pa.DataType) -> bool:
        # DuckDB writes a TIMESTAMP of the SQL standard as Flink does (fraction trimmed)
        return pa.types.is_time(t) or (pa.types.is_timestamp(t) and (iso or t.tz is not None))

    def nested_datetime(t: pa.DataType) -> bool:
        # a ROW's date-time fields as text first, as the stream encoder does (datetime_json)
        return pa.types.is_struct(t) and any(datetime(f.type) for f in t)

    if not any(
        pa.types.is_decimal(t) or pa.types.is_binary(t) or datetime(t) or nested_datetime(t)
        for t in types
    ):
        return None
    columns = list(result.columns)
    pieces = []
    for n, (i, t) in enumerate(zip(kept, types, strict=True)):
        name = q(result.schema.names[i])
        if pa.types.is_decimal(t):
            columns[i] = decimal_json(result.column(i).combine_chunks())
            value = name
        elif datetime(t):
            columns[i] = datetime_json(result.column(i).combine_chunks(), iso)
            value = f"'\"' || {name} || '\"'"
        elif pa.types.is_binary(t):
            value = f"'\"' || base64({name}) || '\"'"
        elif nested_datetime(t):
            columns[i] = datetime_json(result.column(i).combine_chunks(), iso)
            value = f"to_json({name})"
        else:
            value = f"to_json({name})"
        key = ("{" if n == 0 else ",") + json.dumps(result.schema.names[i], ensure_ascii=False)
        pieces.append(f"{lit(key + ':')} || coalesce({value}, 'null')")
    line = " || ".join(pieces) + " || '}'"
    return pa.Table.from_arrays(columns, names=result.schema.names), line
