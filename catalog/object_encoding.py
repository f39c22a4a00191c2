"""Databases, functions and partitions <-> HMS Thrift objects (tables: `flink_encoding.py`).

Functions follow Flink's HiveCatalog: a Python function's class name is stored with the
`flink:python:` prefix, Java/Scala ones as the plain class name (functionType JAVA).
"""

from __future__ import annotations

import time

from .base import PartitionDef
from .hms_objects import BOOKKEEPING_KEYS
from .hms_thrift.ttypes import Database, Function, FunctionType, Partition, PrincipalType
from .schema import DatabaseDef, FunctionDef, Ident

PYTHON_PREFIX = "flink:python:"


def encode_database(db: DatabaseDef) -> Database:
    return Database(
        name=db.name,
        description=db.comment,
        locationUri=db.location,
        parameters=dict(db.properties),
    )


def decode_database(db: Database) -> DatabaseDef:
    return DatabaseDef(
        name=db.name or "",
        comment=db.description or None,
        properties=dict(db.parameters or {}),
        location=db.locationUri or None,
    )


def encode_function(fn: FunctionDef, owner: str = "nrtg") -> Function:
    python = fn.language.upper() == "PYTHON"
    return Function(
        functionName=fn.ident.name,
        dbName=fn.ident.database,
        className=(PYTHON_PREFIX + fn.class_name) if python else fn.class_name,
        ownerName=owner,
        ownerType=PrincipalType.USER,
        createTime=int(time.time()),
        functionType=FunctionType.JAVA,
        resourceUris=[],
    )


def decode_function(fn: Function) -> FunctionDef:
    class_name = fn.className or ""
    if class_name.startswith(PYTHON_PREFIX):
        return FunctionDef(
            Ident(fn.dbName or "", fn.functionName or ""), class_name[len(PYTHON_PREFIX) :]
        )
    return FunctionDef(Ident(fn.dbName or "", fn.functionName or ""), class_name, "JAVA")


def encode_partition(ident: Ident, part: PartitionDef) -> Partition:
    return Partition(
        values=list(part.values),
        dbName=ident.database,
        tableName=ident.name,
        createTime=int(time.time()),
        lastAccessTime=0,
        sd=None,
        parameters=dict(part.parameters),
    )


def decode_partition(part: Partition) -> PartitionDef:
    params = {k: v for k, v in (part.parameters or {}).items() if k not in BOOKKEEPING_KEYS}
    return PartitionDef(
        values=tuple(part.values or ()),
        location=part.sd.location if part.sd else None,
        parameters=params,
    )
