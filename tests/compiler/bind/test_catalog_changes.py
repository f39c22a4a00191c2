"""Compiles against one catalog object that changes between them see the change (the binder
keeps bound catalog expressions across compiles, per table object)."""

from __future__ import annotations

from nrtg.catalog.memory import MemoryCatalog
from nrtg.catalog.schema import Ident
from nrtg.compiler.api import compile_sql
from nrtg.persist import apply_changes

TABLE = """
CREATE TABLE t (
    a {a_type}, ts TIMESTAMP(3), c AS a + 1,
    WATERMARK FOR ts AS ts - INTERVAL '{delay}' SECOND
) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json')
"""


def _create(catalog: MemoryCatalog, a_type: str, delay: int) -> None:
    ddl = TABLE.format(a_type=a_type, delay=delay)
    apply_changes(catalog, compile_sql(ddl, catalog).bound.changes)


def _plan(catalog: MemoryCatalog) -> str:
    return compile_sql("SELECT c, ts FROM t", catalog).explain("logical", schema=True)


def test_a_replaced_table_is_bound_from_its_new_definition() -> None:
    catalog = MemoryCatalog()
    _create(catalog, "BIGINT", 1)
    first = _plan(catalog)
    assert _plan(catalog) == first
    catalog.drop_table(Ident("default", "t"))
    # The same computed-column text over a column of another type.
    _create(catalog, "DOUBLE", 5)
    second = _plan(catalog)
    assert "c:BIGINT" in first and "INTERVAL '1' SECOND" in first
    assert "c:DOUBLE" in second and "INTERVAL '5' SECOND" in second
