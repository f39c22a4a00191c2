"""The Catalog protocol every backend implements: embedded store, Hive Metastore, in-memory.

Every method raises `CatalogError` (naming the object and the catalog) for a missing object, an
object that exists, or a change the catalog refuses; never a backend exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .schema import DatabaseDef, FunctionDef, Ident, TableDef, ViewDef


@dataclass(frozen=True)
class PartitionDef:
    """One partition of a Hive-native table: its key values (in partition-key order)."""

    values: tuple[str, ...]
    location: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class Catalog(Protocol):
    @property
    def uri(self) -> str:
        """Where the catalog lives (`thrift://host:port`, `sqlite:///path`, `memory://`)."""
        ...

    # -- databases ----------------------------------------------------------------------------
    def list_databases(self) -> list[str]: ...

    def get_database(self, name: str) -> DatabaseDef: ...

    def create_database(self, database: DatabaseDef, *, if_not_exists: bool = False) -> None: ...

    def drop_database(
        self, name: str, *, if_exists: bool = False, cascade: bool = False
    ) -> None: ...

    # -- tables and views ---------------------------------------------------------------------
    def list_tables(self, database: str) -> list[str]:
        """Names of the tables and views in `database`, sorted."""
        ...

    def get_table(self, ident: Ident) -> TableDef | ViewDef: ...

    def table_exists(self, ident: Ident) -> bool: ...

    def create_table(self, table: TableDef | ViewDef, *, if_not_exists: bool = False) -> None: ...

    def alter_table(self, ident: Ident, table: TableDef | ViewDef) -> None:
        """Replace the definition of `ident` (a table stays a table, a view a view)."""
        ...

    def drop_table(self, ident: Ident, *, if_exists: bool = False) -> None: ...

    def rename_table(self, ident: Ident, new_ident: Ident) -> None: ...

    # -- partitions (Hive-native tables) ------------------------------------------------------
    def list_partitions(self, ident: Ident) -> list[PartitionDef]: ...

    def get_partition_names(self, ident: Ident) -> list[str]: ...

    def add_partitions(self, ident: Ident, partitions: Sequence[PartitionDef]) -> None: ...

    # -- functions ----------------------------------------------------------------------------
    def list_functions(self, database: str) -> list[str]: ...

    def get_function(self, ident: Ident) -> FunctionDef: ...

    def create_function(self, function: FunctionDef, *, if_not_exists: bool = False) -> None: ...

    def drop_function(self, ident: Ident, *, if_exists: bool = False) -> None: ...

    def close(self) -> None: ...
