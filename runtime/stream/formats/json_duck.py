"""A poll's JSON objects read by DuckDB with the JSON rules of the filesystem connector
(runtime/batch/json_format.py: typed `read_json`, BYTES as base64), so a topic and a file decode
the same bytes alike. json_fast.py only takes the polls where pyarrow provably agrees.

The poll goes to DuckDB as one newline-delimited buffer in an anonymous in-memory file
(`memfd`, read through `/proc/self/fd`: nothing to clean up, even after kill -9).

A poll that does not read cleanly (a malformed record, a value that does not fit its type) is
classified line by line with the lenient JSON file reader, so every bad record is found in one
query, not by bisection.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import weakref
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from nrtg.catalog.errors import ExecutionError
from nrtg.catalog.type_mapping import from_arrow_type
from nrtg.compiler.lower.duckdb_types import duck_type_text
from nrtg.runtime.batch.formats import lit
from nrtg.runtime.batch.json_format import lenient_json, strict_json

from ..chunks import contiguous

# DuckDB's own limit for one JSON value; a larger poll raises it to the poll's size.
_MAX_OBJECT = 16 << 20


def rows_only(count: int) -> pa.Table:
    """A table of `count` rows and no columns (from_arrays would lose the count)."""
    return pa.table({"rows": pa.nulls(count)}).drop_columns(["rows"])


def _duck_type(t: pa.DataType, table: str) -> str:
    if pa.types.is_duration(t):
        raise ExecutionError(f"table {table}: json values of type {t} are not supported yet")
    return duck_type_text(from_arrow_type(t))


class _PollFile:
    """One reusable in-memory file the polls are written to."""

    def __init__(self) -> None:
        if hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
            self.fd = os.memfd_create("nrtg-json-poll")
            self.path = f"/proc/self/fd/{self.fd}"
        else:  # no memfd: a named temporary file, removed with the decoder
            self.fd, self.path = tempfile.mkstemp(prefix="nrtg-json-", suffix=".ndjson")
            weakref.finalize(self, os.unlink, self.path)
        weakref.finalize(self, os.close, self.fd)

    def write(self, buf: bytes) -> None:
        os.pwrite(self.fd, buf, 0)
        os.ftruncate(self.fd, len(buf))


class DuckJson:
    """DuckDB's typed read of newline-delimited JSON objects, for one read schema."""

    def __init__(self, schema: pa.Schema, table: str) -> None:
        self.schema = schema
        self.table_name = table
        self.columns = [(f.name, _duck_type(f.type, table)) for f in schema]
        self.con: Any = None
        self.file: _PollFile | None = None

    def _connect(self) -> Any:
        if self.con is None:
            import duckdb

            self.con = duckdb.connect()
            self.con.execute("SET threads = 1")
            # TIMESTAMPTZ without an offset is UTC in DuckDB's JSON reader whatever the session
            # zone; the zone only names the Arrow output's, which the cast to the schema undoes.
            self.con.execute("SET TimeZone = 'UTC'")
            # the poll file is rewritten in place: a cached block would be stale
            self.con.execute("SET enable_external_file_cache = false")
            self.file = _PollFile()
        return self.con

    def _conform(self, table: pa.Table) -> pa.Table:
        """DuckDB's Arrow output in the schema's types (TIMESTAMP microseconds truncated to the
        column's unit, as the filesystem source's rows are)."""
        columns = []
        for i, f in enumerate(self.schema):
            column = contiguous(table.column(i))
            if column.type != f.type:
                column = column.cast(f.type, safe=False)
            columns.append(column)
        return pa.Table.from_arrays(columns, schema=self.schema)

    def read(self, buf: bytes, rows: int) -> pa.Table:
        """The `rows` objects of the newline-delimited `buf`; raises duckdb.Error when one does
        not read, ValueError when the buffer holds another number of objects."""
        con = self._connect()
        assert self.file is not None
        self.file.write(buf)
        args = [lit(self.file.path)]
        if len(buf) >= _MAX_OBJECT:
            args.append(f"maximum_object_size = {len(buf) + 1}")
        if not self.columns:  # nothing read: the objects are only checked and counted
            objects = f"read_json_objects({', '.join(args)}, format = 'newline_delimited')"
            (count,) = con.execute(f"SELECT count(*) FROM {objects}").fetchone()
            if count != rows:
                raise ValueError(f"expected {rows} JSON objects, found {count}")
            return rows_only(rows)
        table = con.sql(f"SELECT * FROM {strict_json(args, self.columns, '')}").to_arrow_table()
        if table.num_rows != rows:
            raise ValueError(f"expected {rows} JSON objects, found {table.num_rows}")
        return self._conform(table)

    def reason(self, line: bytes) -> str:
        """Why one line does not read (DuckDB's message without the file name)."""
        try:
            self.read(line, 1)
        except Exception as e:  # any failure is the reason shown to the user
            text = str(e).split("\n")[0]
            if " in line 1: " in text:
                text = text.split(" in line 1: ", 1)[1]
            return text.removeprefix("Invalid Input Error: ")
        return "the record does not decode with the others"

    def classify(self, lines: Sequence[bytes]) -> list[int]:
        """The positions of the lines the filesystem connector's lenient JSON rules accept
        (one query for the whole poll)."""
        con = self._connect()
        data = pa.table({"$i": pa.array(range(len(lines)), pa.int64()), "line": lines})
        con.register("nrtg_json_lines", data)
        try:
            relation = '(SELECT "$i", try(decode(line)) AS line FROM nrtg_json_lines)'
            if self.columns:
                rows, _ = lenient_json(relation, self.columns, ', "$i"')
            else:
                rows = f"(SELECT * FROM {relation} WHERE json_type(try(json(line))) = 'OBJECT')"
            found = con.sql(f'SELECT "$i" FROM {rows} ORDER BY "$i"').to_arrow_table()
        finally:
            with contextlib.suppress(Exception):
                con.unregister("nrtg_json_lines")
        positions: list[int] = found.column(0).to_pylist()
        return positions
