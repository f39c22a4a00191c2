"""The embedded catalog store: HMS Thrift objects in one SQLite file.

It speaks the Hive Metastore API in Python (same method names, arguments and exceptions as the
Thrift service), so `hms_server.py` serves it unchanged and `HmsCatalog` reads it exactly as it
reads a real metastore. Objects are stored as Thrift-serialized blobs, one row each, written in
transactions (WAL mode): a killed process leaves only whole objects. Thread-safe: one SQLite
connection per thread.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from thrift.protocol.TBinaryProtocol import TBinaryProtocolAcceleratedFactory
from thrift.TSerialization import deserialize, serialize

from .hms_names import is_valid_name, normalize, partition_name, pattern_regex
from .hms_objects import VIRTUAL_VIEW
from .hms_thrift.ttypes import (
    AlreadyExistsException,
    Database,
    FieldSchema,
    Function,
    InvalidObjectException,
    InvalidOperationException,
    MetaException,
    NoSuchObjectException,
    Partition,
    Table,
    UnknownDBException,
    UnknownTableException,
)

T = TypeVar("T")
_FACTORY = TBinaryProtocolAcceleratedFactory()
_SCHEMA = """
CREATE TABLE IF NOT EXISTS dbs (name TEXT PRIMARY KEY, obj BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tbls (
  db TEXT NOT NULL, name TEXT NOT NULL, obj BLOB NOT NULL, PRIMARY KEY (db, name));
CREATE TABLE IF NOT EXISTS parts (
  db TEXT NOT NULL, tbl TEXT NOT NULL, name TEXT NOT NULL, obj BLOB NOT NULL,
  PRIMARY KEY (db, tbl, name));
CREATE TABLE IF NOT EXISTS funcs (
  db TEXT NOT NULL, name TEXT NOT NULL, obj BLOB NOT NULL, PRIMARY KEY (db, name));
"""
DEFAULT_DATABASE = "default"


def _dump(obj: Any) -> bytes:
    data: bytes = serialize(obj, _FACTORY)
    return data


def _load(cls: type[T], blob: bytes) -> T:
    result: T = deserialize(cls(), blob, _FACTORY)
    return result


class SqliteStore:
    """HMS objects in a SQLite file (or `:memory:`), with HMS semantics for every method."""

    def __init__(self, path: str | os.PathLike[str], *, warehouse: str | None = None) -> None:
        self.path = str(path)
        self._memory = self.path == ":memory:"
        if not self._memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        if warehouse is None and not self._memory:
            warehouse = Path(self.path).resolve().parent.joinpath("warehouse").as_uri()
        self.warehouse = warehouse
        self._local = threading.local()
        self._shared: sqlite3.Connection | None = None
        self._mem_lock = threading.RLock()
        self._init()

    # -- connections --------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        if self._memory:
            if self._shared is None:
                self._shared = sqlite3.connect(
                    ":memory:", isolation_level=None, check_same_thread=False
                )
            return self._shared
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: writers queue instead of deadlocking)."""
        with self._mem_lock if self._memory else contextlib.nullcontext():
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self._mem_lock if self._memory else contextlib.nullcontext():
            return self._conn().execute(sql, args).fetchall()

    def _init(self) -> None:
        with self._write() as conn:
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            if conn.execute("SELECT 1 FROM dbs WHERE name=?", (DEFAULT_DATABASE,)).fetchone():
                return
            db = Database(
                name=DEFAULT_DATABASE,
                description="Default Hive database",
                locationUri=self.warehouse,
                parameters={},
            )
            conn.execute("INSERT INTO dbs VALUES (?, ?)", (DEFAULT_DATABASE, _dump(db)))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        if self._shared is not None:
            self._shared.close()
            self._shared = None

    # -- databases ----------------------------------------------------------------------------
    def get_all_databases(self) -> list[str]:
        return [r[0] for r in self._read("SELECT name FROM dbs ORDER BY name")]

    def get_databases(self, pattern: str | None) -> list[str]:
        rx = pattern_regex(pattern)
        return [n for n in self.get_all_databases() if rx.fullmatch(n)]

    def get_database(self, name: str) -> Database:
        rows = self._read("SELECT obj FROM dbs WHERE name=?", (normalize(name or ""),))
        if not rows:
            raise NoSuchObjectException(f"{name}")
        return _load(Database, rows[0][0])

    def create_database(self, database: Database) -> None:
        name = normalize(database.name or "")
        if not is_valid_name(name):
            raise InvalidObjectException(f"{database.name} is not a valid database name")
        database.name = name
        if not database.locationUri and self.warehouse:
            database.locationUri = f"{self.warehouse}/{name}.db"
        database.parameters = database.parameters or {}
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM dbs WHERE name=?", (name,)).fetchone():
                raise AlreadyExistsException(f"Database {name} already exists")
            conn.execute("INSERT INTO dbs VALUES (?, ?)", (name, _dump(database)))

    def alter_database(self, dbname: str, db: Database) -> None:
        name = normalize(dbname or "")
        db.name = name
        with self._write() as conn:
            if not conn.execute("SELECT 1 FROM dbs WHERE name=?", (name,)).fetchone():
                raise NoSuchObjectException(f"{dbname}")
            conn.execute("UPDATE dbs SET obj=? WHERE name=?", (_dump(db), name))

    def drop_database(self, name: str, deleteData: bool, cascade: bool) -> None:
        db = normalize(name or "")
        if db == DEFAULT_DATABASE:
            raise MetaException("Can not drop default database")
        with self._write() as conn:
            if not conn.execute("SELECT 1 FROM dbs WHERE name=?", (db,)).fetchone():
                raise NoSuchObjectException(f"{name}")
            has_tables = conn.execute("SELECT 1 FROM tbls WHERE db=? LIMIT 1", (db,)).fetchone()
            has_funcs = conn.execute("SELECT 1 FROM funcs WHERE db=? LIMIT 1", (db,)).fetchone()
            if (has_tables or has_funcs) and not cascade:
                raise InvalidOperationException(
                    f"Database {db} is not empty. One or more tables exist."
                )
            for table in ("parts", "tbls", "funcs", "dbs"):
                col = "name" if table == "dbs" else "db"
                conn.execute(f"DELETE FROM {table} WHERE {col}=?", (db,))

    # -- tables -------------------------------------------------------------------------------
    def get_all_tables(self, db_name: str) -> list[str]:
        rows = self._read("SELECT name FROM tbls WHERE db=? ORDER BY name", (normalize(db_name),))
        return [r[0] for r in rows]

    def get_tables(self, db_name: str, pattern: str | None) -> list[str]:
        rx = pattern_regex(pattern)
        return [n for n in self.get_all_tables(db_name) if rx.fullmatch(n)]

    def get_tables_by_type(self, db_name: str, pattern: str | None, tableType: str) -> list[str]:
        names = self.get_tables(db_name, pattern)
        tables = self.get_table_objects_by_name(db_name, names)
        return [t.tableName for t in tables if not tableType or t.tableType == tableType]

    def get_table(self, dbname: str, tbl_name: str) -> Table:
        db, name = normalize(dbname or ""), normalize(tbl_name or "")
        rows = self._read("SELECT obj FROM tbls WHERE db=? AND name=?", (db, name))
        if not rows:
            raise NoSuchObjectException(f"{db}.{name} table not found")
        return _load(Table, rows[0][0])

    def get_table_objects_by_name(self, dbname: str, tbl_names: list[str]) -> list[Table]:
        db = normalize(dbname or "")
        result = []
        for n in tbl_names or []:
            rows = self._read("SELECT obj FROM tbls WHERE db=? AND name=?", (db, normalize(n)))
            if rows:
                result.append(_load(Table, rows[0][0]))
        return result

    def create_table(self, tbl: Table) -> None:
        db, name = normalize(tbl.dbName or ""), normalize(tbl.tableName or "")
        if not is_valid_name(name):
            raise InvalidObjectException(f"{tbl.tableName} is not a valid object name")
        tbl.dbName, tbl.tableName = db, name
        now = int(time.time())
        tbl.createTime = tbl.createTime or now
        tbl.parameters = dict(tbl.parameters or {})
        tbl.parameters["transient_lastDdlTime"] = str(now)
        tbl.partitionKeys = tbl.partitionKeys or []
        with self._write() as conn:
            row = conn.execute("SELECT obj FROM dbs WHERE name=?", (db,)).fetchone()
            if row is None:  # what Hive answers (not NoSuchObjectException)
                raise InvalidObjectException(db)
            if conn.execute("SELECT 1 FROM tbls WHERE db=? AND name=?", (db, name)).fetchone():
                raise AlreadyExistsException(f"Table {db}.{name} already exists")
            location = _load(Database, row[0]).locationUri
            if tbl.sd is not None and not tbl.sd.location and tbl.tableType != VIRTUAL_VIEW:
                tbl.sd.location = f"{location}/{name}" if location else None
            conn.execute("INSERT INTO tbls VALUES (?, ?, ?)", (db, name, _dump(tbl)))

    def create_table_with_environment_context(self, tbl: Table, environment_context: Any) -> None:
        self.create_table(tbl)

    def drop_table(self, dbname: str, name: str, deleteData: bool) -> None:
        db, tbl = normalize(dbname or ""), normalize(name or "")
        with self._write() as conn:
            cur = conn.execute("DELETE FROM tbls WHERE db=? AND name=?", (db, tbl))
            if cur.rowcount == 0:
                raise NoSuchObjectException(f"{db}.{tbl} table not found")
            conn.execute("DELETE FROM parts WHERE db=? AND tbl=?", (db, tbl))

    def drop_table_with_environment_context(
        self,
        dbname: str,
        name: str,
        deleteData: bool,
        environment_context: Any,
    ) -> None:
        self.drop_table(dbname, name, deleteData)

    def alter_table(self, dbname: str, tbl_name: str, new_tbl: Table) -> None:
        db, name = normalize(dbname or ""), normalize(tbl_name or "")
        new_db = normalize(new_tbl.dbName or db)
        new_name = normalize(new_tbl.tableName or name)
        if not is_valid_name(new_name):
            raise InvalidOperationException(f"{new_tbl.tableName} is not a valid object name")
        new_tbl.dbName, new_tbl.tableName = new_db, new_name
        with self._write() as conn:
            row = conn.execute("SELECT obj FROM tbls WHERE db=? AND name=?", (db, name)).fetchone()
            if row is None:
                raise InvalidOperationException(f"table {db}.{name} doesn't exist")
            old = _load(Table, row[0])
            if (new_db, new_name) != (db, name):
                if not conn.execute("SELECT 1 FROM dbs WHERE name=?", (new_db,)).fetchone():
                    raise InvalidOperationException(
                        f"Unable to change partition or table. Database {new_db} does not exist"
                    )
                taken = conn.execute(
                    "SELECT 1 FROM tbls WHERE db=? AND name=?", (new_db, new_name)
                ).fetchone()
                if taken:
                    raise InvalidOperationException(f"new table {new_db}.{new_name} already exists")
            new_tbl.createTime = old.createTime
            new_tbl.parameters = dict(new_tbl.parameters or {})
            new_tbl.parameters["transient_lastDdlTime"] = str(int(time.time()))
            if new_tbl.sd is not None and not new_tbl.sd.location and old.sd is not None:
                new_tbl.sd.location = old.sd.location
            conn.execute("DELETE FROM tbls WHERE db=? AND name=?", (db, name))
            conn.execute("INSERT INTO tbls VALUES (?, ?, ?)", (new_db, new_name, _dump(new_tbl)))
            conn.execute(
                "UPDATE parts SET db=?, tbl=? WHERE db=? AND tbl=?", (new_db, new_name, db, name)
            )

    def alter_table_with_environment_context(
        self, dbname: str, tbl_name: str, new_tbl: Table, environment_context: Any
    ) -> None:
        self.alter_table(dbname, tbl_name, new_tbl)

    def get_fields(self, db_name: str, table_name: str) -> list[FieldSchema]:
        table = self._table_for_fields(db_name, table_name)
        return list(table.sd.cols or []) if table.sd else []

    def get_schema(self, db_name: str, table_name: str) -> list[FieldSchema]:
        table = self._table_for_fields(db_name, table_name)
        return self.get_fields(db_name, table_name) + list(table.partitionKeys or [])

    def _table_for_fields(self, db_name: str, table_name: str) -> Table:
        if not self._read("SELECT 1 FROM dbs WHERE name=?", (normalize(db_name or ""),)):
            raise UnknownDBException(f"Database {db_name} does not exist")
        try:
            return self.get_table(db_name, table_name)
        except NoSuchObjectException as e:
            raise UnknownTableException(f"{db_name}.{table_name} table not found") from e

    # -- partitions ---------------------------------------------------------------------------
    def get_partitions(self, db_name: str, tbl_name: str, max_parts: int = -1) -> list[Partition]:
        table = self.get_table(db_name, tbl_name)
        rows = self._read(
            "SELECT obj FROM parts WHERE db=? AND tbl=? ORDER BY name",
            (table.dbName, table.tableName),
        )
        parts = [_load(Partition, r[0]) for r in rows]
        return parts if max_parts is None or max_parts < 0 else parts[:max_parts]

    def get_partition_names(self, db_name: str, tbl_name: str, max_parts: int = -1) -> list[str]:
        table = self.get_table(db_name, tbl_name)
        rows = self._read(
            "SELECT name FROM parts WHERE db=? AND tbl=? ORDER BY name",
            (table.dbName, table.tableName),
        )
        names = [r[0] for r in rows]
        return names if max_parts is None or max_parts < 0 else names[:max_parts]

    def add_partition(self, new_part: Partition) -> Partition:
        self.add_partitions([new_part])
        return new_part

    def add_partitions(self, new_parts: list[Partition]) -> int:
        with self._write() as conn:
            for part in new_parts or []:
                db, tbl = normalize(part.dbName or ""), normalize(part.tableName or "")
                row = conn.execute(
                    "SELECT obj FROM tbls WHERE db=? AND name=?", (db, tbl)
                ).fetchone()
                if row is None:
                    raise InvalidObjectException(f"Unable to add partition: {db}.{tbl} not found")
                table = _load(Table, row[0])
                keys = [k.name for k in table.partitionKeys or []]
                values = list(part.values or [])
                if not keys or len(values) != len(keys):
                    raise MetaException(
                        f"Partition values {values} do not match partition keys {keys} "
                        f"of table {db}.{tbl}"
                    )
                name = partition_name(keys, values)
                exists = conn.execute(
                    "SELECT 1 FROM parts WHERE db=? AND tbl=? AND name=?", (db, tbl, name)
                ).fetchone()
                if exists:
                    raise AlreadyExistsException(f"Partition already exists: {db}.{tbl} {name}")
                part.dbName, part.tableName = db, tbl
                part.createTime = part.createTime or int(time.time())
                if part.sd is None and table.sd is not None:
                    part.sd = _load(type(table.sd), _dump(table.sd))
                    base = table.sd.location
                    part.sd.location = f"{base}/{name}" if base else None
                part.parameters = part.parameters or {}
                conn.execute("INSERT INTO parts VALUES (?, ?, ?, ?)", (db, tbl, name, _dump(part)))
        return len(new_parts or [])

    # -- functions ----------------------------------------------------------------------------
    def get_functions(self, dbName: str, pattern: str | None) -> list[str]:
        rx = pattern_regex(pattern)
        rows = self._read("SELECT name FROM funcs WHERE db=? ORDER BY name", (normalize(dbName),))
        return [r[0] for r in rows if rx.fullmatch(r[0])]

    def get_function(self, dbName: str, funcName: str) -> Function:
        db, name = normalize(dbName or ""), normalize(funcName or "")
        rows = self._read("SELECT obj FROM funcs WHERE db=? AND name=?", (db, name))
        if not rows:
            raise NoSuchObjectException(f"Function {db}.{name} does not exist")
        return _load(Function, rows[0][0])

    def get_all_functions_list(self) -> list[Function]:
        return [
            _load(Function, r[0]) for r in self._read("SELECT obj FROM funcs ORDER BY db, name")
        ]

    def create_function(self, func: Function) -> None:
        db, name = normalize(func.dbName or ""), normalize(func.functionName or "")
        if not is_valid_name(name):
            raise InvalidObjectException(f"{func.functionName} is not a valid object name")
        func.dbName, func.functionName = db, name
        func.createTime = func.createTime or int(time.time())
        with self._write() as conn:
            if not conn.execute("SELECT 1 FROM dbs WHERE name=?", (db,)).fetchone():
                raise NoSuchObjectException(f"The database {db} does not exist")
            if conn.execute("SELECT 1 FROM funcs WHERE db=? AND name=?", (db, name)).fetchone():
                raise AlreadyExistsException(f"Function {name} already exists")
            conn.execute("INSERT INTO funcs VALUES (?, ?, ?)", (db, name, _dump(func)))

    def drop_function(self, dbName: str, funcName: str) -> None:
        db, name = normalize(dbName or ""), normalize(funcName or "")
        with self._write() as conn:
            cur = conn.execute("DELETE FROM funcs WHERE db=? AND name=?", (db, name))
            if cur.rowcount == 0:
                raise NoSuchObjectException(f"Function {db}.{name} does not exist")
