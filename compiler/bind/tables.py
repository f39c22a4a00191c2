"""A catalog table as a plan: TableScan (physical + metadata columns), a Project computing the
computed columns in declared order, and an AssignWatermark for the rowtime (Flink's
TableSourceScan -> Calc -> WatermarkAssigner)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import replace

from sqlglot import exp

from nrtg.catalog import types as t
from nrtg.catalog.errors import Span
from nrtg.catalog.schema import ColumnKind, Field, TableDef, TimeAttr, ViewDef

from ..errors import BindError, PlanValidationError, TypeCheckError
from ..parse.parse import parse_expression
from ..plan import nodes as n
from ..plan.expr import ColumnRef, Expr
from .expressions import ExprBinder
from .scope import Scope
from .table_options import check_table_options


@functools.lru_cache(maxsize=1024)
def _parsed(text: str) -> exp.Expression:
    return parse_expression(text)


# A catalog table's computed columns and watermarks bound, per table object: they depend on
# the table's definition alone (the scope is its own columns; no UDF, no session setting), and
# a process compiling many jobs against one catalog would otherwise re-bind them for every
# scan. Expressions are immutable values, so the plans of different jobs may share them. An
# entry holds its table, so the id in its key cannot be reused while the entry lives; a changed
# table is a new object and misses. Errors are not cached: they are raised again.
_STORED: dict[tuple[int, str, str], tuple[TableDef, Expr]] = {}
# Flink's switch for OPTIONS hints (on by default since Flink 1.13).
DYNAMIC_OPTIONS = "table.dynamic-table-options.enabled"
_STORED_MAX = 4096


def _stored(table: TableDef, role: str, text: str, scope: Callable[[], Scope]) -> Expr:
    key = (id(table), role, text)
    hit = _STORED.get(key)
    if hit is not None and hit[0] is table:
        return hit[1]
    bound = ExprBinder(scope()).bind(_parsed(text))
    if len(_STORED) >= _STORED_MAX:
        _STORED.clear()
    _STORED[key] = (table, bound)
    return bound


def scan_plan(
    table: TableDef,
    span: Span | None,
    computed_asts: dict[str, exp.Expression] | None = None,
    watermark_asts: dict[str, exp.Expression] | None = None,
) -> n.Plan:
    """Build the scan of `table`. The *_asts maps carry the script's own AST for a table
    created in this script, so errors point into the script; otherwise the stored text is parsed.
    The table's options are checked here, where it is used, not when a catalog is read."""
    check_table_options(table.options, str(table.ident), span)
    physical = [c for c in table.columns if c.kind is not ColumnKind.COMPUTED]
    fields = tuple(Field(c.name, _type_of(c.type)) for c in physical)
    metadata = tuple(
        (c.metadata_key or c.name) if c.kind is ColumnKind.METADATA else None for c in physical
    )
    pk = None
    if table.primary_key is not None:
        names = [f.name for f in fields]
        pk = tuple(names.index(c) for c in table.primary_key.columns if c in names) or None
    options = dict(table.options)
    # A Hive-native table's data lives at the storage descriptor's location, in its format.
    if table.location is not None:
        options.setdefault("location", table.location)
    if table.storage_format is not None:
        options.setdefault("storage-format", table.storage_format)
    scan = n.TableScan(
        table=table.ident,
        fields=fields,
        options=tuple(sorted(options.items())),
        metadata_keys=metadata if any(m is not None for m in metadata) else (),
        primary_key=pk,
        span=span,
    )
    plan: n.Plan = scan
    if any(c.kind is ColumnKind.COMPUTED for c in table.columns) or [
        c.name for c in table.columns
    ] != [f.name for f in fields]:
        plan = _computed(table, scan, computed_asts or {})
    for wm in table.watermarks:
        plan = _watermark(table, plan, wm.rowtime, wm.expr, (watermark_asts or {}).get(wm.rowtime))
    return plan


def with_dynamic_options(
    session_options: Mapping[str, str],
    obj: TableDef | ViewDef,
    options: tuple[tuple[str, str], ...],
    span: Span | None,
    key_spans: Mapping[str, Span] | None = None,
) -> TableDef:
    """`t /*+ OPTIONS('k' = 'v') */`: the table with the hint's options merged over its own,
    for this one reference (Flink's dynamic table options; the catalog is not changed). The
    merged options are checked against the keys the connector and its format declare, errors
    pointing at the hint's key (`key_spans`) or else at the hint."""
    if isinstance(obj, ViewDef):
        raise BindError(
            f"{obj.ident} is a view: OPTIONS hints apply to tables only, as in Flink", span
        )
    if session_options.get(DYNAMIC_OPTIONS, "true").strip().lower() == "false":
        raise PlanValidationError(
            f"OPTIONS hints are disabled by SET '{DYNAMIC_OPTIONS}' = 'false'", span
        )
    merged = {**obj.options, **dict(options)}
    check_table_options(merged, str(obj.ident), span, key_spans=key_spans)
    return replace(obj, options=merged)


def _type_of(ty: t.SqlType | None) -> t.SqlType:
    return ty if ty is not None else t.string()


def _computed(table: TableDef, scan: n.TableScan, asts: dict[str, exp.Expression]) -> n.Plan:
    def scope() -> Scope:
        return Scope.of(scan.schema.fields, table.ident.name)

    exprs: list[Expr] = []
    for c in table.columns:
        if c.kind is ColumnKind.COMPUTED:
            node = asts.get(c.name)
            if node is None:
                exprs.append(_stored(table, "computed", c.expr or "", scope))
            else:
                exprs.append(ExprBinder(scope()).bind(node))
        else:
            i = scan.schema.index(c.name)
            assert i is not None
            f = scan.schema.fields[i]
            exprs.append(ColumnRef(index=i, name=f.name, type=f.type))
    return n.Project(input=scan, exprs=tuple(exprs), names=tuple(c.name for c in table.columns))


def _watermark(
    table: TableDef, plan: n.Plan, rowtime: str, text: str, node: exp.Expression | None
) -> n.Plan:
    idx = plan.schema.index(rowtime)
    s = None
    if node is not None:
        from ..parse.parse import span_of

        s = span_of(node)
    if idx is None:
        raise BindError(f"watermark column '{rowtime}' is not a column of {table.ident}", s)
    field = plan.schema.fields[idx]
    if not (field.type.is_timestamp and field.type.precision == 3):
        raise PlanValidationError(
            f"the rowtime column '{rowtime}' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), "
            f"but it is {field.type}",
            s,
        )

    def scope() -> Scope:
        return Scope.of(plan.schema.fields, table.ident.name)

    if node is None:
        wm = _stored(table, "watermark", text, scope)
    else:
        wm = ExprBinder(scope()).bind(node)
    if wm.type.kind is not field.type.kind:
        raise TypeCheckError(
            f"the watermark expression must return {field.type.with_nullable(True)}, got {wm.type}",
            s,
        )
    if field.time_attr is TimeAttr.PROCTIME:
        raise PlanValidationError(f"'{rowtime}' is a processing-time attribute", s)
    return n.AssignWatermark(input=plan, rowtime=idx, watermark=wm, span=s)
