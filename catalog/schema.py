"""Table and view definitions as the catalog stores them: Flink's CatalogTable model.

Expressions (computed columns, watermark strategies, view queries) are kept as Flink SQL text;
the compiler parses and binds them. That keeps this package free of the SQL front end, and it
is also exactly how Flink's HiveCatalog stores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from .types import SqlType


class TimeAttr(Enum):
    ROWTIME = "ROWTIME"
    PROCTIME = "PROCTIME"


@dataclass(frozen=True)
class Ident:
    """A catalog object's name: database and object name (case-sensitive, as in Flink)."""

    database: str
    name: str

    def __str__(self) -> str:
        return f"{self.database}.{self.name}"


@dataclass(frozen=True)
class Field:
    """One column of a relation: a name, its type, and whether it is a time attribute."""

    name: str
    type: SqlType
    time_attr: TimeAttr | None = None

    def __str__(self) -> str:
        text = f"{self.name}:{_type_text(self.type)}"
        if self.time_attr is not None:
            text += f" {self.time_attr.value}"
        return text


def _type_text(t: SqlType) -> str:
    base = str(t.with_nullable(True))
    return f"{base};N" if t.nullable else base


@dataclass(frozen=True)
class Schema:
    fields: tuple[Field, ...]

    def __len__(self) -> int:
        return len(self.fields)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def index(self, name: str) -> int | None:
        for i, f in enumerate(self.fields):
            if f.name == name:
                return i
        return None

    def __str__(self) -> str:
        return "[" + ", ".join(str(f) for f in self.fields) + "]"


class ColumnKind(Enum):
    PHYSICAL = "physical"
    COMPUTED = "computed"
    METADATA = "metadata"


@dataclass(frozen=True)
class Column:
    """A column of a CREATE TABLE: physical, computed (`expr` is Flink SQL text) or metadata."""

    name: str
    type: SqlType | None  # None for a computed column whose type is derived from `expr`
    kind: ColumnKind = ColumnKind.PHYSICAL
    expr: str | None = None
    metadata_key: str | None = None  # None means the key is the column name
    virtual: bool = False
    comment: str | None = None

    @property
    def is_persisted(self) -> bool:
        """Whether a sink writes this column (physical, or non-virtual metadata)."""
        return self.kind is ColumnKind.PHYSICAL or (
            self.kind is ColumnKind.METADATA and not self.virtual
        )


@dataclass(frozen=True)
class Watermark:
    rowtime: str  # column name; a nested field is written `a.b` as in Flink
    expr: str  # Flink SQL text, e.g. "`ts` - INTERVAL '5' SECOND"
    type: SqlType | None = None  # the strategy expression's type when known


@dataclass(frozen=True)
class PrimaryKey:
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class TableDef:
    """A Flink `CatalogTable` (connector table) or a Hive-native table (`connector=hive`)."""

    ident: Ident
    columns: tuple[Column, ...]
    options: Mapping[str, str] = field(default_factory=dict)
    watermarks: tuple[Watermark, ...] = ()
    primary_key: PrimaryKey | None = None
    partition_keys: tuple[str, ...] = ()
    comment: str | None = None
    # Keys found in the catalog that nrtg does not interpret; written back untouched.
    extra_properties: Mapping[str, str] = field(default_factory=dict)
    # Hive-native tables: where the data is and how it is stored.
    location: str | None = None
    storage_format: str | None = None  # parquet, orc, textfile, csv, json
    temporary: bool = False

    @property
    def is_hive_native(self) -> bool:
        return self.options.get("connector") == "hive"

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None


@dataclass(frozen=True)
class ViewDef:
    """A Flink `CatalogView`: the original and the expanded query text plus its schema."""

    ident: Ident
    query: str
    expanded_query: str
    columns: tuple[Column, ...] = ()
    comment: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    extra_properties: Mapping[str, str] = field(default_factory=dict)
    temporary: bool = False


@dataclass(frozen=True)
class FunctionDef:
    """A user function: `CREATE FUNCTION name AS 'module.attr' LANGUAGE PYTHON`."""

    ident: Ident
    class_name: str
    language: str = "PYTHON"
    temporary: bool = False


@dataclass(frozen=True)
class DatabaseDef:
    name: str
    comment: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)
    location: str | None = None


CatalogObject = TableDef | ViewDef
