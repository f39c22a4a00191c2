"""A poll's JSON objects read by DuckDB's typed `read_json`: the reader (and the conversions)
the filesystem connector uses for JSON files, so a topic and a file decode the same bytes
alike. The JSON semantics of the stream decoder are defined here; json_fast.py only takes the
polls where pyarrow provably agrees.

The poll goes to DuckDB as one newline-delimited buffer in an anonymous in-memory file
(`memfd`, read through `/proc/self/fd`: nothing to clean up, even after kill -9). Flink's BYTES
are base64 text in JSON: they are read as VARCHAR and decoded with `from_base64`.

A poll that does not read cleanly (a malformed record, a value that does not fit its type) is
classified line by line with the lenient reader of JSON files (`flagged_json`: a line is bad
when it is not JSON or a field, at any depth, does not convert), so every bad record is found in
one query, not by bisection.
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
from nrtg.runtime.batch.formats import flagged_json, lit, q, spec

from ..chunks import contiguous

# DuckDB's own limit for one JSON value; a larger poll raises it to the poll's size.
_MAX_OBJECT = 16 << 20


def _read_type(t: pa.DataType, table: str) -> str:
    """The DuckDB type `read_json` reads a column of Arrow type `t` as (BYTES as base64 text)."""
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "VARCHAR"
    if pa.types.is_struct(t):
        fields = ", ".join(
            '"' + f.name.replace('"', '""') + '" ' + _read_type(f.type, table) for f in t
        )
        return f"STRUCT({fields})"
    if pa.types.is_duration(t):
        raise ExecutionError(f"table {table}: json values of type {t} are not supported yet")
    if (pa.types.is_list(t) or pa.types.is_map(t)) and _holds_bytes(t):
        raise ExecutionError(
            f"table {table}: json arrays and maps of BYTES are not supported by the stream "
            "decoder yet"
        )
    return duck_type_text(from_arrow_type(t))


def _holds_bytes(t: pa.DataType) -> bool:
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return True
    if pa.types.is_struct(t) or pa.types.is_list(t) or pa.types.is_map(t):
        return any(_holds_bytes(t.field(i).type) for i in range(t.num_fields))
    return False


def _typed(expr: str, t: pa.DataType, strict: bool) -> tuple[str, list[str]]:
    """The SQL turning a value read as `_read_type(t)` into `t` (BYTES from base64), and the
    predicates that are true where a present value does not decode (strict: decoding errors
    fail the query instead, no predicates)."""
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        if strict:
            return f"from_base64({expr})", []
        return f"try(from_base64({expr}))", [
            f"({expr} IS NOT NULL AND try(from_base64({expr})) IS NULL)"
        ]
    if pa.types.is_struct(t) and _holds_bytes(t):
        parts, failed = [], []
        for f in t:
            value, bad = _typed(f"{expr}.{q(f.name)}", f.type, strict)
            parts.append(f"{q(f.name)} := {value}")
            failed += bad
        return (
            f"CASE WHEN {expr} IS NULL THEN NULL ELSE struct_pack({', '.join(parts)}) END",
            failed,
        )
    return expr, []


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
        self.columns = [(f.name, _read_type(f.type, table)) for f in schema]
        self.strict_select = ", ".join(
            _typed(q(f.name), f.type, True)[0] + f" AS {q(f.name)}" for f in schema
        )
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
        args = f"{lit(self.file.path)}, format = 'newline_delimited'"
        if len(buf) >= _MAX_OBJECT:
            args += f", maximum_object_size = {len(buf) + 1}"
        if not self.columns:  # nothing read: the objects are only checked and counted
            (count,) = con.sql(f"SELECT count(*) FROM read_json_objects({args})").fetchone()
            if count != rows:
                raise ValueError(f"expected {rows} JSON objects, found {count}")
            return pa.table({"rows": pa.nulls(rows)}).drop_columns(["rows"])
        sql = (
            f"SELECT {self.strict_select} FROM read_json({args}, columns = {spec(self.columns)}, "
            "auto_detect = false)"
        )
        table = con.sql(sql).to_arrow_table()
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

    def classify(self, lines: Sequence[bytes]) -> tuple[pa.Table, list[int]]:
        """Each line read on its own terms: the rows of the good lines and their indexes (the
        other lines are bad), with the filesystem connector's lenient JSON rules."""
        con = self._connect()
        data = pa.table({"$i": pa.array(range(len(lines)), pa.int64()), "line": lines})
        con.register("nrtg_json_lines", data)
        try:
            relation = '(SELECT "$i", try(decode(line)) AS line FROM nrtg_json_lines)'
            if not self.columns:
                sql = (
                    f'SELECT "$i" FROM {relation} WHERE json_valid(line) '
                    "AND json_type(line) = 'OBJECT' ORDER BY \"$i\""
                )
                index = con.sql(sql).to_arrow_table().column(0).to_pylist()
                return pa.table({"rows": pa.nulls(len(index))}).drop_columns(["rows"]), index
            flagged = flagged_json(relation, self.columns, ', "$i"')
            typed, failed = [], []
            for f in self.schema:
                value, bad = _typed(q(f.name), f.type, False)
                typed.append(f"{value} AS {q(f.name)}")
                failed += bad
            rows = f'(SELECT "$i", unnest(j) FROM {flagged} WHERE NOT bad)'
            where = f"WHERE NOT ({' OR '.join(failed)})" if failed else ""
            sql = f'SELECT "$i", {", ".join(typed)} FROM {rows} {where} ORDER BY "$i"'
            table = con.sql(sql).to_arrow_table()
        finally:
            with contextlib.suppress(Exception):
                con.unregister("nrtg_json_lines")
        index = table.column(0).to_pylist()
        return self._conform(table.drop_columns(["$i"])), index
