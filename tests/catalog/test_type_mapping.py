"""SqlType <-> Hive type strings, Arrow types and DuckDB type names."""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings

from nrtg.catalog import types as t
from nrtg.catalog.errors import TypeParseError
from nrtg.catalog.type_mapping import (
    from_arrow_type,
    from_hive_type,
    to_arrow_type,
    to_duckdb_type,
    to_hive_type,
)
from nrtg.catalog.types import Kind, SqlType

from .strategies import sql_types


def test_hive_type_strings() -> None:
    assert to_hive_type(t.string()) == "string"
    assert to_hive_type(t.varchar(10)) == "varchar(10)"
    assert to_hive_type(t.varchar(70000)) == "string"
    assert to_hive_type(t.char(3)) == "char(3)"
    assert to_hive_type(t.decimal(10, 2)) == "decimal(10,2)"
    assert to_hive_type(t.timestamp(3)) == "timestamp"
    assert to_hive_type(t.timestamp_ltz(3)) == "timestamp"
    assert to_hive_type(t.bytes_()) == "binary"
    assert to_hive_type(t.time(0)) == "string"
    with pytest.raises(TypeParseError):
        to_hive_type(t.row([("a:b", t.int_())]))
    nested = t.row([("a", t.int_()), ("b", t.array(t.map_(t.string(), t.bigint())))])
    assert to_hive_type(nested) == "struct<a:int,b:array<map<string,bigint>>>"
    assert from_hive_type("struct<a:int,b:array<map<string,bigint>>>") == nested


def _hive_normal(typ: SqlType) -> bool:
    """Types that Hive has exactly (so the mapping round-trips)."""
    if typ.kind in (Kind.TIME, Kind.TIMESTAMP_LTZ, Kind.MULTISET, Kind.BINARY, Kind.NULL):
        return False
    if typ.kind in (Kind.INTERVAL_DAY_TIME, Kind.INTERVAL_YEAR_MONTH):
        return False
    children = [typ.element, typ.value, *(f.type for f in typ.fields)]
    return all(_hive_normal(c) for c in children if c is not None)


def _hive_names(typ: SqlType) -> bool:
    names_ok = all(re.fullmatch(r"[^:<>,`\s]+", f.name) for f in typ.fields)
    children = [typ.element, typ.value, *(f.type for f in typ.fields)]
    return names_ok and all(_hive_names(c) for c in children if c is not None)


@given(sql_types.filter(_hive_names))
@settings(max_examples=200, deadline=None)
def test_every_type_has_a_hive_column_type(typ: SqlType) -> None:
    text = to_hive_type(typ)
    back = from_hive_type(text)  # Hive parses what we write
    assert to_hive_type(back) == text


def test_arrow_types() -> None:
    assert to_arrow_type(t.bigint()) == pa.int64()
    assert to_arrow_type(t.string()) == pa.string()
    assert to_arrow_type(t.decimal(10, 2)) == pa.decimal128(10, 2)
    assert to_arrow_type(t.timestamp(3)) == pa.timestamp("ms")
    assert to_arrow_type(t.timestamp_ltz(6)) == pa.timestamp("us", tz="UTC")
    assert to_arrow_type(t.array(t.int_(False))) == pa.list_(pa.field("element", pa.int32(), False))
    row = t.row([("a", t.int_()), ("b", t.string(False))])
    assert to_arrow_type(row) == pa.struct(
        [pa.field("a", pa.int32()), pa.field("b", pa.string(), nullable=False)]
    )
    assert from_arrow_type(pa.large_string()) == t.string()
    assert from_arrow_type(pa.timestamp("ns")) == t.timestamp(9)
    assert from_arrow_type(pa.dictionary(pa.int32(), pa.string())) == t.string()


def _arrow_exact(typ: SqlType) -> bool:
    if typ.kind in (Kind.CHAR, Kind.BINARY, Kind.MULTISET, Kind.NULL, Kind.TIME):
        return False
    if typ.kind in (Kind.INTERVAL_DAY_TIME, Kind.INTERVAL_YEAR_MONTH):
        return False
    if typ.kind is Kind.VARCHAR and typ.precision != t.MAX_LENGTH:
        return False
    if typ.kind is Kind.VARBINARY and typ.precision != t.MAX_LENGTH:
        return False
    if typ.is_timestamp and typ.precision not in (0, 3, 6, 9):
        return False
    if typ.kind is Kind.MAP and typ.element is not None and typ.element.nullable:
        return False
    children = [typ.element, typ.value, *(f.type for f in typ.fields)]
    if any(f.description is not None for f in typ.fields):
        return False
    return all(_arrow_exact(c) for c in children if c is not None)


@given(sql_types)
@settings(max_examples=300, deadline=None)
def test_arrow_round_trip_for_exact_types(typ: SqlType) -> None:
    arrow = to_arrow_type(typ)
    back = from_arrow_type(arrow, typ.nullable)
    if _arrow_exact(typ):
        assert back == typ
    else:
        assert to_arrow_type(back) == arrow or back.kind is not None


def _no_empty_row(typ: SqlType) -> bool:
    children = [typ.element, typ.value, *(f.type for f in typ.fields)]
    if typ.kind is Kind.ROW and not typ.fields:
        return False
    return all(_no_empty_row(c) for c in children if c is not None)


@given(sql_types.filter(_no_empty_row))
@settings(max_examples=100, deadline=None)
def test_duckdb_accepts_every_type_name(typ: SqlType) -> None:
    con = duckdb.connect()
    con.execute(f"SELECT CAST(NULL AS {to_duckdb_type(typ)})")
    con.close()


def test_duckdb_type_names() -> None:
    assert to_duckdb_type(t.int_()) == "INTEGER"
    assert to_duckdb_type(t.timestamp(3)) == "TIMESTAMP_MS"
    assert to_duckdb_type(t.timestamp_ltz(6)) == "TIMESTAMPTZ"
    assert to_duckdb_type(t.array(t.string())) == "VARCHAR[]"
    assert to_duckdb_type(t.row([("a b", t.int_())])) == 'STRUCT("a b" INTEGER)'
