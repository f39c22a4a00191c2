"""The batch target: a logical plan -> one DuckDB query (CTE per node) with Flink's semantics.

`lower_to_duckdb(plan)` returns a `BatchQuery`: the SQL text (written by duckdb_generate as
sqlglot's DuckDB generator writes it, stable for golden files), the macros and Python UDFs it
needs, the table scans the runtime registers as relations (`"src:db.table"`), and the sink
when the plan is a Sink.
This module imports sqlglot but never duckdb: `nrtg compile` stays fast.

What each node becomes (duckdb_rel, duckdb_joins, duckdb_window, duckdb_aggs):
  TableScan        SELECT cols FROM "src:db.t" (a changelog source: its folded contents)
  Values           VALUES rows, each value cast to the field type; empty: SELECT ... WHERE FALSE
  Project/Filter   SELECT exprs / SELECT * ... WHERE; AssignWatermark: nothing (bounded input)
  Aggregate        GROUP BY; aggregates with DISTINCT and FILTER (WHERE); a global aggregate
                   on empty input gives one row (COUNT = 0, SUM = NULL), as Flink batch
  WindowTVF        + window_start/end/time from epoch-ms arithmetic: TUMBLE aligned with
                   offset; HOP and CUMULATE unnest their windows per row; SESSION from lag()
                   and a running sum per partition
  WindowAggregate  WindowTVF + GROUP BY group, window_start, window_end
  Join             JOIN ... ON (SEMI/ANTI: EXISTS / NOT EXISTS)
  IntervalJoin     JOIN ... ON cond AND r.t + lower <= l.t <= r.t + upper
  WindowJoin       JOIN ... ON equal window bounds AND cond
  TemporalJoin     ASOF [LEFT] JOIN on the equi-keys and l.t >= r.t; residual condition
                   applied to the version found; changelog versions end at a delete
  LookupJoin       a regular join against the lookup table's contents (batch meaning)
  Unnest           CROSS / LEFT JOIN LATERAL (SELECT unnest(...)); rows and maps expanded
  SetOp            UNION / INTERSECT / EXCEPT [ALL]
  Sort             ORDER BY with explicit NULLS FIRST/LAST (Flink: ASC first, DESC last),
                   LIMIT/OFFSET; kept through the final SELECT
  Over             agg(...) OVER (PARTITION BY ... ORDER BY ... ROWS|RANGE frame); RANGE
                   offsets over a time column are INTERVALs
  Rank/WindowRank  row_number/rank/dense_rank in a subquery, filtered to [lower, upper]
  Deduplicate      row_number() ORDER BY time ASC (first) / DESC (last) = 1 (also per window)
  Sink             the input under the sink's column names; the runtime writes it

Structurally equal subplans share one CTE (MATERIALIZED when it aggregates, joins or ranks,
NOT MATERIALIZED when it only reads, so that projections reach the file reader),
and a `col = literal` filter above a projection folds the CASE branches it decides
(duckdb_share.py): both keep DuckDB from reading or aggregating the same input twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlglot import exp

from nrtg.catalog.schema import Field, FunctionDef
from nrtg.compiler.plan import nodes as n

from .duckdb_base import Source, ordered
from .duckdb_context import PythonUdf, col
from .duckdb_expr import LowerContext
from .duckdb_macros import macro_order, macro_sql
from .duckdb_rel import RelLowerer

__all__ = [
    "BatchQuery",
    "PythonUdf",
    "Source",
    "batch_text",
    "lower_statement_set",
    "lower_to_duckdb",
]


@dataclass(frozen=True)
class BatchQuery:
    sql: str
    macros: tuple[str, ...]  # macro names, see duckdb_macros.MACROS
    sources: tuple[Source, ...]
    names: tuple[str, ...]  # output column names (may repeat, as Flink's do)
    fields: tuple[Field, ...]  # the plan's output fields (types for the result)
    sink: n.Sink | None = None
    udfs: tuple[PythonUdf, ...] = ()  # Python UDFs to register, by their SQL name

    @property
    def macro_statements(self) -> tuple[str, ...]:
        return tuple(macro_sql(m) for m in macro_order(self.macros))

    def text(self) -> str:
        """What `nrtg compile --target batch` prints: sources, sink, macros, then the query."""
        lines = []
        for s in self.sources:
            opts = dict(s.scan.options)
            desc = ", ".join(f"{k}={opts[k]}" for k in ("connector", "format") if k in opts)
            lines.append(f'-- source "{s.relation}": {s.scan.table} ({desc})')
        if self.sink is not None:
            opts = dict(self.sink.options)
            lines.append(f"-- sink: {self.sink.table} (connector={opts.get('connector', '?')})")
        for u in self.udfs:
            lines.append(f"-- python udf {u.sql_name}: {u.class_name}")
        lines.extend(f"{m};" for m in self.macro_statements)
        lines.append(self.sql + ";")
        return "\n".join(lines) + "\n"


def lower_to_duckdb(
    plan: n.Plan, *, udfs: Mapping[str, FunctionDef] | None = None, pretty: bool = True
) -> BatchQuery:
    """Lower one plan (a query, or a Sink over one) to a DuckDB query. `udfs` are the script's
    Python functions by canonical name (`CompiledJob.bound.udfs`)."""
    ctx = LowerContext({k: f.class_name for k, f in (udfs or {}).items()})
    lowerer = RelLowerer(ctx, pretty)
    w = lowerer.w
    root = lowerer.lower(plan)
    final_names = plan.schema.names
    if root.names == final_names:
        items = ["*"]
    else:
        items = [w.column_as(c, None, x) for c, x in zip(root.names, final_names, strict=True)]
    order = ""
    sort = _top_sort(plan)
    if sort is not None:
        # Keep the order through the last projection (DuckDB does not promise it otherwise).
        keys = [ordered(col(root.names[k.index]), k) for k in sort.keys]
        order = w.sql(exp.Order(expressions=keys))
    inlined = lowerer.inlined_closure() if lowerer.ctes else set()
    ctes = [
        (name, body, _materialized(name, lowerer.materialized, inlined))
        for name, body in lowerer.ctes
    ]
    sql = w.query(ctes, w.select(items, root.cte, tail=order))
    return BatchQuery(
        sql=sql,
        macros=tuple(sorted(ctx.macros)),
        sources=tuple(lowerer.sources),
        names=final_names,
        fields=plan.schema.fields,
        sink=plan if isinstance(plan, n.Sink) else None,
        udfs=tuple(ctx.used_udfs[k] for k in sorted(ctx.used_udfs)),
    )


def batch_text(plans: tuple[n.Plan, ...], udfs: Mapping[str, FunctionDef] | None = None) -> str:
    """The `== duckdb ==` golden section / `nrtg compile --target batch` output: each root's
    lowered query, separated by a blank line."""
    return "\n".join(lower_to_duckdb(p, udfs=udfs).text() for p in plans)


def lower_statement_set(
    plans: tuple[n.Plan, ...], udfs: Mapping[str, FunctionDef] | None = None
) -> tuple[BatchQuery, ...]:
    """A statement set: one query per sink, run in order by the runtime."""
    return tuple(lower_to_duckdb(p, udfs=udfs) for p in plans)


def _materialized(name: str, materialized: set[str], inlined: set[str]) -> bool | None:
    if name in materialized:
        return True
    return False if name in inlined else None


def _top_sort(plan: n.Plan) -> n.Sort | None:
    node = plan.input if isinstance(plan, n.Sink) else plan
    return node if isinstance(node, n.Sort) and node.keys else None
