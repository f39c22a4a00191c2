"""Hive-native tables (`connector = hive`) as batch sources.

A Hive table is a location and a storage format (catalog `TableDef.location` /
`storage_format`). The binder passes them to the scan as the options `location` and
`storage-format` (a script can declare one directly: `WITH ('connector' = 'hive', 'location' =
'...', 'storage-format' = 'parquet')`); the serde's parameters come as `serde.<key>` options.

Formats: parquet, orc (pyarrow), json (JsonSerDe: JSON lines), csv (OpenCSVSerde: `,`, `"`,
`\\` unless `serde.separatorChar` / `quoteChar` / `escapeChar` say otherwise) and textfile
(LazySimpleSerDe: `serde.field.delim`, default `\\x01`; `\\N` is NULL). Partition columns come
from the `k=v/` directories under the location, as Hive lays them out. Iceberg tables
(`table_type=ICEBERG`, as pyiceberg, Spark and Trino register them) are read by pyiceberg at the
snapshot their `metadata_location` names (deletes applied), with the optional dependency
`pip install 'nrtg[iceberg]'`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.errors import UnsupportedError

from .formats import Columns, Reader, file_reader, files, q

if TYPE_CHECKING:
    import duckdb


def hive_reader(
    con: duckdb.DuckDBPyConnection,
    opts: Mapping[str, str],
    columns: Columns,
    relation: str,
    table: str,
) -> Reader:
    """The reader of a Hive table's files. ORC files are read by pyarrow and registered on
    `con` as `<relation>$orc`."""
    location = opts.get("location") or opts.get("path")
    if not location:
        raise ExecutionError(
            f"table {table}: the Hive table has no location (the catalog's storage descriptor "
            "is empty)"
        )
    fmt = (opts.get("storage-format") or "textfile").lower()
    if fmt == "iceberg":
        return _iceberg(con, opts, relation, table)
    location = location.removeprefix("file:")
    if fmt == "orc":
        return _orc(con, location, relation, table)
    where = files(con, location, table)
    if fmt == "csv":
        mapped = {
            "csv.field-delimiter": opts.get("serde.separatorChar", ","),
            "csv.quote-character": opts.get("serde.quoteChar", '"'),
            "csv.escape-character": opts.get("serde.escapeChar", "\\"),
        }
        return file_reader("csv", where, mapped, columns, table)
    if fmt in ("parquet", "json", "textfile"):
        return file_reader(fmt, where, opts, columns, table)
    raise UnsupportedError(
        f"table {table}: Hive storage format {fmt!r} is not supported by the batch runtime "
        "(parquet, orc, json, csv, textfile, iceberg)"
    )


def _iceberg(
    con: duckdb.DuckDBPyConnection, opts: Mapping[str, str], relation: str, table: str
) -> Reader:
    """The current snapshot of an Iceberg table, read by pyiceberg into Arrow and registered
    on `con` as `<relation>$iceberg`."""
    metadata = opts.get("metadata-location")
    if not metadata:
        raise ExecutionError(
            f"table {table}: the Iceberg table has no metadata_location in the catalog"
        )
    try:
        from pyiceberg.table import StaticTable
    except ImportError as e:
        raise UnsupportedError(
            f"table {table} is an Iceberg table: reading it needs pyiceberg "
            "(pip install 'nrtg[iceberg]')"
        ) from e
    try:
        data = StaticTable.from_metadata(metadata).scan().to_arrow()
    except Exception as e:  # pyiceberg's own errors, OSError: a missing or broken file
        raise ExecutionError(f"table {table}: cannot read Iceberg data at {metadata}: {e}") from e
    name = relation + "$iceberg"
    con.register(name, data)
    return Reader(f"(SELECT * FROM {q(name)})")


def _orc(con: duckdb.DuckDBPyConnection, location: str, relation: str, table: str) -> Reader:
    import pyarrow.dataset as ds

    if not os.path.exists(location):
        raise ExecutionError(f"table {table}: location {location!r} does not exist")
    try:
        dataset = ds.dataset(
            location,
            format="orc",
            partitioning="hive",
            exclude_invalid_files=True,
            ignore_prefixes=[".", "_"],
        )
        data = dataset.to_table()
    except Exception as e:  # pyarrow's ArrowInvalid / OSError: a broken file
        raise ExecutionError(f"table {table}: cannot read ORC data under {location}: {e}") from e
    name = relation + "$orc"
    con.register(name, data)
    return Reader(f"(SELECT * FROM {q(name)})")
