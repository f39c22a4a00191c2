"""Flink tables and views <-> HMS `Table` objects, exactly as Flink's HiveCatalog stores them.

Generic (Flink) tables keep their whole definition in `Table.parameters` under `flink.`
(`flink.schema.N.name`, `flink.schema.N.data-type`, watermarks, primary key, partition keys,
options verbatim). Keys nrtg does not interpret survive in `extra_properties` with their full
key. Tables without Flink keys are Hive-native and decoded by `hive_native.py`.
See ../shared/docs/FLINK_HMS_ENCODING.md for the facts this follows.
"""

from __future__ import annotations

import functools
import re

from .errors import CatalogError, TypeParseError
from .hive_native import decode_hive_table, decode_hive_view, encode_hive_table
from .hms_objects import (
    BOOKKEEPING_KEYS,
    MANAGED_TABLE,
    VIRTUAL_VIEW,
    storage_descriptor,
    table_shell,
)
from .hms_thrift.ttypes import FieldSchema, Table
from .schema import Column, ColumnKind, Ident, PrimaryKey, TableDef, ViewDef, Watermark
from .type_mapping import to_hive_type
from .type_parser import parse_flink_type
from .types import SqlType

FLINK_PREFIX = "flink."
IS_GENERIC = "is_generic"
LEGACY_SCHEMA = "generic.table.schema."
_SCHEMA_COL = re.compile(r"schema\.(\d+)\.(.+)")
_WATERMARK = re.compile(r"schema\.watermark\.(\d+)\.(.+)")
_PARTITION = re.compile(r"partition\.keys\.(\d+)\.(.+)")
_COLUMN_ATTRS = frozenset({"name", "data-type", "expr", "metadata", "virtual", "comment"})
_WATERMARK_ATTRS = frozenset({"rowtime", "strategy.expr", "strategy.data-type"})


@functools.lru_cache(maxsize=4096)
def _flink_type(text: str) -> SqlType:
    return parse_flink_type(text)


# -- classification ---------------------------------------------------------------------------
def is_generic(table: Table) -> bool:
    """HiveCatalog.isHiveTable, negated: `is_generic` decides when present, else Flink keys."""
    params = table.parameters or {}
    flag = params.get(IS_GENERIC)
    if flag is not None:
        return flag.strip().lower() == "true"
    return "flink.connector" in params or "flink.connector.type" in params


def decode(table: Table) -> TableDef | ViewDef:
    """The nrtg definition of an HMS table or view (Flink generic or Hive-native)."""
    ident = Ident(table.dbName or "", table.tableName or "")
    try:
        if not is_generic(table):
            if table.tableType == VIRTUAL_VIEW:
                return decode_hive_view(table)
            return decode_hive_table(table)
        props, extra = _split_parameters(table.parameters or {})
        if table.tableType == VIRTUAL_VIEW:
            return _decode_view(ident, table, props, extra)
        return _decode_table(ident, props, extra)
    except TypeParseError as e:
        raise CatalogError(f"table `{ident}`: {e.message}") from e


def _split_parameters(params: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(the `flink.` properties with the prefix removed, every other key but bookkeeping)."""
    props: dict[str, str] = {}
    extra: dict[str, str] = {}
    for key, value in params.items():
        if key.startswith(FLINK_PREFIX):
            props[key[len(FLINK_PREFIX) :]] = value
        elif key != IS_GENERIC and key not in BOOKKEEPING_KEYS:
            extra[key] = value
    has_connector = "connector" in props or "connector.type" in props
    if params.get(IS_GENERIC, "").lower() == "true" and has_connector:
        extra[IS_GENERIC] = params[IS_GENERIC]  # older Flink wrote it on every table: keep it
    if not any(_SCHEMA_COL.fullmatch(k) for k in props):  # Flink 1.10's prefix
        for key in [k for k in props if k.startswith(LEGACY_SCHEMA)]:
            props["schema." + key[len(LEGACY_SCHEMA) :]] = props.pop(key)
    return props, extra


def _decode_columns(props: dict[str, str], extra: dict[str, str]) -> tuple[Column, ...]:
    attrs: dict[int, dict[str, str]] = {}
    for key in [k for k in props if _SCHEMA_COL.fullmatch(k)]:
        m = _SCHEMA_COL.fullmatch(key)
        assert m is not None
        if m.group(2) in _COLUMN_ATTRS:
            attrs.setdefault(int(m.group(1)), {})[m.group(2)] = props.pop(key)
    columns = []
    for i in range(len(attrs)):
        a = attrs.pop(i, None)
        if a is None or "name" not in a:
            break
        columns.append(_decode_column(a))
    for i, a in attrs.items():  # non-contiguous leftovers: keep them verbatim
        for attr, value in a.items():
            extra[f"{FLINK_PREFIX}schema.{i}.{attr}"] = value
    return tuple(columns)


def _decode_column(a: dict[str, str]) -> Column:
    name = a["name"]
    typ = _flink_type(a["data-type"]) if "data-type" in a else None
    comment = a.get("comment")
    if "expr" in a:
        return Column(name, typ, ColumnKind.COMPUTED, expr=a["expr"], comment=comment)
    if "metadata" in a:
        key = a["metadata"]
        return Column(
            name,
            typ,
            ColumnKind.METADATA,
            metadata_key=None if key == name else key,
            virtual=a.get("virtual", "false").lower() == "true",
            comment=comment,
        )
    return Column(name, typ, comment=comment)


def _decode_watermarks(props: dict[str, str], extra: dict[str, str]) -> tuple[Watermark, ...]:
    attrs: dict[int, dict[str, str]] = {}
    for key in [k for k in props if _WATERMARK.fullmatch(k)]:
        m = _WATERMARK.fullmatch(key)
        assert m is not None
        if m.group(2) in _WATERMARK_ATTRS:
            attrs.setdefault(int(m.group(1)), {})[m.group(2)] = props.pop(key)
    result = []
    for i in range(len(attrs)):
        a = attrs.pop(i, None)
        if a is None or "rowtime" not in a or "strategy.expr" not in a:
            if a is not None:
                attrs[i] = a
            break
        dt = a.get("strategy.data-type")
        result.append(Watermark(a["rowtime"], a["strategy.expr"], _flink_type(dt) if dt else None))
    for i, a in attrs.items():
        for attr, value in a.items():
            extra[f"{FLINK_PREFIX}schema.watermark.{i}.{attr}"] = value
    return tuple(result)


def _decode_partition_keys(props: dict[str, str]) -> tuple[str, ...]:
    names: dict[int, str] = {}
    for key in [k for k in props if _PARTITION.fullmatch(k)]:
        m = _PARTITION.fullmatch(key)
        assert m is not None
        if m.group(2) == "name":
            names[int(m.group(1))] = props.pop(key)
    keys = []
    for i in range(len(names)):
        if i not in names:
            break
        keys.append(names.pop(i))
    for i, name in names.items():
        props[f"partition.keys.{i}.name"] = name
    return tuple(keys)


def _decode_primary_key(props: dict[str, str]) -> PrimaryKey | None:
    if "schema.primary-key.columns" not in props:
        return None
    columns = tuple(c.strip() for c in props.pop("schema.primary-key.columns").split(","))
    name = props.pop("schema.primary-key.name", "PK_" + "_".join(columns))
    return PrimaryKey(name, columns)


def _leftovers(props: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    """Options are what is left, except unknown `schema.`/`partition.keys.` keys and snapshot."""
    options: dict[str, str] = {}
    for key, value in props.items():
        if key.startswith(("schema.", "partition.keys.")) or key == "snapshot":
            extra[FLINK_PREFIX + key] = value
        else:
            options[key] = value
    return options


def _decode_table(ident: Ident, props: dict[str, str], extra: dict[str, str]) -> TableDef:
    columns = _decode_columns(props, extra)
    watermarks = _decode_watermarks(props, extra)
    primary_key = _decode_primary_key(props)
    partition_keys = _decode_partition_keys(props)
    comment = props.pop("comment", None)
    options = _leftovers(props, extra)
    return TableDef(
        ident=ident,
        columns=columns,
        options=options,
        watermarks=watermarks,
        primary_key=primary_key,
        partition_keys=partition_keys,
        comment=comment,
        extra_properties=extra,
    )


def _decode_view(
    ident: Ident, table: Table, props: dict[str, str], extra: dict[str, str]
) -> ViewDef:
    columns = _decode_columns(props, extra)
    comment = props.pop("comment", None)
    options = _leftovers(props, extra)
    return ViewDef(
        ident=ident,
        query=table.viewOriginalText or "",
        expanded_query=table.viewExpandedText or table.viewOriginalText or "",
        columns=columns,
        comment=comment,
        options=options,
        extra_properties=extra,
    )


# -- encoding ---------------------------------------------------------------------------------
def encode(obj: TableDef | ViewDef, *, owner: str | None = None) -> Table:
    """The HMS `Table` that Flink's HiveCatalog would write for `obj`."""
    if isinstance(obj, ViewDef):
        return _encode_view(obj, owner)
    if obj.is_hive_native:
        return encode_hive_table(obj, owner=owner)
    props = _schema_properties(obj.columns)
    for i, wm in enumerate(obj.watermarks):
        props[f"schema.watermark.{i}.rowtime"] = wm.rowtime
        props[f"schema.watermark.{i}.strategy.expr"] = wm.expr
        if wm.type is not None:
            props[f"schema.watermark.{i}.strategy.data-type"] = wm.type.serializable()
    if obj.primary_key is not None:
        props["schema.primary-key.name"] = obj.primary_key.name
        props["schema.primary-key.columns"] = ",".join(obj.primary_key.columns)
    for i, key in enumerate(obj.partition_keys):
        props[f"partition.keys.{i}.name"] = key
    if obj.comment is not None:
        props["comment"] = obj.comment
    props.update(obj.options)
    params = {FLINK_PREFIX + k: v for k, v in props.items()}
    params.update(obj.extra_properties)
    if "connector" not in obj.options and "connector.type" not in obj.options:
        params[IS_GENERIC] = "true"
    sd = storage_descriptor(_hive_columns(obj.columns))
    return table_shell(
        obj.ident.database,
        obj.ident.name,
        table_type=MANAGED_TABLE,
        sd=sd,
        parameters=params,
        owner=owner,
    )


def _encode_view(view: ViewDef, owner: str | None) -> Table:
    props = _schema_properties(view.columns)
    if view.comment is not None:
        props["comment"] = view.comment
    props.update(view.options)
    params = {FLINK_PREFIX + k: v for k, v in props.items()}
    params.update(view.extra_properties)
    params[IS_GENERIC] = "true"
    table = table_shell(
        view.ident.database,
        view.ident.name,
        table_type=VIRTUAL_VIEW,
        sd=storage_descriptor(_hive_columns(view.columns)),
        parameters=params,
        owner=owner,
    )
    table.viewOriginalText = view.query
    table.viewExpandedText = view.expanded_query
    return table


def _schema_properties(columns: tuple[Column, ...]) -> dict[str, str]:
    props: dict[str, str] = {}
    for i, col in enumerate(columns):
        props[f"schema.{i}.name"] = col.name
        if col.type is not None:
            props[f"schema.{i}.data-type"] = col.type.serializable()
        if col.kind is ColumnKind.COMPUTED:
            props[f"schema.{i}.expr"] = col.expr or ""
        elif col.kind is ColumnKind.METADATA:
            props[f"schema.{i}.metadata"] = col.metadata_key or col.name
            props[f"schema.{i}.virtual"] = "true" if col.virtual else "false"
        if col.comment is not None:
            props[f"schema.{i}.comment"] = col.comment
    return props


def _hive_columns(columns: tuple[Column, ...]) -> list[FieldSchema]:
    """Physical columns as Hive types, so Spark and Trino see them (Flink ignores them).
    A column whose type Hive cannot spell (a ROW field named `a:b`) is left out."""
    result = []
    seen: set[str] = set()  # Hive column names are case-insensitive
    for c in columns:
        if c.kind is ColumnKind.PHYSICAL and c.type is not None and c.name.lower() not in seen:
            seen.add(c.name.lower())
            try:
                hive_type = to_hive_type(c.type)
            except TypeParseError:
                continue
            result.append(FieldSchema(name=c.name.lower(), type=hive_type, comment=c.comment))
    return result
