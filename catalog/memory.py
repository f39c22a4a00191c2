"""An in-memory Catalog holding nrtg definitions directly (no HMS encoding): for tests and for
compiling against fixture catalogs. Behaves like the other backends, errors included."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace

from .base import PartitionDef
from .errors import CatalogError
from .schema import DatabaseDef, FunctionDef, Ident, TableDef, ViewDef

DEFAULT_DATABASE = "default"


class MemoryCatalog:
    def __init__(
        self, tables: Iterable[TableDef | ViewDef] = (), *, uri: str = "memory://"
    ) -> None:
        self._uri = uri
        self._lock = threading.RLock()
        self._databases: dict[str, DatabaseDef] = {DEFAULT_DATABASE: DatabaseDef(DEFAULT_DATABASE)}
        self._tables: dict[Ident, TableDef | ViewDef] = {}
        self._partitions: dict[Ident, dict[tuple[str, ...], PartitionDef]] = {}
        self._functions: dict[Ident, FunctionDef] = {}
        for t in tables:
            self.create_database(DatabaseDef(t.ident.database), if_not_exists=True)
            self.create_table(t)

    @property
    def uri(self) -> str:
        return self._uri

    def close(self) -> None:
        pass

    def _no_database(self, name: str) -> CatalogError:
        return CatalogError(
            f"database `{name}` does not exist in catalog {self._uri}; "
            f"databases: {', '.join(sorted(self._databases))}"
        )

    def _check_db(self, name: str) -> None:
        if name not in self._databases:
            raise self._no_database(name)

    # -- databases ----------------------------------------------------------------------------
    def list_databases(self) -> list[str]:
        return sorted(self._databases)

    def get_database(self, name: str) -> DatabaseDef:
        self._check_db(name)
        return self._databases[name]

    def create_database(self, database: DatabaseDef, *, if_not_exists: bool = False) -> None:
        with self._lock:
            if database.name in self._databases:
                if if_not_exists:
                    return
                raise CatalogError(f"database `{database.name}` already exists in {self._uri}")
            self._databases[database.name] = database

    def drop_database(self, name: str, *, if_exists: bool = False, cascade: bool = False) -> None:
        with self._lock:
            if name not in self._databases:
                if if_exists:
                    return
                raise self._no_database(name)
            if name == DEFAULT_DATABASE:
                raise CatalogError("cannot drop the default database")
            owned = [i for i in (*self._tables, *self._functions) if i.database == name]
            if owned and not cascade:
                names = ", ".join(sorted(i.name for i in owned))
                raise CatalogError(f"database `{name}` is not empty (tables: {names}); use CASCADE")
            for ident in owned:
                self._tables.pop(ident, None)
                self._functions.pop(ident, None)
                self._partitions.pop(ident, None)
            del self._databases[name]

    # -- tables -------------------------------------------------------------------------------
    def list_tables(self, database: str) -> list[str]:
        self._check_db(database)
        return sorted(i.name for i in self._tables if i.database == database)

    def get_table(self, ident: Ident) -> TableDef | ViewDef:
        found = self._tables.get(ident)
        if found is None:
            self._check_db(ident.database)
            raise CatalogError(
                f"table `{ident}` does not exist in catalog {self._uri}; tables in "
                f"`{ident.database}`: {', '.join(self.list_tables(ident.database)) or '(none)'}"
            )
        return found

    def table_exists(self, ident: Ident) -> bool:
        return ident in self._tables

    def create_table(self, table: TableDef | ViewDef, *, if_not_exists: bool = False) -> None:
        with self._lock:
            self._check_db(table.ident.database)
            if table.ident in self._tables:
                if if_not_exists:
                    return
                raise CatalogError(f"table `{table.ident}` already exists in catalog {self._uri}")
            self._tables[table.ident] = replace(table, temporary=False)

    def alter_table(self, ident: Ident, table: TableDef | ViewDef) -> None:
        with self._lock:
            old = self.get_table(ident)
            if type(old) is not type(table) or (
                isinstance(old, TableDef)
                and isinstance(table, TableDef)
                and old.is_hive_native != table.is_hive_native
            ):
                raise CatalogError(
                    f"cannot alter `{ident}`: a table cannot become a view, nor a Flink table "
                    "a Hive table; drop and re-create it instead"
                )
            self._tables[ident] = replace(table, ident=ident)

    def rename_table(self, ident: Ident, new_ident: Ident) -> None:
        with self._lock:
            old = self.get_table(ident)
            self._check_db(new_ident.database)
            if new_ident in self._tables:
                raise CatalogError(f"cannot rename `{ident}`: `{new_ident}` already exists")
            del self._tables[ident]
            self._tables[new_ident] = replace(old, ident=new_ident)
            if ident in self._partitions:
                self._partitions[new_ident] = self._partitions.pop(ident)

    def drop_table(self, ident: Ident, *, if_exists: bool = False) -> None:
        with self._lock:
            if ident not in self._tables:
                if if_exists:
                    return
                self.get_table(ident)
            del self._tables[ident]
            self._partitions.pop(ident, None)

    # -- partitions ---------------------------------------------------------------------------
    def _hive(self, ident: Ident) -> TableDef:
        table = self.get_table(ident)
        if not isinstance(table, TableDef) or not table.is_hive_native or not table.partition_keys:
            raise CatalogError(f"`{ident}` has no HMS partitions: only partitioned Hive tables do")
        return table

    def list_partitions(self, ident: Ident) -> list[PartitionDef]:
        self._hive(ident)
        parts = self._partitions.get(ident, {})
        return [parts[k] for k in sorted(parts)]

    def get_partition_names(self, ident: Ident) -> list[str]:
        table = self.get_table(ident)
        if not isinstance(table, TableDef) or not table.is_hive_native:
            return []
        keys = table.partition_keys
        return [
            "/".join(f"{k}={v}" for k, v in zip(keys, p.values, strict=True))
            for p in self.list_partitions(ident)
        ]

    def add_partitions(self, ident: Ident, partitions: Sequence[PartitionDef]) -> None:
        with self._lock:
            table = self._hive(ident)
            parts = self._partitions.setdefault(ident, {})
            for p in partitions:
                if len(p.values) != len(table.partition_keys):
                    raise CatalogError(f"partition {list(p.values)} of `{ident}`: wrong arity")
                if p.values in parts:
                    raise CatalogError(f"partition {list(p.values)} of `{ident}` already exists")
            for p in partitions:
                parts[p.values] = p

    # -- functions ----------------------------------------------------------------------------
    def list_functions(self, database: str) -> list[str]:
        self._check_db(database)
        return sorted(i.name for i in self._functions if i.database == database)

    def get_function(self, ident: Ident) -> FunctionDef:
        if ident not in self._functions:
            self._check_db(ident.database)
            raise CatalogError(f"function `{ident}` does not exist in catalog {self._uri}")
        return self._functions[ident]

    def create_function(self, function: FunctionDef, *, if_not_exists: bool = False) -> None:
        with self._lock:
            self._check_db(function.ident.database)
            if function.ident in self._functions:
                if if_not_exists:
                    return
                raise CatalogError(f"function `{function.ident}` already exists")
            self._functions[function.ident] = replace(function, temporary=False)

    def drop_function(self, ident: Ident, *, if_exists: bool = False) -> None:
        with self._lock:
            if ident not in self._functions:
                if if_exists:
                    return
                self.get_function(ident)
            del self._functions[ident]
