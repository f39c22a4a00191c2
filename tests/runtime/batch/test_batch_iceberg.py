"""Iceberg tables from a Hive Metastore: pyiceberg (an independent client) creates and writes
the table through our HMS server; nrtg reads the snapshot the catalog's metadata_location names,
with later appends and deletes visible, and joins it with a Flink table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from nrtg.catalog.errors import ExecutionError
from nrtg.catalog.hms_server import HmsServer
from nrtg.catalog.sqlite_store import SqliteStore
from nrtg.catalog.uri import open_catalog
from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.duckdb import lower_to_duckdb
from nrtg.runtime.batch import BatchSession

ARROW = pa.schema(
    [
        ("id", pa.int64()),
        ("name", pa.string()),
        ("score", pa.float64()),
        ("amount", pa.decimal128(10, 2)),
        ("ts", pa.timestamp("us")),
    ]
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[HmsServer]:
    srv = HmsServer(SqliteStore(tmp_path / "served.db"), "127.0.0.1", 0).start()
    yield srv
    srv.stop()


def _rows(n0: int, n: int) -> pa.Table:
    base = dt.datetime(2026, 1, 1)
    return pa.Table.from_pylist(
        [
            {
                "id": i,
                "name": None if i == 3 else f"n{i}",
                "score": i / 2,
                "amount": Decimal(f"{i}.25"),
                "ts": base + dt.timedelta(minutes=i),
            }
            for i in range(n0, n0 + n)
        ],
        schema=ARROW,
    )


def _query(uri: str, sql: str) -> list[dict[str, Any]]:
    catalog = open_catalog(uri)
    try:
        job = compile_sql(sql, catalog)
    finally:
        catalog.close()
    session = BatchSession()
    try:
        return session.run(lower_to_duckdb(job.optimized[-1])).table.to_pylist()
    finally:
        session.close()


def test_iceberg_table_written_by_pyiceberg_is_read_at_its_current_snapshot(
    server: HmsServer, tmp_path: Path
) -> None:
    from pyiceberg.catalog.hive import HiveCatalog

    ice = HiveCatalog("ice", uri=server.uri, warehouse=(tmp_path / "wh").as_uri())
    ice.create_namespace("lake")
    table = ice.create_table("lake.events", schema=ARROW)
    table.append(_rows(1, 3))
    sql = "SELECT id, name, score, amount, ts FROM lake.events;"
    first = _query(server.uri, sql)
    assert sorted(first, key=lambda r: r["id"]) == _rows(1, 3).to_pylist()

    table = ice.load_table("lake.events")
    table.append(_rows(4, 2))  # a new snapshot: a new metadata_location in the catalog
    ice.load_table("lake.events").delete("id = 2")
    rows = _query(server.uri, "SELECT id, name, amount FROM lake.events WHERE id <> 5;")
    assert sorted(r["id"] for r in rows) == [1, 3, 4]
    assert {r["id"]: r["name"] for r in rows} == {1: "n1", 3: None, 4: "n4"}
    assert {r["id"]: r["amount"] for r in rows}[4] == Decimal("4.25")

    totals = _query(
        server.uri,
        "CREATE TEMPORARY VIEW bonus AS SELECT * FROM (VALUES (1, 10), (4, 40)) AS b(id, extra);\n"
        "SELECT e.id, e.score + b.extra AS total FROM lake.events e JOIN bonus b ON e.id = b.id;",
    )
    assert sorted((r["id"], r["total"]) for r in totals) == [(1, 10.5), (4, 42.0)]


def test_iceberg_table_without_metadata_fails_clearly(server: HmsServer, tmp_path: Path) -> None:
    from pyiceberg.catalog.hive import HiveCatalog

    ice = HiveCatalog("ice", uri=server.uri, warehouse=(tmp_path / "wh").as_uri())
    ice.create_namespace("lake")
    table = ice.create_table("lake.gone", schema=ARROW)
    table.append(_rows(1, 1))
    metadata = Path(table.metadata_location.removeprefix("file://"))
    metadata.unlink()
    with pytest.raises(ExecutionError, match="cannot read Iceberg data"):
        _query(server.uri, "SELECT id FROM lake.gone;")
