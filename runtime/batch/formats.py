"""File formats of the batch runtime: DuckDB reader calls for Flink's (and Hive's) formats.

`file_reader(...)` returns a `Reader`: the FROM-clause expression that yields the table's
columns, and for lenient formats (`json.ignore-parse-errors = true`) a query counting the
records it skips, which the runtime reports.

- `json`: json_format.py (newline-delimited, the declared columns typed; the same rules decode
  Kafka values in the stream runtime).
- `csv`: Flink's `csv.*` options (field delimiter, quote, escape, null literal, comments,
  ignore-parse-errors), no header line.
- `raw`: one row per line, the line as the single STRING (or BYTES) column.
- `parquet`, `orc` (Hive; read through pyarrow).
- Hive `textfile`: LazySimpleSerDe's layout, `\\x01`-separated fields, `\\N` for NULL, no quoting.

Directories are read recursively; files whose name starts with `.` or `_` (in-progress files,
`_SUCCESS` markers) are skipped, as Flink and Hive skip them. A `k=v/` directory layout becomes
partition columns. `s3://` and `s3a://` paths are listed and read through remote.py.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.errors import UnsupportedError

from . import remote

if TYPE_CHECKING:
    import duckdb

Columns = Sequence[tuple[str, str]]  # (name, DuckDB type text)
FORMATS = ("json", "csv", "raw", "parquet", "orc", "textfile")


@dataclass(frozen=True)
class Reader:
    sql: str  # a FROM-clause expression
    # statements whose last SELECT counts the records a lenient read drops
    skipped_sql: str | None = None
    # a lenient read's much cheaper reader for input without bad records, and a query that
    # fails, or returns a count other than 0, when the input has some: tried first
    clean: tuple[str, str] | None = None


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def spec(columns: Columns) -> str:
    """DuckDB's `columns = {...}` struct literal."""
    return "{" + ", ".join(f"{lit(n)}: {lit(t)}" for n, t in columns) + "}"


@dataclass(frozen=True)
class Files:
    """What a path names: a DuckDB file argument (a glob or a list literal) and, for a `k=v/`
    partitioned directory, the partition keys (their values come from the directory names)."""

    arg: str
    partition_keys: frozenset[str] = frozenset()

    @property
    def partitioned(self) -> bool:
        return bool(self.partition_keys)


def files(con: duckdb.DuckDBPyConnection, path: str, table: str) -> Files:
    """The files of `path`; for an `s3://` path, `con` is given the filesystem DuckDB reads
    them through."""
    if remote.is_remote(path):
        remote.register(con)
        if any(c in path for c in "*?["):
            return Files(lit(path))  # DuckDB expands the glob through the filesystem
        found = remote.listing(path, table)
        return Files("[" + ", ".join(map(lit, found.files)) + "]", found.partition_keys)
    if "://" in path or not os.path.isdir(path):
        if "://" not in path and not any(c in path for c in "*?[") and not os.path.exists(path):
            raise ExecutionError(f"table {table}: path {path!r} does not exist")
        return Files(lit(path))
    found: list[str] = []
    keys: set[str] = set()
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        keys.update(d.split("=", 1)[0] for d in dirs if "=" in d)
        found += [os.path.join(root, f) for f in sorted(names) if not f.startswith((".", "_"))]
    if not found:
        raise ExecutionError(f"table {table}: directory {path!r} has no data files")
    return Files("[" + ", ".join(lit(f) for f in found) + "]", frozenset(keys))


def file_reader(
    fmt: str, where: Files, opts: Mapping[str, str], columns: Columns, table: str
) -> Reader:
    """The reader of `fmt` for the files; `opts` are the table's options (`json.*`, `csv.*`,
    `serde.*` for Hive textfile/csv)."""
    args = [where.arg]
    if where.partitioned:
        # Partition values come from the directories, as text (the runtime casts them).
        args += ["hive_partitioning = true", "hive_types_autocast = false"]
        columns = [(n, t) for n, t in columns if n not in where.partition_keys]
    keys = "".join(f", {q(k)}" for k in sorted(where.partition_keys))  # line readers keep them
    if fmt == "json":
        from .json_format import lenient_reader, strict_json

        if opts.get("json.ignore-parse-errors", "false").lower() == "true":
            return lenient_reader(args, columns, keys)
        return Reader(strict_json(args, columns, keys))
    if fmt == "csv":
        args += ["header = false", "auto_detect = false"]
        args.append(f"delim = {lit(opts.get('csv.field-delimiter', ','))}")
        quote = opts.get("csv.quote-character", '"')
        args.append(f"quote = {lit(quote)}")
        if "csv.escape-character" in opts:
            args.append(f"escape = {lit(opts['csv.escape-character'])}")
        if "csv.null-literal" in opts:
            args.append(f"nullstr = {lit(opts['csv.null-literal'])}")
        if opts.get("csv.allow-comments", "false").lower() == "true":
            args.append("comment = '#'")
        if opts.get("csv.ignore-parse-errors", "false").lower() == "true":
            return _lenient_csv(args, columns, keys)
        args.append(f"columns = {spec(columns)}")
        return Reader(f"read_csv({', '.join(args)})")
    if fmt == "textfile":
        delim = opts.get("serde.field.delim", opts.get("serde.serialization.format", "\x01"))
        args += [
            f"columns = {spec(columns)}",
            "header = false",
            "auto_detect = false",
            f"delim = {lit(delim)}",
            "quote = ''",
            "escape = ''",
            f"nullstr = {lit(opts.get('serde.serialization.null.format', chr(92) + 'N'))}",
        ]
        return Reader(f"read_csv({', '.join(args)})")
    if fmt == "raw":
        return _raw(args, columns, table, keys)
    if fmt == "parquet":
        return Reader(f"read_parquet({', '.join(args)})")
    raise UnsupportedError(
        f"table {table}: format {fmt!r} is not supported by the batch runtime "
        f"(supported: {', '.join(FORMATS)})"
    )


_REJECTS = itertools.count()


def _lenient_csv(args: list[str], columns: Columns, keys: str) -> Reader:
    """`csv.ignore-parse-errors = true`: a record with the wrong number of fields, or a field
    that does not convert to its column's type, is skipped whole, as Flink skips it, whichever
    columns the query reads (DuckDB's own `ignore_errors` only drops a record when a column it
    reads fails); both kinds are counted. The fields are read as text and converted here; the
    structural rejects come from a text scan that keeps them in a table of its own."""
    n = next(_REJECTS)
    table, scans = f"nrtg_csv_rejects_{n}", f"nrtg_csv_scans_{n}"
    text = [
        *args,
        f"columns = {spec([(c, 'VARCHAR') for c, _ in columns])}",
        "ignore_errors = true",
    ]
    converted = ", ".join(f"TRY_CAST({q(c)} AS {t}) AS {q(c)}" for c, t in columns)
    failed = " OR ".join(
        f"({q(c)} IS NOT NULL AND TRY_CAST({q(c)} AS {t}) IS NULL)" for c, t in columns
    )
    flagged = (
        f'(SELECT {converted}{keys}, ({failed or "FALSE"}) AS "$bad" '
        f"FROM read_csv({', '.join(text)}))"
    )
    keep = f"store_rejects = true, rejects_table = {lit(table)}, rejects_scan = {lit(scans)}"
    count = (
        f"SELECT max(COLUMNS(*)) FROM read_csv({', '.join(text)}, {keep}); "
        f"SELECT (SELECT count(DISTINCT (file_id, line)) FROM {table}) + "
        f'(SELECT count(*) FROM {flagged} WHERE "$bad")'
    )
    return Reader(f'(SELECT * EXCLUDE ("$bad") FROM {flagged} WHERE NOT "$bad")', count)


def lines(args: list[str]) -> str:
    """Each line of the files as one VARCHAR column `line`."""
    return (
        f"read_csv({', '.join(args)}, columns = {{'line': 'VARCHAR'}}, header = false, "
        "delim = '\x1f', quote = '', escape = '', auto_detect = false)"
    )


def _raw(args: list[str], columns: Columns, table: str, keys: str) -> Reader:
    if len(columns) != 1:
        raise ExecutionError(
            f"table {table}: the raw format needs exactly one physical column, got {len(columns)}"
        )
    name, typ = columns[0]
    value = "encode(line)" if typ.upper() == "BLOB" else "line"
    return Reader(f"(SELECT {value} AS {q(name)}{keys} FROM {lines(args)})")
