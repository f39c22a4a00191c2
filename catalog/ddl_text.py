"""Print a catalog definition as the Flink SQL DDL that re-creates it (`nrtg catalog show`).

Types print in Flink's serializable form, as Flink's SHOW CREATE TABLE does; expressions are
the Flink SQL text the catalog stores. Hive-native tables print as `'connector' = 'hive'`
tables with their location and format in a leading comment.
"""

from __future__ import annotations

from .schema import Column, ColumnKind, Ident, TableDef, ViewDef
from .types import quote_identifier as q


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _name(ident: Ident) -> str:
    return f"{q(ident.database)}.{q(ident.name)}"


def _column(c: Column) -> str:
    text = q(c.name)
    if c.kind is ColumnKind.COMPUTED:
        text += f" AS {c.expr}"
    else:
        text += f" {c.type.serializable() if c.type is not None else 'STRING'}"
        if c.kind is ColumnKind.METADATA:
            text += " METADATA"
            if c.metadata_key is not None:
                text += f" FROM {_lit(c.metadata_key)}"
            if c.virtual:
                text += " VIRTUAL"
    if c.comment is not None:
        text += f" COMMENT {_lit(c.comment)}"
    return text


def create_table_ddl(obj: TableDef | ViewDef) -> str:
    """`CREATE TABLE ...` / `CREATE VIEW ...` text, ending with `;` and a newline."""
    if isinstance(obj, ViewDef):
        return _view_ddl(obj)
    lines: list[str] = []
    if obj.is_hive_native:
        lines.append(f"-- Hive table: location={obj.location}, format={obj.storage_format}")
    body = [_column(c) for c in obj.columns]
    body += [f"WATERMARK FOR {q(w.rowtime)} AS {w.expr}" for w in obj.watermarks]
    if obj.primary_key is not None:
        cols = ", ".join(q(c) for c in obj.primary_key.columns)
        body.append(f"CONSTRAINT {q(obj.primary_key.name)} PRIMARY KEY ({cols}) NOT ENFORCED")
    lines.append(f"CREATE TABLE {_name(obj.ident)} (")
    lines += [f"  {item}," for item in body[:-1]] + [f"  {item}" for item in body[-1:]]
    lines.append(")")
    if obj.comment is not None:
        lines.append(f"COMMENT {_lit(obj.comment)}")
    if obj.partition_keys:
        lines.append(f"PARTITIONED BY ({', '.join(q(k) for k in obj.partition_keys)})")
    if obj.options:
        opts = [f"  {_lit(k)} = {_lit(v)}" for k, v in sorted(obj.options.items())]
        lines.append("WITH (")
        lines.append(",\n".join(opts))
        lines.append(")")
    return "\n".join(lines) + ";\n"


def _view_ddl(view: ViewDef) -> str:
    head = f"CREATE VIEW {_name(view.ident)}"
    if view.columns:
        head += " (" + ", ".join(q(c.name) for c in view.columns) + ")"
    lines = [head]
    if view.comment is not None:
        lines.append(f"COMMENT {_lit(view.comment)}")
    lines.append(f"AS {view.query.strip().rstrip(';')}")
    return "\n".join(lines) + ";\n"
