"""Changelog sources in batch: debezium-json files (and Arrow tables with a "$op" column).

A changelog table registers either as its rows with their kind in "$op" (I, UB, UA, D), which
the event-time temporal join reads as versions, or folded to its final contents: the inserted
rows (+I, +U) minus the retracted ones (-U, -D) as a multiset (EXCEPT ALL), which is what
applying the changelog in order gives when it is consistent; with a primary key, each key's last
change in source order, unless it is a retraction.

Debezium (Flink's debezium-json format): `op` c and r are +I(after), u is -U(before) and
+U(after), d is -D(before); with `debezium-json.schema-include` the record is under "payload".
Metadata columns: `ingestion-timestamp` (ts_ms), `source.timestamp` (source.ts_ms),
`source.database`, `source.schema`, `source.table` (with or without the `value.` prefix).
"""

from __future__ import annotations

from collections.abc import Callable

from nrtg.catalog.types import Kind
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.lower.duckdb_types import duck_type_text
from nrtg.compiler.plan.nodes import TableScan

OP = "$op"

_SOURCE_STRUCT = 'STRUCT("ts_ms" BIGINT, "db" VARCHAR, "schema" VARCHAR, "table" VARCHAR)'

_METADATA: dict[str, str] = {
    "ingestion-timestamp": 'epoch_ms("ts_ms")',
    "source.timestamp": "epoch_ms(struct_extract(\"source\", 'ts_ms'))",
    "source.database": "struct_extract(\"source\", 'db')",
    "source.schema": "struct_extract(\"source\", 'schema')",
    "source.table": "struct_extract(\"source\", 'table')",
}


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def debezium_changes(scan: TableScan, reader: Callable[[list[tuple[str, str]]], str]) -> str:
    """A subquery over debezium-json records: the scan's columns plus "$op" and "$seq" (source
    order). `reader(columns)` returns the DuckDB reader over records of the given (name, DuckDB
    type) fields."""
    opts = dict(scan.options)
    keys = scan.metadata_keys or (None,) * len(scan.fields)
    physical = [f for f, k in zip(scan.fields, keys, strict=True) if k is None]
    image = "STRUCT(" + ", ".join(f"{q(f.name)} {duck_type_text(f.type)}" for f in physical) + ")"
    record = {
        "before": image,
        "after": image,
        "op": "VARCHAR",
        "ts_ms": "BIGINT",
        "source": _SOURCE_STRUCT,
    }
    if opts.get("debezium-json.schema-include", "false").lower() == "true":
        payload = "STRUCT(" + ", ".join(f"{q(k)} {v}" for k, v in record.items()) + ")"
        rows = f"(SELECT unnest(payload) FROM {reader([('payload', payload)])})"
    else:
        rows = reader(list(record.items()))
    numbered = f'(SELECT row_number() OVER () AS "$n", * FROM {rows})'

    def columns(side: str) -> str:
        out = []
        for f, k in zip(scan.fields, keys, strict=True):
            if k is None:
                out.append(f"struct_extract({q(side)}, {lit(f.name)}) AS {q(f.name)}")
            else:
                out.append(f"{_metadata(k, f.type.kind)} AS {q(f.name)}")
        return ", ".join(out)

    after = (
        f"SELECT {columns('after')}, CASE WHEN op = 'u' THEN 'UA' ELSE 'I' END AS {q(OP)}, "
        f"\"$n\" * 2 + 1 AS \"$seq\" FROM {numbered} WHERE op IN ('c', 'r', 'u')"
    )
    before = (
        f"SELECT {columns('before')}, CASE WHEN op = 'u' THEN 'UB' ELSE 'D' END AS {q(OP)}, "
        f"\"$n\" * 2 AS \"$seq\" FROM {numbered} WHERE op IN ('u', 'd')"
    )
    return f"({after} UNION ALL {before})"


def _metadata(key: str, kind: Kind) -> str:
    name = key.removeprefix("value.")
    expr = _METADATA.get(name)
    if expr is None:
        raise UnsupportedError(f"debezium-json metadata {key!r} is not supported yet")
    if kind is Kind.TIMESTAMP_LTZ:
        expr = f"timezone('UTC', {expr})"
    return expr


def folded(changes_relation: str, names: list[str], key: list[str]) -> str:
    """The final contents of a changelog. With a primary key: each key's last change, unless
    it is a retraction. Without: +I/+U rows minus -U/-D rows as multisets (all columns)."""
    cols = ", ".join(q(n) for n in names)
    if key:
        part = ", ".join(q(k) for k in key)
        ranked = (
            f'SELECT *, row_number() OVER (PARTITION BY {part} ORDER BY "$seq" DESC) AS "$last" '
            f"FROM {changes_relation}"
        )
        return f"(SELECT {cols} FROM ({ranked}) WHERE \"$last\" = 1 AND {q(OP)} IN ('I', 'UA'))"
    return (
        f"(SELECT {cols} FROM {changes_relation} WHERE {q(OP)} IN ('I', 'UA') EXCEPT ALL "
        f"SELECT {cols} FROM {changes_relation} WHERE {q(OP)} IN ('UB', 'D'))"
    )
