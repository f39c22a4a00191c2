"""Register a lowered query's table scans as DuckDB relations (bounded reads).

Each scan becomes a TEMP VIEW named like the lowered query expects (`"src:db.table"`) with
exactly the scan's columns, cast to their DuckDB types. Supported: in-memory Arrow tables
(passed by the caller, keyed by `db.table` or `table`), the `filesystem` connector (formats.py:
json, csv, raw, parquet; debezium-json as a changelog), Hive-native tables (sources_hive.py) and
`kafka` / `upsert-kafka` as bounded snapshots (sources_kafka.py). Records skipped by
`*.ignore-parse-errors` are tallied on the connection (`skipped_records`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.lower.duckdb import Source
from nrtg.compiler.lower.duckdb_types import duck_type_text
from nrtg.compiler.plan import traits

from .changelog import OP, debezium_changes, folded
from .formats import Reader, file_reader, files
from .json_format import lenient_reader, strict_json

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
    opts = _options(scan.options)
    if table is None and opts.get("connector") in ("kafka", "upsert-kafka"):
        from .sources_kafka import read_kafka

        snapshot = read_kafka(scan)
        _note_skipped(con, str(scan.table), snapshot.skipped)
        table = snapshot.table
    if table is not None:
        raw = source.relation + "$arrow"
        con.register(raw, table)
        from_clause = _q(raw)
        if changelog:
            has_op = OP in table.column_names
            seq = '"$seq"' if "$seq" in table.column_names else 'row_number() OVER () AS "$seq"'
            op = _q(OP) if has_op else f"'I' AS {_q(OP)}"
            exclude = [_q(c) for c in (OP, "$seq") if c in table.column_names]
            rest = f"* EXCLUDE ({', '.join(exclude)})" if exclude else "*"
            from_clause = f"(SELECT {rest}, {op}, {seq} FROM {_q(raw)})"
    elif changelog:
        from_clause = debezium_changes(
            scan,
            lambda fields: _reader(con, source, spec_columns=None, changes_spec=fields),
        )
    else:
        from_clause = _reader(con, source, spec_columns=columns)
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

# Skipped malformed records per table, kept on the connection (reported by `nrtg run`).
SKIPPED = "nrtg$skipped"


def _options(options: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {_LEGACY_KEYS.get(k, k): v for k, v in options}


def _note_skipped(con: duckdb.DuckDBPyConnection, table: str, count: int) -> None:
    if count <= 0:
        return
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_q(SKIPPED)} (tbl VARCHAR, n BIGINT)")
    con.execute(f"INSERT INTO {_q(SKIPPED)} VALUES (?, ?)", [table, count])


def skipped_records(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Malformed records skipped (`*.ignore-parse-errors = true`) on this connection so far,
    per table; the tally is cleared."""
    try:
        rows = con.execute(
            f"SELECT tbl, sum(n)::BIGINT FROM {_q(SKIPPED)} GROUP BY tbl ORDER BY tbl"
        ).fetchall()
    except Exception:  # no table: nothing was skipped
        return []
    con.execute(f"DELETE FROM {_q(SKIPPED)}")
    return [(str(t), int(n)) for t, n in rows]


def skipped_summary(con: duckdb.DuckDBPyConnection) -> str | None:
    """One line for the user, or None when no record was skipped."""
    found = skipped_records(con)
    if not found:
        return None
    parts = ", ".join(f"{n} in {t}" for t, n in found)
    return f"skipped malformed records (ignore-parse-errors): {parts}"


def _reader(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    spec_columns: list[tuple[str, str]] | None,
    changes_spec: list[tuple[str, str]] | None = None,
) -> str:
    """The DuckDB reader call for a file-based table (filesystem or Hive); `changes_spec`: the
    debezium record's fields for a changelog table."""
    scan = source.scan
    table = str(scan.table)
    opts = _options(scan.options)
    connector = opts.get("connector", "")
    if connector == "hive":
        from .sources_hive import hive_reader

        reader = hive_reader(con, opts, spec_columns or [], source.relation, table)
        return _counted(con, reader, table)
    if connector != "filesystem":
        raise UnsupportedError(
            f"table {table}: connector {connector!r} is not supported by the batch runtime "
            "(filesystem, kafka, upsert-kafka, hive; or pass the rows as an Arrow table)"
        )
    path = opts.get("path")
    if not path:
        raise ExecutionError(f"table {table}: the filesystem connector needs a 'path'")
    where = files(con, path, table)
    fmt = opts.get("format", "")
    if changes_spec is not None:
        if fmt != "debezium-json":
            raise UnsupportedError(
                f"table {table}: changelog format {fmt!r} is not supported by the batch runtime "
                "(debezium-json)"
            )
        args = [where.arg]
        if where.partitioned:
            args.append("hive_partitioning = true")
        if opts.get("debezium-json.ignore-parse-errors", "false").lower() == "true":
            # DuckDB's own ignore_errors turns a bad record into NULLs: skip and count it
            return _counted(con, lenient_reader(args, changes_spec, ""), table)
        return strict_json(args, changes_spec, "")
    return _counted(con, file_reader(fmt, where, opts, spec_columns or [], table), table)


def _counted(con: duckdb.DuckDBPyConnection, reader: Reader, table: str) -> str:
    if reader.clean is not None:
        clean, check = reader.clean
        try:
            rows = con.execute(check).fetchall()
        except Exception:  # a bad record (duckdb.Error): the lenient read sorts them out
            rows = []
        if rows == [(0,)]:
            return clean
    if reader.skipped_sql is not None:
        row = con.execute(reader.skipped_sql).fetchone()
        _note_skipped(con, table, int(row[0]) if row else 0)
    return reader.sql
