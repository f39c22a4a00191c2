"""nrtg: write a streaming job once in Flink SQL; run it on Kafka, DuckDB or Flink.

import nrtg
job = nrtg.compile(sql, catalog="memory://")
print(job.explain("optimized"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nrtg.compiler.api import CompiledJob

__all__ = ["compile"]


def compile(sql: str, catalog: Any = None) -> CompiledJob:
    """Compile a Flink SQL script. `catalog` is a Catalog object, a URI string
    (`thrift://host:port`, `sqlite:///path`, `memory://`) or None (the script's own DDL only)."""
    from nrtg.compiler.api import compile_sql

    if isinstance(catalog, str):
        from nrtg.catalog.uri import open_catalog

        catalog = open_catalog(catalog)
    return compile_sql(sql, catalog)
