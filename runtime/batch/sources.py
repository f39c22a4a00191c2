"""Register a lowered query's table scans as DuckDB relations (bounded reads).

Each scan becomes a TEMP VIEW named like the lowered query expects (`"src:db.table"`) with
exactly the scan's columns, cast to their DuckDB types. Supported: in-memory Arrow tables
(passed by the caller, keyed by `db.table` or `table`) and the `filesystem` connector with
formats `json`, `csv` and `parquet`, Flink's format options mapped to DuckDB's readers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.lower.duckdb import Source
from nrtg.compiler.lower.duckdb_types import duck_type_text
from nrtg.compiler.plan import traits

from .changelog import OP, debezium_changes, folded

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def register_source(
    con: duckdb.DuckDBPyConnection, source: Source, tables: Mapping[str, pa.Table]
) -> None:
    scan = source.scan
    table = tables.get(str(scan.table), tables.get(scan.table.name))
    columns = [(f.name, duck_type_text(f.type)) for f in scan.fields]
    changelog = not traits.is_insert_only(scan.changelog)
    names = [n for n, _ in columns]
    if table is not None:
        raw = source.relation + "$arrow"
        con.register(raw, table)
        from_clause = _q(raw)
        if changelog:
            op = _q(OP) if OP in table.column_names else f"'I' AS {_q(OP)}"
            from_clause = f'(SELECT *, {op}, row_number() OVER () AS "$seq" FROM {_q(raw)})'
            if OP in table.column_names:
                from_clause = (
                    f'(SELECT * EXCLUDE ({_q(OP)}), {_q(OP)}, row_number() OVER () AS "$seq" '
                    f"FROM {_q(raw)})"
                )
    elif changelog:
        from_clause = debezium_changes(
            scan, lambda spec: _reader(scan.options, spec, str(scan.table), changelog=True)
        )
    else:
        spec = "{" + ", ".join(f"{_lit(n)}: {_lit(t)}" for n, t in columns) + "}"
        from_clause = _reader(scan.options, spec, str(scan.table), columns=columns)
    select = ", ".join(f"CAST({_q(n)} AS {t}) AS {_q(n)}" for n, t in columns)
    if changelog:
        select += f', {_q(OP)}, "$seq"'
    body = f"SELECT {select} FROM {from_clause}"
    if changelog and not source.changes:
        changes = _q(source.relation + "$changes_all")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {changes} AS {body}")
        key = [names[i] for i in scan.primary_key or ()]
        body = f"SELECT * FROM {folded(changes, names, key)}"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {_q(source.relation)} AS {body}")


# Flink's legacy (pre-1.11) connector keys, still seen in older DDL (Nexmark q13).
_LEGACY_KEYS = {"connector.type": "connector", "connector.path": "path", "format.type": "format"}


def _reader(
    options: tuple[tuple[str, str], ...],
    spec: str,
    table: str,
    changelog: bool = False,
    columns: list[tuple[str, str]] | None = None,
) -> str:
    """The DuckDB reader call for a filesystem table; `spec` is the DuckDB columns struct."""
    opts = {_LEGACY_KEYS.get(k, k): v for k, v in options}
    connector = opts.get("connector", "")
    if connector != "filesystem":
        raise UnsupportedError(
            f"table {table}: connector {connector!r} is not supported by the batch runtime yet "
            "(filesystem, or pass the rows as an Arrow table)"
        )
    path = opts.get("path")
    if not path:
        raise ExecutionError(f"table {table}: the filesystem connector needs a 'path'")
    pattern = path
    partitioned = False
    if "://" not in path and os.path.isdir(path):
        pattern = os.path.join(path, "**", "*")
        partitioned = any("=" in d for d in os.listdir(path))
    fmt = opts.get("format", "")
    args = [_lit(pattern)]
    if partitioned:
        args.append("hive_partitioning = true")
    if fmt == "debezium-json" and changelog:
        args += ["format = 'newline_delimited'", f"columns = {spec}"]
        if opts.get("debezium-json.ignore-parse-errors", "false").lower() == "true":
            args.append("ignore_errors = true")
        return f"read_json({', '.join(args)})"
    if fmt == "json":
        if opts.get("json.ignore-parse-errors", "false").lower() == "true":
            return _lenient_json(args, columns or [])
        args += ["format = 'newline_delimited'", f"columns = {spec}"]
        return f"read_json({', '.join(args)})"
    if fmt == "csv":
        args += [f"columns = {spec}", "header = false"]
        args.append(f"delim = {_lit(opts.get('csv.field-delimiter', ','))}")
        quote = opts.get("csv.quote-character", '"')
        args.append(f"quote = {_lit(quote)}")
        if "csv.escape-character" in opts:
            args.append(f"escape = {_lit(opts['csv.escape-character'])}")
        if "csv.null-literal" in opts:
            args.append(f"nullstr = {_lit(opts['csv.null-literal'])}")
        if opts.get("csv.allow-comments", "false").lower() == "true":
            args.append("comment = '#'")
        if opts.get("csv.ignore-parse-errors", "false").lower() == "true":
            args.append("ignore_errors = true")
        return f"read_csv({', '.join(args)})"
    if fmt == "parquet":
        return f"read_parquet({', '.join(args)})"
    raise UnsupportedError(
        f"table {table}: format {fmt!r} is not supported by the batch runtime yet"
    )


def _lenient_json(args: list[str], columns: list[tuple[str, str]]) -> str:
    """`json.ignore-parse-errors = true`: read lines as text and skip those that are not JSON
    (Flink skips the record). Not done yet: counting the skipped lines; a value of the wrong
    type becomes NULL instead of skipping the record."""
    structure = json.dumps(dict(columns))
    lines = (
        f"read_csv({', '.join(args)}, columns = {{'line': 'VARCHAR'}}, header = false, "
        "delim = '\x1f', quote = '', escape = '', auto_detect = false)"
    )
    parsed = f"try(from_json(line, {_lit(structure)}))"
    return (
        f"(SELECT unnest(j) FROM (SELECT {parsed} AS j FROM {lines} "
        "WHERE json_valid(line)) WHERE j IS NOT NULL)"
    )
