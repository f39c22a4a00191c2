"""The Catalog protocol behaves the same on every backend (memory, embedded, Thrift), errors
included: each is a CatalogError naming the object and the catalog."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nrtg.catalog import types as t
from nrtg.catalog.base import Catalog, PartitionDef
from nrtg.catalog.errors import CatalogError
from nrtg.catalog.schema import (
    Column,
    DatabaseDef,
    FunctionDef,
    Ident,
    TableDef,
    ViewDef,
    Watermark,
)

ORDERS = TableDef(
    Ident("shop", "orders"),
    (Column("id", t.bigint(False)), Column("ts", t.timestamp(3)), Column("amount", t.double())),
    {"connector": "kafka", "topic": "orders"},
    (Watermark("ts", "`ts` - INTERVAL '5' SECOND", t.timestamp(3)),),
)
VIEW = ViewDef(Ident("shop", "big"), "SELECT * FROM orders", "SELECT * FROM orders")
HIVE = TableDef(
    Ident("shop", "events"),
    (Column("v", t.string()), Column("dt", t.string())),
    {"connector": "hive"},
    partition_keys=("dt",),
    location="/data/events",
    storage_format="parquet",
)


def _error(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(CatalogError) as err:
        fn(*args, **kwargs)  # type: ignore[operator]
    return err.value.message


def test_databases(catalog: Catalog) -> None:
    assert catalog.list_databases() == ["default"]
    catalog.create_database(DatabaseDef("shop", "the shop", {"k": "v"}))
    catalog.create_database(DatabaseDef("shop"), if_not_exists=True)
    db = catalog.get_database("shop")
    assert (db.name, db.comment, dict(db.properties)) == ("shop", "the shop", {"k": "v"})
    msg = _error(catalog.create_database, DatabaseDef("shop"))
    assert "database `shop` already exists" in msg
    msg = _error(catalog.get_database, "nope")
    assert "database `nope` does not exist in catalog" in msg and catalog.uri in msg
    assert "databases: default, shop" in msg
    catalog.drop_database("nope", if_exists=True)
    catalog.drop_database("shop")
    assert catalog.list_databases() == ["default"]


def test_tables_and_views(catalog: Catalog) -> None:
    catalog.create_database(DatabaseDef("shop"))
    catalog.create_table(ORDERS)
    catalog.create_table(VIEW)
    catalog.create_table(ORDERS, if_not_exists=True)
    assert catalog.list_tables("shop") == ["big", "orders"]
    assert catalog.get_table(ORDERS.ident) == ORDERS
    assert catalog.get_table(VIEW.ident) == VIEW
    assert catalog.table_exists(ORDERS.ident)
    assert not catalog.table_exists(Ident("shop", "nope"))

    altered = replace(ORDERS, options={"connector": "kafka", "topic": "orders2"})
    catalog.alter_table(ORDERS.ident, altered)
    assert catalog.get_table(ORDERS.ident) == altered

    catalog.rename_table(ORDERS.ident, Ident("shop", "orders_v2"))
    assert catalog.list_tables("shop") == ["big", "orders_v2"]
    assert catalog.get_table(Ident("shop", "orders_v2")) == replace(
        altered, ident=Ident("shop", "orders_v2")
    )
    catalog.drop_table(Ident("shop", "orders_v2"))
    catalog.drop_table(Ident("shop", "orders_v2"), if_exists=True)
    catalog.drop_table(VIEW.ident)
    assert catalog.list_tables("shop") == []


def test_table_errors_name_the_object(catalog: Catalog) -> None:
    catalog.create_database(DatabaseDef("shop"))
    catalog.create_table(ORDERS)
    msg = _error(catalog.get_table, Ident("shop", "ordrs"))
    assert msg.startswith("table `shop.ordrs` does not exist in catalog ")
    assert msg.endswith("tables in `shop`: orders")
    msg = _error(catalog.get_table, Ident("shpo", "orders"))
    assert "database `shpo` does not exist" in msg and "databases: default, shop" in msg
    assert "already exists" in _error(catalog.create_table, ORDERS)
    assert "`shop.orders`" in _error(catalog.create_table, ORDERS)
    assert "database `nodb`" in _error(
        catalog.create_table, replace(ORDERS, ident=Ident("nodb", "x"))
    )
    assert "`shop.nope`" in _error(catalog.drop_table, Ident("shop", "nope"))
    assert "`shop.nope`" in _error(catalog.alter_table, Ident("shop", "nope"), ORDERS)
    assert "not empty" in _error(catalog.drop_database, "shop")
    assert "`shop.orders`" in _error(
        catalog.alter_table, ORDERS.ident, replace(VIEW, ident=ORDERS.ident)
    )
    hive = replace(HIVE, ident=ORDERS.ident)
    assert "cannot alter `shop.orders`" in _error(catalog.alter_table, ORDERS.ident, hive)
    catalog.drop_database("shop", cascade=True)
    assert catalog.list_databases() == ["default"]


def test_partitions(catalog: Catalog) -> None:
    catalog.create_database(DatabaseDef("shop"))
    catalog.create_table(HIVE)
    catalog.create_table(ORDERS)
    catalog.add_partitions(
        HIVE.ident, [PartitionDef(("2024-01-01",)), PartitionDef(("2024-01-02",))]
    )
    assert catalog.get_partition_names(HIVE.ident) == ["dt=2024-01-01", "dt=2024-01-02"]
    parts = catalog.list_partitions(HIVE.ident)
    assert [p.values for p in parts] == [("2024-01-01",), ("2024-01-02",)]
    assert "already exists" in _error(
        catalog.add_partitions, HIVE.ident, [PartitionDef(("2024-01-01",))]
    )
    assert "`shop.orders`" in _error(catalog.add_partitions, ORDERS.ident, [PartitionDef(("x",))])
    assert catalog.get_partition_names(ORDERS.ident) == []


def test_functions(catalog: Catalog) -> None:
    fn = FunctionDef(Ident("default", "my_upper"), "udfs.my_upper", "PYTHON")
    catalog.create_function(fn)
    catalog.create_function(fn, if_not_exists=True)
    assert catalog.get_function(fn.ident) == fn
    assert catalog.list_functions("default") == ["my_upper"]
    assert "already exists" in _error(catalog.create_function, fn)
    java = FunctionDef(Ident("default", "jf"), "com.example.Fn", "JAVA")
    catalog.create_function(java)
    assert catalog.get_function(java.ident) == java
    catalog.drop_function(fn.ident)
    assert "`default.my_upper`" in _error(catalog.get_function, fn.ident)
    catalog.drop_function(fn.ident, if_exists=True)
    assert catalog.list_functions("default") == ["jf"]
