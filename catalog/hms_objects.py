"""Builders for the HMS Thrift objects every nrtg table shares: Hive's default storage descriptor
(LazySimpleSerDe over text files, as Hive's `Table.getEmptyTable` makes it) and the table shell.
"""

from __future__ import annotations

import getpass
import time

from .hms_thrift.ttypes import (
    FieldSchema,
    PrincipalType,
    SerDeInfo,
    SkewedInfo,
    StorageDescriptor,
    Table,
)

LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
TEXT_INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

MANAGED_TABLE = "MANAGED_TABLE"
EXTERNAL_TABLE = "EXTERNAL_TABLE"
VIRTUAL_VIEW = "VIRTUAL_VIEW"

# Parameters the metastore maintains itself; never part of a table definition.
BOOKKEEPING_KEYS = frozenset(
    {
        "transient_lastDdlTime",
        "numFiles",
        "numFilesErasureCoded",
        "numRows",
        "rawDataSize",
        "totalSize",
        "COLUMN_STATS_ACCURATE",
        "last_modified_by",
        "last_modified_time",
    }
)


def storage_descriptor(
    cols: list[FieldSchema],
    *,
    location: str | None = None,
    serde: str = LAZY_SIMPLE_SERDE,
    serde_params: dict[str, str] | None = None,
    input_format: str = TEXT_INPUT_FORMAT,
    output_format: str = TEXT_OUTPUT_FORMAT,
) -> StorageDescriptor:
    params = {"serialization.format": "1"} if serde_params is None else dict(serde_params)
    return StorageDescriptor(
        cols=cols,
        location=location,
        inputFormat=input_format,
        outputFormat=output_format,
        compressed=False,
        numBuckets=-1,
        serdeInfo=SerDeInfo(name=None, serializationLib=serde, parameters=params),
        bucketCols=[],
        sortCols=[],
        parameters={},
        skewedInfo=SkewedInfo(skewedColNames=[], skewedColValues=[], skewedColValueLocationMaps={}),
        storedAsSubDirectories=False,
    )


def table_shell(
    database: str,
    name: str,
    *,
    table_type: str,
    sd: StorageDescriptor,
    parameters: dict[str, str],
    partition_keys: list[FieldSchema] | None = None,
    owner: str | None = None,
) -> Table:
    return Table(
        tableName=name,
        dbName=database,
        owner=owner if owner is not None else _user(),
        createTime=int(time.time()),
        lastAccessTime=0,
        retention=0,
        sd=sd,
        partitionKeys=partition_keys or [],
        parameters=parameters,
        tableType=table_type,
        ownerType=PrincipalType.USER,
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "nrtg"
