"""Hive-native tables (no Flink keys): columns in the storage descriptor, partition keys, a
location and a file format. nrtg reads them as `connector=hive` tables the batch target can scan.

Iceberg tables (`table_type=ICEBERG`) read with storage_format `iceberg`; their
`metadata_location` is among the extra properties and reaches the scan as the option
`metadata-location` (options other than `serde.*` are never written back). Serde parameters (`field.delim`, ...) appear as `serde.<key>` options; other table parameters
are kept in `extra_properties` and written back unchanged.
"""

from __future__ import annotations

from .hms_objects import (
    BOOKKEEPING_KEYS,
    EXTERNAL_TABLE,
    LAZY_SIMPLE_SERDE,
    MANAGED_TABLE,
    storage_descriptor,
    table_shell,
)
from .hms_thrift.ttypes import FieldSchema, Table
from .schema import Column, ColumnKind, Ident, TableDef, ViewDef
from .type_mapping import from_hive_type, to_hive_type

SERDE_PREFIX = "serde."

# storage_format -> (serde, input format, output format)
FORMATS: dict[str, tuple[str, str, str]] = {
    "parquet": (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    ),
    "orc": (
        "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
        "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
        "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
    ),
    "textfile": (
        LAZY_SIMPLE_SERDE,
        "org.apache.hadoop.mapred.TextInputFormat",
        "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    ),
    "csv": (
        "org.apache.hadoop.hive.serde2.OpenCSVSerde",
        "org.apache.hadoop.mapred.TextInputFormat",
        "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    ),
    "json": (
        "org.apache.hive.hcatalog.data.JsonSerDe",
        "org.apache.hadoop.mapred.TextInputFormat",
        "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    ),
    "avro": (
        "org.apache.hadoop.hive.serde2.avro.AvroSerDe",
        "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
        "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat",
    ),
}


def storage_format(serde: str | None, input_format: str | None) -> str | None:
    """parquet, orc, csv, json, avro or textfile, from the serde and input format classes."""
    text = f"{serde or ''} {input_format or ''}".lower()
    for needle, fmt in (
        ("parquet", "parquet"),
        ("orc", "orc"),
        ("csv", "csv"),
        ("json", "json"),
        ("avro", "avro"),
        ("textinputformat", "textfile"),
        ("lazysimpleserde", "textfile"),
    ):
        if needle in text:
            return fmt
    return None


def _columns(fields: list[FieldSchema] | None) -> list[Column]:
    return [Column(f.name, from_hive_type(f.type), comment=f.comment) for f in fields or []]


def _parameters(table: Table) -> tuple[str | None, dict[str, str]]:
    params = dict(table.parameters or {})
    comment = params.pop("comment", None)
    extra = {k: v for k, v in params.items() if k not in BOOKKEEPING_KEYS}
    return comment, extra


def decode_hive_table(table: Table) -> TableDef:
    sd = table.sd
    partition_cols = _columns(table.partitionKeys)
    columns = _columns(sd.cols if sd else None) + partition_cols
    options = {"connector": "hive"}
    serde_info = sd.serdeInfo if sd else None
    for key, value in sorted(((serde_info.parameters if serde_info else None) or {}).items()):
        options[SERDE_PREFIX + key] = value
    comment, extra = _parameters(table)
    fmt = storage_format(
        serde_info.serializationLib if serde_info else None, sd.inputFormat if sd else None
    )
    if extra.get("table_type", "").upper() == "ICEBERG":  # pyiceberg, Spark, Trino
        fmt = "iceberg"
        if "metadata_location" in extra:
            options["metadata-location"] = extra["metadata_location"]
    return TableDef(
        ident=Ident(table.dbName or "", table.tableName or ""),
        columns=tuple(columns),
        options=options,
        partition_keys=tuple(c.name for c in partition_cols),
        comment=comment,
        extra_properties=extra,
        location=sd.location if sd else None,
        storage_format=fmt,
    )


def decode_hive_view(table: Table) -> ViewDef:
    comment, extra = _parameters(table)
    original = table.viewOriginalText or ""
    return ViewDef(
        ident=Ident(table.dbName or "", table.tableName or ""),
        query=original,
        expanded_query=table.viewExpandedText or original,
        columns=tuple(_columns(table.sd.cols if table.sd else None)),
        comment=comment,
        extra_properties=extra,
    )


def encode_hive_table(obj: TableDef, *, owner: str | None = None) -> Table:
    """A Hive-native table: columns and partition keys in the storage descriptor."""
    by_name = {c.name: c for c in obj.columns}
    partition_set = set(obj.partition_keys)

    def schema(c: Column) -> FieldSchema:
        if c.kind is not ColumnKind.PHYSICAL or c.type is None:
            from .errors import CatalogError

            raise CatalogError(
                f"table `{obj.ident}`: Hive tables have only physical columns; "
                f"`{c.name}` is {c.kind.value}"
            )
        return FieldSchema(name=c.name, type=to_hive_type(c.type), comment=c.comment)

    cols = [schema(c) for c in obj.columns if c.name not in partition_set]
    keys = [schema(by_name[k]) for k in obj.partition_keys if k in by_name]
    fmt = obj.storage_format or "textfile"
    serde, input_format, output_format = FORMATS.get(fmt, FORMATS["textfile"])
    serde_params = {
        k[len(SERDE_PREFIX) :]: v for k, v in obj.options.items() if k.startswith(SERDE_PREFIX)
    }
    sd = storage_descriptor(
        cols,
        location=obj.location,
        serde=serde,
        serde_params=serde_params,
        input_format=input_format,
        output_format=output_format,
    )
    params = dict(obj.extra_properties)
    if obj.comment is not None:
        params["comment"] = obj.comment
    external = params.get("EXTERNAL", "").upper() == "TRUE"
    return table_shell(
        obj.ident.database,
        obj.ident.name,
        table_type=EXTERNAL_TABLE if external else MANAGED_TABLE,
        sd=sd,
        parameters=params,
        partition_keys=keys,
        owner=owner,
    )
