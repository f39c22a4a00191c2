"""nrtg against a REAL Hive Metastore (Hive 2.3.10, `scripts/hms.sh`, fixture `real_hms`):
our client writes Flink tables that read back identically through nrtg and look right to a
third-party client; a Flink-encoded table written with raw third-party Thrift calls reads
through nrtg."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from nrtg.catalog import types as t
from nrtg.catalog.base import PartitionDef
from nrtg.catalog.errors import CatalogError
from nrtg.catalog.hms_catalog import HmsCatalog
from nrtg.catalog.schema import (
    Column,
    ColumnKind,
    DatabaseDef,
    FunctionDef,
    Ident,
    PrimaryKey,
    TableDef,
    ViewDef,
    Watermark,
)
from nrtg.catalog.uri import open_catalog

from .strategies import hms_names, table_defs, view_defs

pytestmark = pytest.mark.hms


@pytest.fixture(scope="module")
def hms(real_hms: tuple[str, int]) -> tuple[str, int]:
    """The project's real Hive Metastore (tests/conftest.py starts it; a failure to start is a
    test error, never a skip)."""
    host, port = real_hms
    return str(host), int(port)


@pytest.fixture(scope="module")
def real(hms: tuple[str, int]) -> Iterator[HmsCatalog]:
    cat = open_catalog(f"thrift://{hms[0]}:{hms[1]}")
    assert isinstance(cat, HmsCatalog)
    yield cat
    cat.close()


@pytest.fixture
def db(real: HmsCatalog) -> Iterator[str]:
    name = "nrtg_" + uuid.uuid4().hex[:10]
    real.create_database(DatabaseDef(name, "nrtg test"))
    yield name
    real.drop_database(name, if_exists=True, cascade=True)


ORDERS = TableDef(
    Ident("x", "orders"),
    (
        Column("id", t.bigint(False)),
        Column("Amount", t.decimal(10, 2), comment="in EUR"),
        Column("ts", t.timestamp(3)),
        Column("total", t.decimal(21, 2), ColumnKind.COMPUTED, expr="`Amount` * 2"),
        Column("part", t.int_(), ColumnKind.METADATA, metadata_key="partition", virtual=True),
        Column("info", t.row([("country", t.string()), ("tags", t.array(t.string()))])),
    ),
    {"connector": "kafka", "topic": "orders", "format": "json"},
    (Watermark("ts", "`ts` - INTERVAL '5' SECOND", t.timestamp(3)),),
    PrimaryKey("PK_id", ("id",)),
    ("id",),
    "orders table",
)


def test_flink_table_round_trip_and_third_party_view(
    real: HmsCatalog, db: str, hms: tuple[str, int]
) -> None:
    from hmsclient import hmsclient

    orders = replace(ORDERS, ident=Ident(db, "orders"))
    real.create_table(orders)
    assert real.get_table(orders.ident) == orders
    assert real.list_tables(db) == ["orders"]

    with hmsclient.HMSClient(host=hms[0], port=hms[1]) as c:
        raw = c.get_table(db, "orders")
        assert raw.tableType == "MANAGED_TABLE"
        assert raw.parameters["flink.connector"] == "kafka"
        assert raw.parameters["flink.schema.1.name"] == "Amount"
        assert raw.parameters["flink.schema.0.data-type"] == "BIGINT NOT NULL"
        assert (
            raw.parameters["flink.schema.watermark.0.strategy.expr"] == "`ts` - INTERVAL '5' SECOND"
        )
        assert "transient_lastDdlTime" in raw.parameters  # the metastore's own bookkeeping
        assert raw.partitionKeys == []
        assert [(f.name, f.type) for f in raw.sd.cols] == [
            ("id", "bigint"),
            ("amount", "decimal(10,2)"),
            ("ts", "timestamp"),
            ("info", "struct<country:string,tags:array<string>>"),
        ]
        assert [f.name for f in c.get_fields(db, "orders")] == ["id", "amount", "ts", "info"]

    altered = replace(orders, options={**orders.options, "topic": "orders2"})
    real.alter_table(orders.ident, altered)
    assert real.get_table(orders.ident) == altered
    real.rename_table(orders.ident, Ident(db, "orders_v2"))
    assert real.list_tables(db) == ["orders_v2"]
    real.drop_table(Ident(db, "orders_v2"))
    assert real.list_tables(db) == []


def test_table_written_by_raw_thrift_calls_reads_through_nrtg(
    real: HmsCatalog, db: str, hms: tuple[str, int]
) -> None:
    from hmsclient import hmsclient
    from hmsclient.genthrift.hive_metastore import ttypes as h

    params = {  # what Flink's HiveCatalog writes for a generic table
        "flink.connector": "filesystem",
        "flink.path": "/data/orders",
        "flink.format": "csv",
        "flink.schema.0.name": "o_orderkey",
        "flink.schema.0.data-type": "INT",
        "flink.schema.1.name": "o_ordertime",
        "flink.schema.1.data-type": "TIMESTAMP(3)",
        "flink.schema.watermark.0.rowtime": "o_ordertime",
        "flink.schema.watermark.0.strategy.expr": "`o_ordertime` - INTERVAL '5' MINUTE",
        "flink.schema.watermark.0.strategy.data-type": "TIMESTAMP(3)",
        "flink.partition.keys.0.name": "o_orderkey",
        "flink.comment": "written by a raw client",
        "is_generic": "true",
        "unknown.key": "kept",
    }
    sd = h.StorageDescriptor(
        cols=[],
        inputFormat="org.apache.hadoop.mapred.TextInputFormat",
        outputFormat="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        compressed=False,
        numBuckets=-1,
        serdeInfo=h.SerDeInfo(
            serializationLib="org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
            parameters={"serialization.format": "1"},
        ),
        bucketCols=[],
        sortCols=[],
        parameters={},
    )
    table = h.Table(
        tableName="flink_orders",
        dbName=db,
        owner="flink",
        sd=sd,
        partitionKeys=[],
        parameters=params,
        tableType="MANAGED_TABLE",
    )
    with hmsclient.HMSClient(host=hms[0], port=hms[1]) as c:
        c.create_table(table)
    got = real.get_table(Ident(db, "flink_orders"))
    assert got == TableDef(
        Ident(db, "flink_orders"),
        (Column("o_orderkey", t.int_()), Column("o_ordertime", t.timestamp(3))),
        {"connector": "filesystem", "path": "/data/orders", "format": "csv"},
        (Watermark("o_ordertime", "`o_ordertime` - INTERVAL '5' MINUTE", t.timestamp(3)),),
        partition_keys=("o_orderkey",),
        comment="written by a raw client",
        extra_properties={"unknown.key": "kept", "is_generic": "true"},
    )


def test_views_hive_tables_partitions_functions(real: HmsCatalog, db: str) -> None:
    view = ViewDef(
        Ident(db, "big"),
        "SELECT id FROM orders WHERE amount > 100",
        "SELECT `orders`.`id` FROM `default_catalog`.`x`.`orders` WHERE `amount` > 100",
        (Column("id", t.bigint(False)),),
        "big orders",
    )
    real.create_table(view)
    assert real.get_table(view.ident) == view

    hive = TableDef(
        Ident(db, "events"),
        (Column("v", t.string()), Column("n", t.bigint()), Column("dt", t.string())),
        {"connector": "hive"},
        partition_keys=("dt",),
        storage_format="parquet",
    )
    real.create_table(hive)
    got = real.get_table(hive.ident)
    assert isinstance(got, TableDef) and got.is_hive_native
    assert got.storage_format == "parquet" and got.location is not None
    assert got.columns == hive.columns and got.partition_keys == ("dt",)
    real.add_partitions(hive.ident, [PartitionDef(("2024-01-01",)), PartitionDef(("2024-01-02",))])
    assert real.get_partition_names(hive.ident) == ["dt=2024-01-01", "dt=2024-01-02"]
    assert [p.values for p in real.list_partitions(hive.ident)] == [
        ("2024-01-01",),
        ("2024-01-02",),
    ]

    fn = FunctionDef(Ident(db, "my_upper"), "udfs.my_upper", "PYTHON")
    real.create_function(fn)
    assert real.get_function(fn.ident) == fn
    assert real.list_functions(db) == ["my_upper"]
    real.drop_function(fn.ident)


def test_errors_from_a_real_metastore(real: HmsCatalog, db: str) -> None:
    orders = replace(ORDERS, ident=Ident(db, "orders"))
    real.create_table(orders)
    with pytest.raises(
        CatalogError, match=f"table `{db}.nope` does not exist in catalog thrift://"
    ):
        real.get_table(Ident(db, "nope"))
    with pytest.raises(CatalogError, match="database `nrtg_no_such_db` does not exist"):
        real.get_table(Ident("nrtg_no_such_db", "t"))
    with pytest.raises(CatalogError, match=f"`{db}.orders` already exists"):
        real.create_table(orders)
    with pytest.raises(CatalogError, match="not empty"):
        real.drop_database(db)
    with pytest.raises(CatalogError, match=f"cannot alter `{db}.orders`"):
        real.alter_table(orders.ident, ViewDef(orders.ident, "SELECT 1", "SELECT 1"))


@given(
    table_defs(ident=hms_names.map(lambda n: Ident("default", "nrtg_h_" + n)))
    | view_defs(ident=hms_names.map(lambda n: Ident("default", "nrtg_h_" + n)))
)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_round_trip_property_through_real_hms(real: HmsCatalog, obj: TableDef | ViewDef) -> None:
    real.drop_table(obj.ident, if_exists=True)
    real.create_table(obj)
    try:
        assert real.get_table(obj.ident) == obj
    finally:
        real.drop_table(obj.ident, if_exists=True)
