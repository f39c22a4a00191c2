"""Typed statements of a Flink SQL script, as produced by `parse_script`.

Queries and scalar expressions stay sqlglot expressions (see dialect.py); everything around
them is one of these frozen dataclasses. Every statement has `span` (the whole statement, in
character offsets into the script) and `text` (its source).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlglot import exp

from nrtg.catalog.errors import Span
from nrtg.catalog.schema import ColumnKind
from nrtg.catalog.types import SqlType

__all__ = [
    "AlterTableRename",
    "AlterTableReset",
    "AlterTableSet",
    "ColumnDecl",
    "CreateDatabase",
    "CreateFunction",
    "CreateTable",
    "CreateView",
    "Drop",
    "Explain",
    "Insert",
    "LikeClause",
    "PrimaryKeyDecl",
    "QualifiedName",
    "Query",
    "ResetOption",
    "Script",
    "SetOption",
    "Statement",
    "StatementSet",
    "UseCatalog",
    "UseDatabase",
    "WatermarkDecl",
]

Options = tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True)
class QualifiedName:
    """`[catalog.][db.]name`: 1-3 unquoted parts, case kept."""

    parts: tuple[str, ...]
    span: Span

    @property
    def name(self) -> str:
        return self.parts[-1]

    def __str__(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True, kw_only=True)
class ColumnDecl:
    """A CREATE TABLE column: physical (`type`), computed (`expr`) or metadata (`metadata_key`)."""

    name: str
    type: SqlType | None
    kind: ColumnKind
    expr: exp.Expression | None = None
    metadata_key: str | None = None
    virtual: bool = False
    comment: str | None = None
    span: Span


@dataclass(frozen=True, kw_only=True)
class WatermarkDecl:
    rowtime: str
    expr: exp.Expression
    span: Span


@dataclass(frozen=True, kw_only=True)
class PrimaryKeyDecl:
    name: str | None
    columns: tuple[str, ...]
    enforced: bool
    span: Span


@dataclass(frozen=True, kw_only=True)
class LikeClause:
    """`LIKE src (INCLUDING ALL EXCLUDING OPTIONS)`: options as (("INCLUDING", "ALL"), ...)."""

    source: QualifiedName
    options: Options
    span: Span


@dataclass(frozen=True, kw_only=True)
class Statement:
    span: Span
    text: str


@dataclass(frozen=True, kw_only=True)
class CreateTable(Statement):
    name: QualifiedName
    columns: tuple[ColumnDecl, ...]
    watermarks: tuple[WatermarkDecl, ...] = ()
    primary_key: PrimaryKeyDecl | None = None
    partition_keys: tuple[str, ...] = ()
    options: Options = ()
    like: LikeClause | None = None
    temporary: bool = False
    if_not_exists: bool = False
    comment: str | None = None
    # `CREATE TABLE ... AS query` (CTAS): the table takes the query's columns, then its rows
    query: exp.Expression | None = None


@dataclass(frozen=True, kw_only=True)
class CreateView(Statement):
    name: QualifiedName
    query: exp.Expression
    column_names: tuple[str, ...] | None = None
    temporary: bool = False
    if_not_exists: bool = False
    query_text: str
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class CreateDatabase(Statement):
    name: QualifiedName
    if_not_exists: bool = False
    comment: str | None = None
    properties: Options = ()


@dataclass(frozen=True, kw_only=True)
class UseDatabase(Statement):
    name: QualifiedName


@dataclass(frozen=True, kw_only=True)
class UseCatalog(Statement):
    name: QualifiedName


@dataclass(frozen=True, kw_only=True)
class Drop(Statement):
    object_kind: Literal["TABLE", "VIEW", "DATABASE", "FUNCTION"]
    name: QualifiedName
    if_exists: bool = False
    temporary: bool = False
    cascade: bool = False


@dataclass(frozen=True, kw_only=True)
class AlterTableSet(Statement):
    name: QualifiedName
    options: Options


@dataclass(frozen=True, kw_only=True)
class AlterTableReset(Statement):
    name: QualifiedName
    keys: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class AlterTableRename(Statement):
    name: QualifiedName
    new_name: QualifiedName


@dataclass(frozen=True, kw_only=True)
class CreateFunction(Statement):
    """`CREATE [TEMPORARY [SYSTEM]] FUNCTION f AS 'py.path' [LANGUAGE PYTHON|JAVA|SCALA]`."""

    name: QualifiedName
    class_name: str
    language: str = "JAVA"
    temporary: bool = False
    if_not_exists: bool = False


@dataclass(frozen=True, kw_only=True)
class Insert(Statement):
    target: QualifiedName
    query: exp.Expression
    overwrite: bool = False
    partition: tuple[tuple[str, exp.Expression], ...] = ()
    column_names: tuple[str, ...] | None = None
    # `INSERT INTO t /*+ OPTIONS(...) */`: dynamic options over the sink table's own, and
    # where each key is written (errors point at it)
    options: Options = ()
    option_spans: tuple[tuple[str, Span], ...] = ()


@dataclass(frozen=True, kw_only=True)
class StatementSet(Statement):
    inserts: tuple[Insert, ...]


@dataclass(frozen=True, kw_only=True)
class SetOption(Statement):
    """`SET 'k' = 'v'`; a bare `SET` (list the options) has key and value None."""

    key: str | None = None
    value: str | None = None


@dataclass(frozen=True, kw_only=True)
class ResetOption(Statement):
    key: str | None = None


@dataclass(frozen=True, kw_only=True)
class Explain(Statement):
    details: tuple[str, ...]
    statement: Statement


@dataclass(frozen=True, kw_only=True)
class Query(Statement):
    query: exp.Expression


@dataclass(frozen=True, kw_only=True)
class Script:
    statements: tuple[Statement, ...]
    source: str
