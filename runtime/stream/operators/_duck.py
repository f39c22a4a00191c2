"""Scalar evaluation over Arrow batches with DuckDB, through the batch target's expression
lowering (`compiler/lower/duckdb_expr.lower_expr`): one definition of every function for both
targets (ARCHITECTURE.md, "one semantics").

A `Program` is a chain of steps over an input of `width` columns: `("filter", predicate)` keeps
rows, `("project", exprs)` replaces the columns. Bookkeeping columns (`_op`, `_split`) of the
input batch pass through unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from nrtg.compiler.lower.duckdb_expr import LowerContext, lower_expr
from nrtg.compiler.lower.duckdb_macros import macro_order, macro_sql
from nrtg.compiler.plan.expr import Expr

from ._rows import data_width

Step = tuple[str, Any]  # ("filter", Expr) | ("project", tuple[Expr, ...])


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Env:
    """What every expression evaluation needs: the session time zone (TIMESTAMP_LTZ) and the
    script's Python UDFs (canonical name -> 'module.attr', as the batch lowering takes them);
    and the processing-time clock (epoch ms) of PROCTIME() windows and lookup joins: the wall
    clock unless injected (the executor's deterministic mode injects one)."""

    time_zone: str = "UTC"
    udfs: Mapping[str, str] = field(default_factory=dict)
    clock: Callable[[], int] = field(default=wall_clock_ms)


DEFAULT_ENV = Env()


class Program:
    def __init__(self, width: int, steps: Sequence[Step], env: Env = DEFAULT_ENV) -> None:
        self.width = width
        self.steps = tuple(steps)
        self.ctx = LowerContext(dict(env.udfs)) if env.udfs else LowerContext()
        self._sql: dict[tuple[str, ...], str] = {}
        self.con = duckdb.connect()
        self.con.execute(f"SET TimeZone = '{env.time_zone}'")
        self.con.execute("SET threads = 1")
        self._layers = self._lower()
        _register_functions(self.con, self.ctx)
        for m in macro_order(tuple(sorted(self.ctx.macros))):
            self.con.execute(macro_sql(m))

    def _lower(self) -> list[tuple[str, list[str]]]:
        """Per step: ("where", [predicate sql]) or ("select", [expr sql ...]) over c0..cN."""
        layers: list[tuple[str, list[str]]] = []
        width = self.width
        for depth, (kind, payload) in enumerate(self.steps):
            cols: list[exp.Expression] = [
                exp.column(f"c{depth}_{i}", quoted=True) for i in range(width)
            ]
            if kind == "filter":
                e = lower_expr(payload, cols, self.ctx)
                layers.append(("where", [e.sql(dialect="duckdb")]))
            else:
                exprs: tuple[Expr, ...] = payload
                layers.append(
                    ("select", [lower_expr(x, cols, self.ctx).sql(dialect="duckdb") for x in exprs])
                )
                width = len(exprs)
        self.out_width = width
        return layers

    def sql(self, extra: tuple[str, ...]) -> str:
        """The query over relation `_in` (columns c0_0.. + `extra` bookkeeping columns)."""
        cached = self._sql.get(extra)
        if cached is not None:
            return cached
        keep = "".join(f", {_q(x)}" for x in extra)
        width = self.width
        query = "SELECT * FROM _in"
        for depth, (kind, texts) in enumerate(self._layers):
            nxt = depth + 1
            if kind == "where":
                renames = ", ".join(f'"c{depth}_{i}" AS "c{nxt}_{i}"' for i in range(width))
                query = f"SELECT {renames}{keep} FROM ({query}) AS s{depth} WHERE {texts[0]}"
            else:
                items = ", ".join(f'{t} AS "c{nxt}_{i}"' for i, t in enumerate(texts))
                query = f"SELECT {items}{keep} FROM ({query}) AS s{depth}"
                width = len(texts)
        self._sql[extra] = query
        return query

    def run(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        width = data_width(batch)
        extra = tuple(batch.schema.field(i).name for i in range(width, batch.num_columns))
        names = [f"c0_{i}" for i in range(width)] + list(extra)
        return self.run_named(pa.RecordBatch.from_arrays(batch.columns, names=names), extra)

    def run_named(self, batch: pa.RecordBatch, extra: tuple[str, ...] = ()) -> pa.RecordBatch:
        """`run` over a batch whose data columns are named `c0_<position>` already; it may
        leave out the positions that no expression reads."""
        self.con.register("_in", batch)
        try:
            table = self.con.sql(self.sql(extra)).to_arrow_table()
        finally:
            self.con.unregister("_in")
        batches = table.combine_chunks().to_batches()
        if not batches:
            return pa.RecordBatch.from_arrays(
                [pa.array([], type=f.type) for f in table.schema], schema=table.schema
            )
        return batches[0]

    def close(self) -> None:
        self.con.close()


def _register_functions(con: duckdb.DuckDBPyConnection, ctx: Any) -> None:
    """Register the Python UDFs (and any last-resort functions) the lowering used, through the
    batch runtime's registration, so both targets call the same implementations."""
    from nrtg.runtime.batch import functions

    used = getattr(ctx, "used_udfs", None)
    if used:
        functions.register_udfs(con, tuple(used.values()))  # type: ignore[attr-defined]
    names = getattr(ctx, "functions", None)
    if names:
        functions.register_functions(con, tuple(sorted(names)))  # type: ignore[attr-defined]
