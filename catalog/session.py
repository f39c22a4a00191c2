"""A session's view of a catalog: TEMPORARY tables, views and functions live here, in memory,
and shadow persistent objects of the same name (as in Flink); everything else goes through to
the underlying catalog. `get_table` results are cached for the session (one fetch per table per
compile), and the cache is dropped on every write through this session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .base import Catalog, PartitionDef
from .errors import CatalogError
from .schema import DatabaseDef, FunctionDef, Ident, TableDef, ViewDef


class SessionCatalog:
    def __init__(self, base: Catalog, *, cache: bool = True) -> None:
        self.base = base
        self._cache_enabled = cache
        self._temp_tables: dict[Ident, TableDef | ViewDef] = {}
        self._temp_functions: dict[Ident, FunctionDef] = {}
        self._cache: dict[Ident, TableDef | ViewDef] = {}

    @property
    def uri(self) -> str:
        return self.base.uri

    def close(self) -> None:
        self.base.close()

    # -- temporary objects --------------------------------------------------------------------
    def is_temporary(self, ident: Ident) -> bool:
        return ident in self._temp_tables

    def create_temporary_table(
        self, table: TableDef | ViewDef, *, if_not_exists: bool = False
    ) -> None:
        if table.ident in self._temp_tables:
            if if_not_exists:
                return
            raise CatalogError(f"temporary table `{table.ident}` already exists")
        self._temp_tables[table.ident] = replace(table, temporary=True)

    def drop_temporary_table(self, ident: Ident, *, if_exists: bool = False) -> None:
        if self._temp_tables.pop(ident, None) is None and not if_exists:
            raise CatalogError(f"temporary table `{ident}` does not exist")

    def create_temporary_function(
        self, function: FunctionDef, *, if_not_exists: bool = False
    ) -> None:
        if function.ident in self._temp_functions:
            if if_not_exists:
                return
            raise CatalogError(f"temporary function `{function.ident}` already exists")
        self._temp_functions[function.ident] = replace(function, temporary=True)

    def drop_temporary_function(self, ident: Ident, *, if_exists: bool = False) -> None:
        if self._temp_functions.pop(ident, None) is None and not if_exists:
            raise CatalogError(f"temporary function `{ident}` does not exist")

    # -- databases ----------------------------------------------------------------------------
    def list_databases(self) -> list[str]:
        return self.base.list_databases()

    def get_database(self, name: str) -> DatabaseDef:
        return self.base.get_database(name)

    def create_database(self, database: DatabaseDef, *, if_not_exists: bool = False) -> None:
        self.base.create_database(database, if_not_exists=if_not_exists)

    def drop_database(self, name: str, *, if_exists: bool = False, cascade: bool = False) -> None:
        self._cache.clear()
        self.base.drop_database(name, if_exists=if_exists, cascade=cascade)

    # -- tables -------------------------------------------------------------------------------
    def list_tables(self, database: str) -> list[str]:
        temp = {i.name for i in self._temp_tables if i.database == database}
        return sorted(temp | set(self.base.list_tables(database)))

    def get_table(self, ident: Ident) -> TableDef | ViewDef:
        found = self._temp_tables.get(ident) or self._cache.get(ident)
        if found is None:
            found = self.base.get_table(ident)
            if self._cache_enabled:
                self._cache[ident] = found
        return found

    def table_exists(self, ident: Ident) -> bool:
        return ident in self._temp_tables or ident in self._cache or self.base.table_exists(ident)

    def create_table(self, table: TableDef | ViewDef, *, if_not_exists: bool = False) -> None:
        self._cache.pop(table.ident, None)
        self.base.create_table(table, if_not_exists=if_not_exists)

    def alter_table(self, ident: Ident, table: TableDef | ViewDef) -> None:
        if ident in self._temp_tables:
            self._temp_tables[ident] = replace(table, ident=ident, temporary=True)
            return
        self._cache.pop(ident, None)
        self.base.alter_table(ident, table)

    def drop_table(self, ident: Ident, *, if_exists: bool = False) -> None:
        self._cache.pop(ident, None)
        self.base.drop_table(ident, if_exists=if_exists)

    def rename_table(self, ident: Ident, new_ident: Ident) -> None:
        if ident in self._temp_tables:
            table = self._temp_tables.pop(ident)
            self._temp_tables[new_ident] = replace(table, ident=new_ident)
            return
        self._cache.pop(ident, None)
        self.base.rename_table(ident, new_ident)

    # -- partitions ---------------------------------------------------------------------------
    def list_partitions(self, ident: Ident) -> list[PartitionDef]:
        return self.base.list_partitions(ident)

    def get_partition_names(self, ident: Ident) -> list[str]:
        return self.base.get_partition_names(ident)

    def add_partitions(self, ident: Ident, partitions: Sequence[PartitionDef]) -> None:
        self.base.add_partitions(ident, partitions)

    # -- functions ----------------------------------------------------------------------------
    def list_functions(self, database: str) -> list[str]:
        temp = {i.name for i in self._temp_functions if i.database == database}
        return sorted(temp | set(self.base.list_functions(database)))

    def get_function(self, ident: Ident) -> FunctionDef:
        found = self._temp_functions.get(ident)
        return found if found is not None else self.base.get_function(ident)

    def create_function(self, function: FunctionDef, *, if_not_exists: bool = False) -> None:
        self.base.create_function(function, if_not_exists=if_not_exists)

    def drop_function(self, ident: Ident, *, if_exists: bool = False) -> None:
        self.base.drop_function(ident, if_exists=if_exists)
