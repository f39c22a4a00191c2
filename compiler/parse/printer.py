"""Prints typed statements back as Flink SQL (queries and expressions via the Flink generator)."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot import exp

from nrtg.catalog.errors import TypeParseError
from nrtg.catalog.schema import ColumnKind
from nrtg.catalog.type_parser import parse_flink_type
from nrtg.catalog.types import SqlType

from . import statements as st
from .hints import hints_sql

__all__ = ["statement_sql"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _ident(name: str, reserved: frozenset[str]) -> str:
    if _PLAIN.match(name) and name.upper() not in reserved:
        return name
    return "`" + name.replace("`", "``") + "`"


def _string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _options(options: tuple[tuple[str, str], ...]) -> str:
    return "(" + ", ".join(f"{_string(k)} = {_string(v)}" for k, v in options) + ")"


def _type_sql(sql_type: SqlType) -> str:
    r"""Flink's short form (`STRING`, `ROW<a INT>`) when it reads back the same, else the
    serializable form (`ROW<\`a b\` INT>`: the short form does not quote field names)."""
    text = str(sql_type)
    try:
        if parse_flink_type(text) == sql_type:
            return text
    except TypeParseError:
        pass
    return sql_type.serializable()


class _Printer:
    def __init__(self, expr_sql: Callable[[exp.Expression], str], reserved: frozenset[str]) -> None:
        self.expr_sql = expr_sql
        self.reserved = reserved

    def ident(self, name: str) -> str:
        return _ident(name, self.reserved)

    def name(self, name: st.QualifiedName) -> str:
        return ".".join(self.ident(p) for p in name.parts)

    def names(self, names: tuple[str, ...]) -> str:
        return "(" + ", ".join(self.ident(n) for n in names) + ")"

    def statement(self, s: st.Statement) -> str:
        method = getattr(self, "_" + type(s).__name__.lower())
        text: str = method(s)
        return text

    def _query(self, s: st.Query) -> str:
        return self.expr_sql(s.query)

    def _createtable(self, s: st.CreateTable) -> str:
        head = "CREATE TEMPORARY TABLE" if s.temporary else "CREATE TABLE"
        if s.if_not_exists:
            head += " IF NOT EXISTS"
        parts = [f"{head} {self.name(s.name)}"]
        items = [self.column(c) for c in s.columns]
        items += [
            f"WATERMARK FOR {self.ident(w.rowtime)} AS {self.expr_sql(w.expr)}"
            for w in s.watermarks
        ]
        if s.primary_key is not None:
            pk = s.primary_key
            constraint = f"CONSTRAINT {self.ident(pk.name)} " if pk.name else ""
            items.append(f"{constraint}PRIMARY KEY {self.names(pk.columns)} NOT ENFORCED")
        if items:
            parts.append("(\n  " + ",\n  ".join(items) + "\n)")
        if s.comment is not None:
            parts.append(f"COMMENT {_string(s.comment)}")
        if s.partition_keys:
            parts.append(f"PARTITIONED BY {self.names(s.partition_keys)}")
        if s.options:
            parts.append(f"WITH {_options(s.options)}")
        if s.like is not None:
            like = f"LIKE {self.name(s.like.source)}"
            if s.like.options:
                like += " (" + " ".join(f"{v} {o}" for v, o in s.like.options) + ")"
            parts.append(like)
        if s.query is not None:
            parts.append(f"AS {self.expr_sql(s.query)}")
        return " ".join(parts)

    def column(self, c: st.ColumnDecl) -> str:
        out = self.ident(c.name)
        if c.kind is ColumnKind.COMPUTED:
            assert c.expr is not None
            out += f" AS {self.expr_sql(c.expr)}"
        else:
            assert c.type is not None
            out += f" {_type_sql(c.type)}"
            if c.kind is ColumnKind.METADATA:
                out += " METADATA"
                if c.metadata_key is not None:
                    out += f" FROM {_string(c.metadata_key)}"
                if c.virtual:
                    out += " VIRTUAL"
        if c.comment is not None:
            out += f" COMMENT {_string(c.comment)}"
        return out

    def _createview(self, s: st.CreateView) -> str:
        head = "CREATE TEMPORARY VIEW" if s.temporary else "CREATE VIEW"
        if s.if_not_exists:
            head += " IF NOT EXISTS"
        out = f"{head} {self.name(s.name)}"
        if s.column_names is not None:
            out += " " + self.names(s.column_names)
        if s.comment is not None:
            out += f" COMMENT {_string(s.comment)}"
        return f"{out} AS {self.expr_sql(s.query)}"

    def _createdatabase(self, s: st.CreateDatabase) -> str:
        out = "CREATE DATABASE " + ("IF NOT EXISTS " if s.if_not_exists else "")
        out += self.name(s.name)
        if s.comment is not None:
            out += f" COMMENT {_string(s.comment)}"
        if s.properties:
            out += f" WITH {_options(s.properties)}"
        return out

    def _usedatabase(self, s: st.UseDatabase) -> str:
        return f"USE {self.name(s.name)}"

    def _usecatalog(self, s: st.UseCatalog) -> str:
        return f"USE CATALOG {self.name(s.name)}"

    def _drop(self, s: st.Drop) -> str:
        out = "DROP " + ("TEMPORARY " if s.temporary else "") + s.object_kind
        out += (" IF EXISTS " if s.if_exists else " ") + self.name(s.name)
        return out + (" CASCADE" if s.cascade else "")

    def _altertableset(self, s: st.AlterTableSet) -> str:
        return f"ALTER TABLE {self.name(s.name)} SET {_options(s.options)}"

    def _altertablereset(self, s: st.AlterTableReset) -> str:
        keys = ", ".join(_string(k) for k in s.keys)
        return f"ALTER TABLE {self.name(s.name)} RESET ({keys})"

    def _altertablerename(self, s: st.AlterTableRename) -> str:
        return f"ALTER TABLE {self.name(s.name)} RENAME TO {self.name(s.new_name)}"

    def _createfunction(self, s: st.CreateFunction) -> str:
        out = "CREATE " + ("TEMPORARY " if s.temporary else "") + "FUNCTION "
        out += ("IF NOT EXISTS " if s.if_not_exists else "") + self.name(s.name)
        return f"{out} AS {_string(s.class_name)} LANGUAGE {s.language}"

    def _insert(self, s: st.Insert) -> str:
        out = ("INSERT OVERWRITE " if s.overwrite else "INSERT INTO ") + self.name(s.target)
        out += hints_sql(s.options)
        if s.partition:
            keys = ", ".join(f"{self.ident(k)} = {self.expr_sql(v)}" for k, v in s.partition)
            out += f" PARTITION ({keys})"
        if s.column_names is not None:
            out += " " + self.names(s.column_names)
        return f"{out} {self.expr_sql(s.query)}"

    def _statementset(self, s: st.StatementSet) -> str:
        body = "".join(f"  {self._insert(i)};\n" for i in s.inserts)
        return f"EXECUTE STATEMENT SET BEGIN\n{body}END"

    def _setoption(self, s: st.SetOption) -> str:
        if s.key is None:
            return "SET"
        return f"SET {_string(s.key)} = {_string(s.value or '')}"

    def _resetoption(self, s: st.ResetOption) -> str:
        return "RESET" if s.key is None else f"RESET {_string(s.key)}"

    def _explain(self, s: st.Explain) -> str:
        details = (" " + ", ".join(s.details)) if s.details else ""
        inner = self.statement(s.statement)
        if isinstance(s.statement, st.StatementSet):
            inner = inner.removeprefix("EXECUTE ")
        return f"EXPLAIN{details} {inner}"


def statement_sql(
    stmt: st.Statement, expr_sql: Callable[[exp.Expression], str], reserved: frozenset[str]
) -> str:
    """One statement as Flink SQL (without the trailing `;`)."""
    return _Printer(expr_sql, reserved).statement(stmt)
