"""Run lowered batch queries on an in-process DuckDB connection; results as Arrow tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from nrtg.catalog.errors import ExecutionError, NrtgError

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from nrtg.catalog.schema import FunctionDef
    from nrtg.compiler.lower.duckdb import BatchQuery
    from nrtg.compiler.plan.nodes import Plan


@dataclass(frozen=True)
class BatchResult:
    table: pa.Table  # the query's rows (also for a sink: what was written)
    rows_written: int | None = None  # set when the query wrote a sink
    sink: str | None = None


@dataclass
class BatchSession:
    """One DuckDB connection with the session time zone applied. TIMESTAMP_LTZ values render
    and window-align in `time_zone` (Flink's `table.local-time-zone`)."""

    time_zone: str = "UTC"
    tables: Mapping[str, pa.Table] = field(default_factory=dict)
    out: TextIO | None = None

    def __post_init__(self) -> None:
        import duckdb

        self.con: duckdb.DuckDBPyConnection = duckdb.connect()
        self.con.execute(f"SET TimeZone = '{self.time_zone}'")

    def close(self) -> None:
        self.con.close()

    def run(self, query: BatchQuery) -> BatchResult:
        from nrtg.compiler.lower.duckdb_types import duck_type_text  # noqa: F401 (warm import)

        from .functions import register_udfs
        from .sinks import write_sink
        from .sources import register_source

        con = self.con
        try:
            register_udfs(con, query.udfs)
            for stmt in query.macro_statements:
                con.execute(stmt)
            for source in query.sources:
                register_source(con, source, self.tables)
            table = con.sql(query.sql).to_arrow_table()
        except NrtgError:
            raise
        except Exception as e:  # duckdb.Error and friends: a failing job, with DuckDB's reason
            raise ExecutionError(f"batch query failed: {e}") from e
        table = _finish(table, query)
        if query.sink is None:
            return BatchResult(table)
        try:
            written = write_sink(con, query.sink, table, self.out)
        except NrtgError:
            raise
        except Exception as e:
            raise ExecutionError(f"writing sink {query.sink.table} failed: {e}") from e
        return BatchResult(table, written, str(query.sink.table))


def _finish(table: pa.Table, query: BatchQuery) -> pa.Table:
    """Output names as the plan has them; timestamps at their declared precision and zone."""
    import pyarrow as pa

    from nrtg.catalog.type_mapping import to_arrow_type

    arrays = []
    for i, f in enumerate(query.fields):
        column = table.column(i)
        if f.type.is_timestamp:
            target = to_arrow_type(f.type)
            if column.type != target:
                column = column.cast(target, safe=False)
        arrays.append(column)
    return pa.Table.from_arrays(arrays, names=list(query.names))


def run_query(
    query: BatchQuery,
    *,
    tables: Mapping[str, pa.Table] | None = None,
    time_zone: str = "UTC",
    out: TextIO | None = None,
) -> BatchResult:
    session = BatchSession(time_zone=time_zone, tables=tables or {}, out=out)
    try:
        return session.run(query)
    finally:
        session.close()


def run_plan(
    plan: Plan,
    *,
    udfs: Mapping[str, FunctionDef] | None = None,
    tables: Mapping[str, pa.Table] | None = None,
    time_zone: str = "UTC",
    out: TextIO | None = None,
) -> BatchResult:
    """Lower `plan` to DuckDB and run it."""
    from nrtg.compiler.lower.duckdb import lower_to_duckdb

    query = lower_to_duckdb(plan, udfs=udfs)
    return run_query(query, tables=tables, time_zone=time_zone, out=out)


def run_statement_set(
    queries: tuple[BatchQuery, ...],
    *,
    tables: Mapping[str, pa.Table] | None = None,
    time_zone: str = "UTC",
    out: TextIO | None = None,
) -> tuple[BatchResult, ...]:
    """Run several lowered statements (a statement set: one query per sink) on one connection,
    in order."""
    session = BatchSession(time_zone=time_zone, tables=tables or {}, out=out)
    try:
        return tuple(session.run(q) for q in queries)
    finally:
        session.close()
