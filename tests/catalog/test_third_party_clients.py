"""Independent witnesses: PyPI's HMS clients (each with its own generated Thrift code) against
our server, doing create database -> create table -> get -> alter -> list -> drop."""

from __future__ import annotations

from pathlib import Path

import pytest

from nrtg.catalog.hms_server import HmsServer
from nrtg.catalog.schema import Ident, TableDef
from nrtg.catalog.uri import open_catalog

TEXT_IN = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
LAZY = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"


def test_hmsclient_lifecycle(server: HmsServer) -> None:
    from hmsclient import hmsclient
    from hmsclient.genthrift.hive_metastore import ttypes as h

    with hmsclient.HMSClient(host=server.host, port=server.port) as c:
        c.create_database(h.Database(name="tp", description="third party", parameters={}))
        with pytest.raises(h.AlreadyExistsException):
            c.create_database(h.Database(name="tp", parameters={}))
        assert "tp" in c.get_all_databases()
        assert c.get_database("tp").description == "third party"
        sd = h.StorageDescriptor(
            cols=[h.FieldSchema("id", "bigint", "key"), h.FieldSchema("name", "string", None)],
            inputFormat=TEXT_IN,
            outputFormat=TEXT_OUT,
            compressed=False,
            numBuckets=-1,
            serdeInfo=h.SerDeInfo(serializationLib=LAZY, parameters={"field.delim": ","}),
            bucketCols=[],
            sortCols=[],
            parameters={},
        )
        table = h.Table(
            tableName="people",
            dbName="tp",
            owner="me",
            sd=sd,
            partitionKeys=[h.FieldSchema("dt", "string", None)],
            parameters={"EXTERNAL": "TRUE"},
            tableType="EXTERNAL_TABLE",
        )
        c.create_table(table)
        got = c.get_table("tp", "people")
        assert [f.name for f in got.sd.cols] == ["id", "name"]
        assert got.sd.location.endswith("/tp.db/people")
        assert got.parameters["EXTERNAL"] == "TRUE"
        assert "transient_lastDdlTime" in got.parameters
        assert [f.name for f in c.get_schema("tp", "people")] == ["id", "name", "dt"]
        got.sd.cols.append(h.FieldSchema("age", "int", None))
        c.alter_table("tp", "people", got)
        assert [f.name for f in c.get_fields("tp", "people")] == ["id", "name", "age"]
        part = h.Partition(values=["2024-01-01"], dbName="tp", tableName="people", parameters={})
        assert c.add_partitions([part]) == 1
        assert c.get_partition_names("tp", "people", -1) == ["dt=2024-01-01"]
        assert c.get_partitions("tp", "people", -1)[0].sd.location.endswith("dt=2024-01-01")
        assert c.get_all_tables("tp") == ["people"]
        assert c.get_tables("tp", "peo*") == ["people"]
        assert [t.tableName for t in c.get_table_objects_by_name("tp", ["people", "x"])] == [
            "people"
        ]
        with pytest.raises(h.NoSuchObjectException):
            c.get_table("tp", "nope")
        with pytest.raises(h.InvalidOperationException):
            c.drop_database("tp", False, False)  # not empty
        c.drop_table("tp", "people", True)
        assert c.get_all_tables("tp") == []
        c.drop_database("tp", True, True)
        assert "tp" not in c.get_all_databases()


def test_hmsclient_writes_flink_table_nrtg_reads_it(server: HmsServer) -> None:
    from hmsclient import hmsclient
    from hmsclient.genthrift.hive_metastore import ttypes as h

    params = {
        "flink.connector": "kafka",
        "flink.topic": "clicks",
        "flink.schema.0.name": "user_id",
        "flink.schema.0.data-type": "BIGINT NOT NULL",
        "flink.schema.1.name": "ts",
        "flink.schema.1.data-type": "TIMESTAMP(3)",
        "flink.schema.watermark.0.rowtime": "ts",
        "flink.schema.watermark.0.strategy.expr": "`ts` - INTERVAL '5' SECOND",
        "flink.schema.watermark.0.strategy.data-type": "TIMESTAMP(3)",
        "flink.schema.primary-key.name": "PK_user_id",
        "flink.schema.primary-key.columns": "user_id",
        "is_generic": "true",
    }
    sd = h.StorageDescriptor(
        cols=[],
        inputFormat=TEXT_IN,
        outputFormat=TEXT_OUT,
        numBuckets=-1,
        serdeInfo=h.SerDeInfo(serializationLib=LAZY, parameters={"serialization.format": "1"}),
        bucketCols=[],
        sortCols=[],
        parameters={},
    )
    with hmsclient.HMSClient(host=server.host, port=server.port) as c:
        c.create_table(
            h.Table(
                tableName="clicks",
                dbName="default",
                sd=sd,
                partitionKeys=[],
                parameters=params,
                tableType="MANAGED_TABLE",
            )
        )
    cat = open_catalog(server.uri)
    table = cat.get_table(Ident("default", "clicks"))
    assert isinstance(table, TableDef)
    assert [str(c.type) for c in table.columns] == ["BIGINT NOT NULL", "TIMESTAMP(3)"]
    assert table.options == {"connector": "kafka", "topic": "clicks"}
    assert table.watermarks[0].expr == "`ts` - INTERVAL '5' SECOND"
    assert table.extra_properties == {"is_generic": "true"}
    cat.close()


def test_unknown_method_is_an_application_exception(server: HmsServer) -> None:
    from hmsclient import hmsclient
    from thrift.Thrift import TApplicationException

    with hmsclient.HMSClient(host=server.host, port=server.port) as c:
        with pytest.raises(TApplicationException) as err:
            c.get_partition_by_name("default", "t", "a=1")
        assert err.value.type == TApplicationException.UNKNOWN_METHOD
        assert "default" in c.get_all_databases()  # the connection is still good


def test_hive_metastore_client_lifecycle(server: HmsServer) -> None:
    from hive_metastore import ttypes as h
    from hive_metastore_client import HiveMetastoreClient

    with HiveMetastoreClient(server.host, server.port) as c:
        # Hive 3/4 objects with fields our IDL leaves out (catalogName, writeId, ...)
        c.create_database_if_not_exists(h.Database(name="hmc", parameters={}, catalogName="hive"))
        c.create_database_if_not_exists(h.Database(name="hmc", parameters={}))
        sd = h.StorageDescriptor(
            cols=[h.FieldSchema("a", "int", None)],
            location="/tmp/hmc/t",
            inputFormat="org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            outputFormat="org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            serdeInfo=h.SerDeInfo(
                serializationLib="org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                parameters={},
            ),
            bucketCols=[],
            sortCols=[],
            parameters={},
        )
        c.create_external_table(
            h.Table(tableName="t", dbName="hmc", sd=sd, partitionKeys=[h.FieldSchema("p", "int")])
        )
        c.add_columns_to_table("hmc", "t", [h.FieldSchema("b", "array<string>", None)])
        got = c.get_table("hmc", "t")
        assert [f.name for f in got.sd.cols] == ["a", "b"]
        assert got.tableType == "EXTERNAL_TABLE"
        assert c.get_partition_keys_names("hmc", "t") == ["p"]
        assert c.get_all_tables("hmc") == ["t"]
        c.drop_table("hmc", "t", False)
        c.drop_database("hmc", False, False)
        assert "hmc" not in c.get_all_databases()

    # what it wrote, nrtg reads as a parquet source
    with HiveMetastoreClient(server.host, server.port) as c:
        c.create_external_table(h.Table(tableName="pq", dbName="default", sd=sd, partitionKeys=[]))
    cat = open_catalog(server.uri)
    table = cat.get_table(Ident("default", "pq"))
    assert isinstance(table, TableDef)
    assert table.is_hive_native and table.storage_format == "parquet"
    assert table.location == "/tmp/hmc/t"
    cat.close()


def test_pyiceberg_hive_catalog_lifecycle(server: HmsServer, tmp_path: Path) -> None:
    from pyiceberg.catalog.hive import HiveCatalog
    from pyiceberg.schema import Schema
    from pyiceberg.types import LongType, NestedField, StringType

    cat = HiveCatalog("nrtg", uri=server.uri, warehouse=(tmp_path / "wh").as_uri())
    cat.create_namespace("ice", {"owner": "tests"})
    assert ("ice",) in cat.list_namespaces()
    schema = Schema(NestedField(1, "id", LongType(), required=False))
    cat.create_table("ice.events", schema)
    table = cat.load_table("ice.events")
    assert [f.name for f in table.schema().fields] == ["id"]
    with table.update_schema() as update:  # commit: lock, check_lock, alter_table, unlock
        update.add_column("name", StringType())
    assert [f.name for f in cat.load_table("ice.events").schema().fields] == ["id", "name"]
    assert cat.list_tables("ice") == [("ice", "events")]
    nrtg = open_catalog(server.uri)
    seen = nrtg.get_table(Ident("ice", "events"))
    assert isinstance(seen, TableDef) and seen.storage_format == "iceberg"
    assert [c.name for c in seen.columns] == ["id", "name"]
    assert "metadata_location" in seen.extra_properties
    nrtg.close()
    cat.rename_table("ice.events", "ice.events2")
    assert cat.list_tables("ice") == [("ice", "events2")]
    cat.drop_table("ice.events2")
    assert cat.list_tables("ice") == []
    cat.drop_namespace("ice")
    assert ("ice",) not in cat.list_namespaces()
