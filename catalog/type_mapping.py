"""SqlType to and from the other type systems nrtg talks to: Hive column types (the HMS storage
descriptor), Arrow (data in flight) and DuckDB (the batch target).

Hive strings follow Flink's HiveTypeUtil where Hive has the type; where it has none (TIME,
MULTISET, over-long CHAR/VARCHAR) the closest type that Spark and Trino can read is used.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import types as t
from .errors import TypeParseError
from .types import Kind, SqlType

if TYPE_CHECKING:
    import pyarrow as pa

HIVE_MAX_CHAR = 255
_HIVE_FIELD = re.compile(r"[^:<>,`\s]+")
HIVE_MAX_VARCHAR = 65535

_HIVE_SIMPLE = {
    Kind.BOOLEAN: "boolean",
    Kind.TINYINT: "tinyint",
    Kind.SMALLINT: "smallint",
    Kind.INT: "int",
    Kind.BIGINT: "bigint",
    Kind.FLOAT: "float",
    Kind.DOUBLE: "double",
    Kind.DATE: "date",
    Kind.TIME: "string",
    Kind.TIMESTAMP: "timestamp",
    Kind.TIMESTAMP_LTZ: "timestamp",
    Kind.BINARY: "binary",
    Kind.VARBINARY: "binary",
    Kind.INTERVAL_YEAR_MONTH: "interval_year_month",
    Kind.INTERVAL_DAY_TIME: "interval_day_time",
    Kind.NULL: "void",
}


def to_hive_type(typ: SqlType) -> str:
    """The Hive column type string for `typ` (`struct<a:int,b:array<string>>`)."""
    k = typ.kind
    if k in _HIVE_SIMPLE:
        return _HIVE_SIMPLE[k]
    if k is Kind.CHAR:
        n = typ.precision or 1
        return f"char({n})" if n <= HIVE_MAX_CHAR else "string"
    if k is Kind.VARCHAR:
        n = typ.precision or 1
        return f"varchar({n})" if n <= HIVE_MAX_VARCHAR else "string"
    if k is Kind.DECIMAL:
        return f"decimal({typ.precision},{typ.scale})"
    if k is Kind.ARRAY:
        assert typ.element is not None
        return f"array<{to_hive_type(typ.element)}>"
    if k is Kind.MULTISET:
        assert typ.element is not None
        return f"map<{to_hive_type(typ.element)},int>"
    if k is Kind.MAP:
        assert typ.element is not None and typ.value is not None
        return f"map<{to_hive_type(typ.element)},{to_hive_type(typ.value)}>"
    if k is Kind.ROW:
        bad = [f.name for f in typ.fields if not _HIVE_FIELD.fullmatch(f.name)]
        if bad:
            raise TypeParseError(f"ROW field name {bad[0]!r} cannot be written as a Hive type")
        inner = ",".join(f"{f.name}:{to_hive_type(f.type)}" for f in typ.fields)
        return f"struct<{inner}>"
    raise TypeParseError(f"type {typ} has no Hive equivalent")


def from_hive_type(text: str) -> SqlType:
    """The SqlType of a Hive column type string (nullable, as every Hive column is)."""
    from .type_parser import parse_hive_type

    return parse_hive_type(text)


# -- Arrow ------------------------------------------------------------------------------------
def to_arrow_type(typ: SqlType) -> pa.DataType:
    """The Arrow type nrtg uses for `typ` in record batches (nullability lives on the field)."""
    import pyarrow as pa

    k = typ.kind
    simple: dict[Kind, pa.DataType] = {
        Kind.BOOLEAN: pa.bool_(),
        Kind.TINYINT: pa.int8(),
        Kind.SMALLINT: pa.int16(),
        Kind.INT: pa.int32(),
        Kind.BIGINT: pa.int64(),
        Kind.FLOAT: pa.float32(),
        Kind.DOUBLE: pa.float64(),
        Kind.CHAR: pa.string(),
        Kind.VARCHAR: pa.string(),
        Kind.BINARY: pa.binary(),
        Kind.VARBINARY: pa.binary(),
        Kind.DATE: pa.date32(),
        Kind.NULL: pa.null(),
        Kind.INTERVAL_YEAR_MONTH: pa.int32(),  # months, as Flink stores them
        Kind.INTERVAL_DAY_TIME: pa.duration("ms"),
    }
    if k in simple:
        return simple[k]
    if k is Kind.DECIMAL:
        return pa.decimal128(typ.precision or 10, typ.scale or 0)
    if k is Kind.TIME:
        p = typ.precision or 0
        return pa.time32("ms") if p <= 3 else pa.time64("us" if p <= 6 else "ns")
    if k in (Kind.TIMESTAMP, Kind.TIMESTAMP_LTZ):
        tz = "UTC" if k is Kind.TIMESTAMP_LTZ else None
        return pa.timestamp(_unit(typ.precision), tz=tz)
    if k is Kind.ARRAY:
        assert typ.element is not None
        return pa.list_(to_arrow_field("element", typ.element))
    if k is Kind.MULTISET:
        assert typ.element is not None
        return pa.map_(to_arrow_type(typ.element), pa.int32())
    if k is Kind.MAP:
        assert typ.element is not None and typ.value is not None
        key = to_arrow_field("key", typ.element.with_nullable(False))
        return pa.map_(key, to_arrow_field("value", typ.value))
    if k is Kind.ROW:
        return pa.struct([to_arrow_field(f.name, f.type) for f in typ.fields])
    raise TypeParseError(f"type {typ} has no Arrow equivalent")


def to_arrow_field(name: str, typ: SqlType) -> pa.Field:
    import pyarrow as pa

    return pa.field(name, to_arrow_type(typ), nullable=typ.nullable)


def _unit(precision: int | None) -> str:
    p = 6 if precision is None else precision
    return "s" if p == 0 else "ms" if p <= 3 else "us" if p <= 6 else "ns"


_UNIT_PRECISION = {"s": 0, "ms": 3, "us": 6, "ns": 9}


def from_arrow_type(dtype: pa.DataType, nullable: bool = True) -> SqlType:
    """The SqlType for an Arrow type (strings become STRING, binaries BYTES)."""
    import pyarrow as pa
    import pyarrow.types as pat

    result: SqlType
    if pat.is_boolean(dtype):
        result = t.boolean()
    elif pat.is_int8(dtype):
        result = t.tinyint()
    elif pat.is_int16(dtype) or pat.is_uint8(dtype):
        result = t.smallint()
    elif pat.is_int32(dtype) or pat.is_uint16(dtype):
        result = t.int_()
    elif pat.is_int64(dtype) or pat.is_uint32(dtype) or pat.is_uint64(dtype):
        result = t.bigint()
    elif pat.is_float16(dtype) or pat.is_float32(dtype):
        result = t.float_()
    elif pat.is_float64(dtype):
        result = t.double()
    elif pat.is_string(dtype) or pat.is_large_string(dtype) or pat.is_string_view(dtype):
        result = t.string()
    elif pat.is_fixed_size_binary(dtype):
        result = t.binary(dtype.byte_width)
    elif pat.is_binary(dtype) or pat.is_large_binary(dtype) or pat.is_binary_view(dtype):
        result = t.bytes_()
    elif pat.is_decimal(dtype):
        result = t.decimal(dtype.precision, dtype.scale)
    elif pat.is_date(dtype):
        result = t.date()
    elif pat.is_time(dtype):
        result = t.time(_UNIT_PRECISION[dtype.unit])
    elif pat.is_timestamp(dtype):
        p = _UNIT_PRECISION[dtype.unit]
        result = t.timestamp_ltz(p) if dtype.tz is not None else t.timestamp(p)
    elif pat.is_duration(dtype):
        result = t.interval_day_time()
    elif pat.is_null(dtype):
        return t.null()
    elif pat.is_map(dtype):
        result = t.map_(
            from_arrow_type(dtype.key_type, False),
            from_arrow_type(dtype.item_type, dtype.item_field.nullable),
        )
    elif pat.is_list(dtype) or pat.is_large_list(dtype) or pat.is_fixed_size_list(dtype):
        result = t.array(from_arrow_type(dtype.value_type, dtype.value_field.nullable))
    elif pat.is_struct(dtype):
        fields = [dtype.field(i) for i in range(dtype.num_fields)]
        result = t.row([(f.name, from_arrow_type(f.type, f.nullable)) for f in fields])
    elif isinstance(dtype, pa.DictionaryType):
        return from_arrow_type(dtype.value_type, nullable)
    else:
        raise TypeParseError(f"Arrow type {dtype} has no SQL equivalent")
    return result.with_nullable(nullable)


# -- DuckDB -----------------------------------------------------------------------------------
_DUCKDB_SIMPLE = {
    Kind.BOOLEAN: "BOOLEAN",
    Kind.TINYINT: "TINYINT",
    Kind.SMALLINT: "SMALLINT",
    Kind.INT: "INTEGER",
    Kind.BIGINT: "BIGINT",
    Kind.FLOAT: "FLOAT",
    Kind.DOUBLE: "DOUBLE",
    Kind.CHAR: "VARCHAR",
    Kind.VARCHAR: "VARCHAR",
    Kind.BINARY: "BLOB",
    Kind.VARBINARY: "BLOB",
    Kind.DATE: "DATE",
    Kind.TIME: "TIME",
    Kind.TIMESTAMP_LTZ: "TIMESTAMPTZ",
    Kind.INTERVAL_YEAR_MONTH: "INTERVAL",
    Kind.INTERVAL_DAY_TIME: "INTERVAL",
    Kind.NULL: "NULL",
}


def to_duckdb_type(typ: SqlType) -> str:
    """The DuckDB type name for `typ` (for CAST and CREATE TABLE in the batch target)."""
    k = typ.kind
    if k in _DUCKDB_SIMPLE:
        return _DUCKDB_SIMPLE[k]
    if k is Kind.TIMESTAMP:
        p = 6 if typ.precision is None else typ.precision
        return (
            "TIMESTAMP_S"
            if p == 0
            else "TIMESTAMP_MS"
            if p <= 3
            else ("TIMESTAMP" if p <= 6 else "TIMESTAMP_NS")
        )
    if k is Kind.DECIMAL:
        return f"DECIMAL({typ.precision}, {typ.scale})"
    if k is Kind.ARRAY:
        assert typ.element is not None
        return f"{to_duckdb_type(typ.element)}[]"
    if k is Kind.MULTISET:
        assert typ.element is not None
        return f"MAP({to_duckdb_type(typ.element)}, INTEGER)"
    if k is Kind.MAP:
        assert typ.element is not None and typ.value is not None
        return f"MAP({to_duckdb_type(typ.element)}, {to_duckdb_type(typ.value)})"
    if k is Kind.ROW:
        if not typ.fields:
            raise TypeParseError("an empty ROW has no DuckDB equivalent")
        inner = ", ".join(f'"{_dq(f.name)}" {to_duckdb_type(f.type)}' for f in typ.fields)
        return f"STRUCT({inner})"
    raise TypeParseError(f"type {typ} has no DuckDB equivalent")


def _dq(name: str) -> str:
    return name.replace('"', '""')
