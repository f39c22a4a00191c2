"""Flink's HiveCatalog encoding: tables Flink wrote read back exactly; what we write is what
Flink writes; unknown keys survive; Hive-native tables decode from the storage descriptor."""

from __future__ import annotations

from nrtg.catalog import flink_encoding as fe
from nrtg.catalog import types as t
from nrtg.catalog.hms_objects import storage_descriptor
from nrtg.catalog.hms_thrift.ttypes import FieldSchema, SerDeInfo, Table
from nrtg.catalog.schema import (
    Column,
    ColumnKind,
    Ident,
    PrimaryKey,
    TableDef,
    ViewDef,
    Watermark,
)

# A table as Flink 1.1x's HiveCatalog stores it (keys from a real SHOW CREATE TABLE dump).
FLINK_WRITTEN = {
    "flink.connector": "filesystem",
    "flink.path": "/data/orders",
    "flink.format": "csv",
    "flink.schema.0.name": "o_orderkey",
    "flink.schema.0.data-type": "INT",
    "flink.schema.1.name": "o_custkey",
    "flink.schema.1.data-type": "VARCHAR(2147483647)",
    "flink.schema.2.name": "o_ordertime",
    "flink.schema.2.data-type": "TIMESTAMP(3)",
    "flink.schema.3.name": "o_total",
    "flink.schema.3.data-type": "DECIMAL(10, 3)",
    "flink.schema.3.expr": "`o_orderkey` * 2",
    "flink.schema.watermark.0.rowtime": "o_ordertime",
    "flink.schema.watermark.0.strategy.expr": "`o_ordertime` - INTERVAL '5' MINUTE",
    "flink.schema.watermark.0.strategy.data-type": "TIMESTAMP(3)",
    "flink.schema.primary-key.name": "PK_o_orderkey",
    "flink.schema.primary-key.columns": "o_orderkey",
    "flink.partition.keys.0.name": "o_custkey",
    "flink.comment": "orders table",
    "is_generic": "true",
    "transient_lastDdlTime": "1700000000",
    "some.tool.key": "kept",
    "flink.snapshot": "17",
}


def _hms_table(params: dict[str, str], table_type: str = "MANAGED_TABLE") -> Table:
    return Table(
        tableName="orders",
        dbName="db",
        sd=storage_descriptor([]),
        partitionKeys=[],
        parameters=dict(params),
        tableType=table_type,
    )


def test_reads_a_table_flink_wrote() -> None:
    table = fe.decode(_hms_table(FLINK_WRITTEN))
    assert isinstance(table, TableDef)
    assert table.ident == Ident("db", "orders")
    assert [c.name for c in table.columns] == ["o_orderkey", "o_custkey", "o_ordertime", "o_total"]
    assert table.columns[1].type == t.string()
    assert table.columns[3] == Column(
        "o_total", t.decimal(10, 3), ColumnKind.COMPUTED, expr="`o_orderkey` * 2"
    )
    assert table.watermarks == (
        Watermark("o_ordertime", "`o_ordertime` - INTERVAL '5' MINUTE", t.timestamp(3)),
    )
    assert table.primary_key == PrimaryKey("PK_o_orderkey", ("o_orderkey",))
    assert table.partition_keys == ("o_custkey",)
    assert table.comment == "orders table"
    assert table.options == {"connector": "filesystem", "path": "/data/orders", "format": "csv"}
    # Unknown keys survive; HMS bookkeeping does not belong to the definition.
    assert table.extra_properties == {
        "some.tool.key": "kept",
        "flink.snapshot": "17",
        "is_generic": "true",
    }


def test_flink_written_table_writes_back_the_same_keys() -> None:
    table = fe.decode(_hms_table(FLINK_WRITTEN))
    written = fe.encode(table).parameters
    expected = {k: v for k, v in FLINK_WRITTEN.items() if k != "transient_lastDdlTime"}
    assert written == expected


def test_written_table_has_flink_shape_and_hive_columns() -> None:
    table = TableDef(
        Ident("db", "clicks"),
        (
            Column("user", t.bigint(False)),
            Column("url", t.string()),
            Column("n", t.int_(), ColumnKind.COMPUTED, expr="1"),
        ),
        {"connector": "kafka", "topic": "clicks"},
    )
    hms = fe.encode(table)
    assert hms.tableType == "MANAGED_TABLE"
    assert hms.partitionKeys == []
    assert "is_generic" not in hms.parameters  # it has a connector
    assert hms.parameters["flink.connector"] == "kafka"
    assert hms.parameters["flink.schema.0.data-type"] == "BIGINT NOT NULL"
    assert hms.parameters["flink.schema.1.data-type"] == "VARCHAR(2147483647)"
    assert hms.sd.serdeInfo.serializationLib.endswith("LazySimpleSerDe")
    assert hms.sd.serdeInfo.parameters == {"serialization.format": "1"}
    assert hms.sd.inputFormat == "org.apache.hadoop.mapred.TextInputFormat"
    assert hms.sd.numBuckets == -1
    # Physical columns only, as Hive types, for Spark and Trino.
    assert [(c.name, c.type) for c in hms.sd.cols] == [("user", "bigint"), ("url", "string")]


def test_table_without_connector_is_marked_generic() -> None:
    table = TableDef(Ident("db", "t"), (Column("a", t.int_()),), {"connector.type": "kafka"})
    assert "is_generic" not in fe.encode(table).parameters
    bare = TableDef(Ident("db", "t"), (Column("a", t.int_()),), {"format": "json"})
    assert fe.encode(bare).parameters["is_generic"] == "true"
    assert fe.decode(fe.encode(bare)) == bare


def test_is_generic_classification() -> None:
    assert fe.is_generic(_hms_table({"flink.connector": "kafka"}))
    assert fe.is_generic(_hms_table({"flink.connector.type": "kafka"}))
    assert fe.is_generic(_hms_table({"is_generic": "TRUE"}))
    assert not fe.is_generic(_hms_table({"is_generic": "false", "flink.connector": "kafka"}))
    assert not fe.is_generic(_hms_table({"comment": "x"}))


def test_legacy_generic_table_schema_prefix() -> None:
    params = {
        "is_generic": "true",
        "flink.connector.type": "kafka",
        "flink.generic.table.schema.0.name": "a",
        "flink.generic.table.schema.0.data-type": "BIGINT",
        "flink.generic.table.schema.1.name": "b",
        "flink.generic.table.schema.1.data-type": "VARCHAR(10)",
    }
    table = fe.decode(_hms_table(params))
    assert isinstance(table, TableDef)
    assert [(c.name, c.type) for c in table.columns] == [("a", t.bigint()), ("b", t.varchar(10))]
    assert table.options == {"connector.type": "kafka"}


def test_metadata_columns() -> None:
    table = TableDef(
        Ident("db", "t"),
        (
            Column("ts", t.timestamp_ltz(3), ColumnKind.METADATA, metadata_key="timestamp"),
            Column("offset", t.bigint(), ColumnKind.METADATA, virtual=True),
        ),
        {"connector": "kafka"},
    )
    params = fe.encode(table).parameters
    assert params["flink.schema.0.metadata"] == "timestamp"
    assert params["flink.schema.0.virtual"] == "false"
    assert params["flink.schema.0.data-type"] == "TIMESTAMP(3) WITH LOCAL TIME ZONE"
    assert params["flink.schema.1.metadata"] == "offset"
    assert params["flink.schema.1.virtual"] == "true"
    assert fe.decode(fe.encode(table)) == table


def test_non_contiguous_and_unknown_schema_keys_survive() -> None:
    params = {
        "flink.connector": "kafka",
        "flink.schema.0.name": "a",
        "flink.schema.0.data-type": "INT",
        "flink.schema.0.future-attr": "x",
        "flink.schema.2.name": "orphan",
        "flink.schema.2.data-type": "INT",
    }
    table = fe.decode(_hms_table(params))
    assert isinstance(table, TableDef)
    assert [c.name for c in table.columns] == ["a"]
    assert fe.encode(table).parameters == params


def test_views_are_virtual_views_with_flink_schema() -> None:
    view = ViewDef(
        Ident("db", "v"),
        query="SELECT a FROM t",
        expanded_query="SELECT `t`.`a` FROM `cat`.`db`.`t`",
        columns=(Column("a", t.int_()),),
        comment="a view",
    )
    hms = fe.encode(view)
    assert hms.tableType == "VIRTUAL_VIEW"
    assert hms.viewOriginalText == "SELECT a FROM t"
    assert hms.viewExpandedText == "SELECT `t`.`a` FROM `cat`.`db`.`t`"
    assert hms.parameters["is_generic"] == "true"
    assert hms.parameters["flink.schema.0.name"] == "a"
    assert fe.decode(hms) == view


def _hive_table(serde: str, input_format: str, **params: str) -> Table:
    sd = storage_descriptor(
        [FieldSchema("id", "bigint", "the id"), FieldSchema("tags", "array<string>", None)],
        location="hdfs://nn/warehouse/db.db/events",
        serde=serde,
        serde_params={"field.delim": ","},
        input_format=input_format,
    )
    return Table(
        tableName="events",
        dbName="db",
        sd=sd,
        partitionKeys=[FieldSchema("dt", "string", None)],
        parameters={"transient_lastDdlTime": "1", "numRows": "3", **params},
        tableType="EXTERNAL_TABLE",
    )


def test_hive_native_tables_decode_from_storage_descriptor() -> None:
    cases = {
        "parquet": (
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        ),
        "orc": (
            "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
            "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
        ),
        "textfile": (
            "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
            "org.apache.hadoop.mapred.TextInputFormat",
        ),
        "csv": (
            "org.apache.hadoop.hive.serde2.OpenCSVSerde",
            "org.apache.hadoop.mapred.TextInputFormat",
        ),
        "json": (
            "org.apache.hive.hcatalog.data.JsonSerDe",
            "org.apache.hadoop.mapred.TextInputFormat",
        ),
    }
    for fmt, (serde, input_format) in cases.items():
        table = fe.decode(_hive_table(serde, input_format, EXTERNAL="TRUE", comment="events"))
        assert isinstance(table, TableDef)
        assert table.is_hive_native
        assert table.storage_format == fmt
        assert table.location == "hdfs://nn/warehouse/db.db/events"
        assert [(c.name, c.type) for c in table.columns] == [
            ("id", t.bigint()),
            ("tags", t.array(t.string())),
            ("dt", t.string()),
        ]
        assert table.columns[0].comment == "the id"
        assert table.partition_keys == ("dt",)
        assert table.comment == "events"
        assert table.options == {"connector": "hive", "serde.field.delim": ","}
        assert table.extra_properties == {"EXTERNAL": "TRUE"}
        # ... and writes back as the same Hive table.
        again = fe.encode(table)
        assert again.tableType == "EXTERNAL_TABLE"
        assert [f.name for f in again.partitionKeys] == ["dt"]
        assert fe.decode(again) == table


def test_is_generic_false_wins_over_flink_keys() -> None:
    hms = _hive_table(
        "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
        "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
        is_generic="false",
    )
    table = fe.decode(hms)
    assert isinstance(table, TableDef) and table.is_hive_native


def test_serde_info_defaults() -> None:
    sd = storage_descriptor([])
    assert sd.serdeInfo == SerDeInfo(
        name=None,
        serializationLib="org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        parameters={"serialization.format": "1"},
    )
