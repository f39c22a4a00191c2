"""`Catalog` over the Hive Metastore API: the embedded SQLite store or a metastore over Thrift.

Tables go through Flink's encoding (`flink_encoding.py`), so both backends hold the same HMS
objects. Every HMS or transport exception becomes a `CatalogError` that names the object and the
catalog, and lists what does exist.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from thrift.Thrift import TApplicationException, TException
from thrift.transport.TTransport import TTransportException

from . import flink_encoding
from .base import PartitionDef
from .errors import CatalogError
from .hms_api import HmsApi
from .hms_names import partition_name
from .hms_thrift.ttypes import (
    AlreadyExistsException,
    InvalidObjectException,
    InvalidOperationException,
    MetaException,
    NoSuchObjectException,
    Table,
)
from .object_encoding import (
    decode_database,
    decode_function,
    decode_partition,
    encode_database,
    encode_function,
    encode_partition,
)
from .schema import DatabaseDef, FunctionDef, Ident, TableDef, ViewDef

T = TypeVar("T")
_LIST_LIMIT = 20


def _kind(obj: TableDef | ViewDef) -> str:
    if isinstance(obj, ViewDef):
        return "view"
    return "Hive table" if obj.is_hive_native else "Flink table"


def _names(names: Sequence[str]) -> str:
    if not names:
        return "(none)"
    shown = ", ".join(names[:_LIST_LIMIT])
    return shown + (f", ... ({len(names)} in all)" if len(names) > _LIST_LIMIT else "")


class HmsCatalog:
    """The Catalog protocol on top of any `HmsApi` implementation."""

    def __init__(
        self, api: HmsApi, uri: str, *, on_close: Callable[[], None] | None = None
    ) -> None:
        self.api = api
        self._uri = uri
        self._on_close = on_close

    @property
    def uri(self) -> str:
        return self._uri

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()

    def __enter__(self) -> HmsCatalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- error translation --------------------------------------------------------------------
    def _call(self, what: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except (TException, OSError) as e:
            raise self._error(what, e) from e

    def _error(self, what: str, e: BaseException) -> CatalogError:
        if isinstance(e, TTransportException | OSError):
            return CatalogError(f"cannot reach catalog {self._uri} ({what}): {e}")
        if isinstance(e, TApplicationException):
            return CatalogError(f"catalog {self._uri} failed on {what}: {e.message}")
        message = getattr(e, "message", None) or type(e).__name__
        return CatalogError(f"catalog {self._uri} refused {what}: {message}")

    def _no_database(self, name: str) -> CatalogError:
        try:
            existing = self.api.get_all_databases()
        except (TException, OSError):
            existing = []
        return CatalogError(
            f"database `{name}` does not exist in catalog {self._uri}; "
            f"databases: {_names(existing)}"
        )

    def _no_table(self, ident: Ident, kind: str = "table") -> CatalogError:
        if not self.database_exists(ident.database):
            return self._no_database(ident.database)
        tables = self._call("get_all_tables", lambda: self.api.get_all_tables(ident.database))
        return CatalogError(
            f"{kind} `{ident}` does not exist in catalog {self._uri}; "
            f"tables in `{ident.database}`: {_names(tables)}"
        )

    # -- databases ----------------------------------------------------------------------------
    def list_databases(self) -> list[str]:
        return sorted(self._call("get_all_databases", self.api.get_all_databases))

    def database_exists(self, name: str) -> bool:
        try:
            self._call("get_database", lambda: self.api.get_database(name))
        except CatalogError as e:
            if isinstance(e.__cause__, NoSuchObjectException):
                return False
            raise
        return True

    def get_database(self, name: str) -> DatabaseDef:
        try:
            return decode_database(self.api.get_database(name))
        except NoSuchObjectException:
            raise self._no_database(name) from None
        except (TException, OSError) as e:
            raise self._error("get_database", e) from e

    def create_database(self, database: DatabaseDef, *, if_not_exists: bool = False) -> None:
        try:
            self.api.create_database(encode_database(database))
        except AlreadyExistsException:
            if not if_not_exists:
                raise CatalogError(
                    f"database `{database.name}` already exists in catalog {self._uri}"
                ) from None
        except (TException, OSError) as e:
            raise self._error(f"creating database `{database.name}`", e) from e

    def drop_database(self, name: str, *, if_exists: bool = False, cascade: bool = False) -> None:
        try:
            self.api.drop_database(name, False, cascade)
        except NoSuchObjectException:
            if not if_exists:
                raise self._no_database(name) from None
        except InvalidOperationException:
            tables = self.list_tables(name)
            raise CatalogError(
                f"database `{name}` is not empty (tables: {_names(tables)}); use CASCADE"
            ) from None
        except (TException, OSError) as e:
            raise self._error(f"dropping database `{name}`", e) from e

    # -- tables -------------------------------------------------------------------------------
    def list_tables(self, database: str) -> list[str]:
        if not self.database_exists(database):
            raise self._no_database(database)
        return sorted(self._call("get_all_tables", lambda: self.api.get_all_tables(database)))

    def get_raw_table(self, ident: Ident) -> Table:
        """The HMS `Table` object itself (for tools that need the storage descriptor)."""
        try:
            return self.api.get_table(ident.database, ident.name)
        except NoSuchObjectException:
            raise self._no_table(ident) from None
        except (TException, OSError) as e:
            raise self._error(f"get_table `{ident}`", e) from e

    def get_table(self, ident: Ident) -> TableDef | ViewDef:
        return flink_encoding.decode(self.get_raw_table(ident))

    def table_exists(self, ident: Ident) -> bool:
        try:
            self.api.get_table(ident.database, ident.name)
        except NoSuchObjectException:
            return False
        except (TException, OSError) as e:
            raise self._error(f"get_table `{ident}`", e) from e
        return True

    def create_table(self, table: TableDef | ViewDef, *, if_not_exists: bool = False) -> None:
        kind = "view" if isinstance(table, ViewDef) else "table"
        hms_table = flink_encoding.encode(table)
        try:
            self.api.create_table(hms_table)
        except AlreadyExistsException:
            if not if_not_exists:
                raise CatalogError(
                    f"{kind} `{table.ident}` already exists in catalog {self._uri}"
                ) from None
        except (NoSuchObjectException, InvalidObjectException, MetaException) as e:
            if not self.database_exists(table.ident.database):
                raise self._no_database(table.ident.database) from None
            raise CatalogError(f"cannot create {kind} `{table.ident}`: {e.message}") from None
        except (TException, OSError) as e:
            raise self._error(f"creating {kind} `{table.ident}`", e) from e

    def alter_table(self, ident: Ident, table: TableDef | ViewDef) -> None:
        raw = self.get_raw_table(ident)
        old = flink_encoding.decode(raw)
        if _kind(old) != _kind(table):
            raise CatalogError(
                f"cannot alter `{ident}`: it is a {_kind(old)} and cannot become a "
                f"{_kind(table)}; drop and re-create it instead"
            )
        if isinstance(old, TableDef) and old.is_hive_native and isinstance(table, TableDef):
            old_parts, new_parts = old.partition_keys, table.partition_keys
            if old_parts != new_parts and self.get_partition_names(ident):
                raise CatalogError(
                    f"cannot alter `{ident}`: partition keys {list(old_parts)} -> "
                    f"{list(new_parts)} on a table that has partitions"
                )
        new = flink_encoding.encode(replace(table, ident=ident), owner=raw.owner)
        # Keep what the metastore owns: where the data is and when the table was made.
        new.createTime = raw.createTime
        if new.sd is not None and raw.sd is not None and not new.sd.location:
            new.sd.location = raw.sd.location
        self._alter(ident, new)

    def _alter(self, ident: Ident, hms_table: Table) -> None:
        try:
            self.api.alter_table(ident.database, ident.name, hms_table)
        except InvalidOperationException as e:
            raise CatalogError(f"cannot alter `{ident}`: {e.message}") from None
        except (TException, OSError) as e:
            raise self._error(f"altering `{ident}`", e) from e

    def rename_table(self, ident: Ident, new_ident: Ident) -> None:
        raw = self.get_raw_table(ident)
        if self.table_exists(new_ident):
            raise CatalogError(f"cannot rename `{ident}`: `{new_ident}` already exists")
        raw.dbName, raw.tableName = new_ident.database, new_ident.name
        self._alter(ident, raw)

    def drop_table(self, ident: Ident, *, if_exists: bool = False) -> None:
        try:
            self.api.drop_table(ident.database, ident.name, False)
        except NoSuchObjectException:
            if not if_exists:
                raise self._no_table(ident) from None
        except (TException, OSError) as e:
            raise self._error(f"dropping `{ident}`", e) from e

    # -- partitions ---------------------------------------------------------------------------
    def _hive_table(self, ident: Ident) -> Table:
        raw = self.get_raw_table(ident)
        if flink_encoding.is_generic(raw) or not raw.partitionKeys:
            raise CatalogError(
                f"`{ident}` has no HMS partitions: only partitioned Hive tables do "
                "(Flink tables keep their partitions in the connector)"
            )
        return raw

    def list_partitions(self, ident: Ident) -> list[PartitionDef]:
        self._hive_table(ident)
        parts = self._call(
            f"get_partitions `{ident}`",
            lambda: self.api.get_partitions(ident.database, ident.name, -1),
        )
        return [decode_partition(p) for p in parts]

    def get_partition_names(self, ident: Ident) -> list[str]:
        raw = self.get_raw_table(ident)
        if not raw.partitionKeys:
            return []
        return self._call(
            f"get_partition_names `{ident}`",
            lambda: self.api.get_partition_names(ident.database, ident.name, -1),
        )

    def add_partitions(self, ident: Ident, partitions: Sequence[PartitionDef]) -> None:
        raw = self._hive_table(ident)
        keys = [k.name for k in raw.partitionKeys]
        hms_parts = []
        for part in partitions:
            if len(part.values) != len(keys):
                raise CatalogError(
                    f"partition {list(part.values)} of `{ident}` needs one value per "
                    f"partition key {keys}"
                )
            p = encode_partition(ident, part)
            p.sd = copy.deepcopy(raw.sd)
            base = raw.sd.location if raw.sd else None
            name = partition_name(keys, list(part.values))
            p.sd.location = part.location or (f"{base}/{name}" if base else None)
            hms_parts.append(p)
        try:
            self.api.add_partitions(hms_parts)
        except AlreadyExistsException as e:
            raise CatalogError(f"partition of `{ident}` already exists: {e.message}") from None
        except (TException, OSError) as e:
            raise self._error(f"adding partitions to `{ident}`", e) from e

    # -- functions ----------------------------------------------------------------------------
    def list_functions(self, database: str) -> list[str]:
        if not self.database_exists(database):
            raise self._no_database(database)
        return sorted(self._call("get_functions", lambda: self.api.get_functions(database, "*")))

    def get_function(self, ident: Ident) -> FunctionDef:
        try:
            return decode_function(self.api.get_function(ident.database, ident.name))
        except NoSuchObjectException:
            if not self.database_exists(ident.database):
                raise self._no_database(ident.database) from None
            raise CatalogError(
                f"function `{ident}` does not exist in catalog {self._uri}; functions in "
                f"`{ident.database}`: {_names(self.list_functions(ident.database))}"
            ) from None
        except (TException, OSError) as e:
            raise self._error(f"get_function `{ident}`", e) from e

    def create_function(self, function: FunctionDef, *, if_not_exists: bool = False) -> None:
        try:
            self.api.create_function(encode_function(function))
        except AlreadyExistsException:
            if not if_not_exists:
                raise CatalogError(
                    f"function `{function.ident}` already exists in catalog {self._uri}"
                ) from None
        except NoSuchObjectException:
            raise self._no_database(function.ident.database) from None
        except (TException, OSError) as e:
            raise self._error(f"creating function `{function.ident}`", e) from e

    def drop_function(self, ident: Ident, *, if_exists: bool = False) -> None:
        try:
            self.api.drop_function(ident.database, ident.name)
        except NoSuchObjectException:
            if not if_exists:
                raise CatalogError(
                    f"function `{ident}` does not exist in catalog {self._uri}"
                ) from None
        except (TException, OSError) as e:
            raise self._error(f"dropping function `{ident}`", e) from e


__all__ = ["HmsCatalog"]
