"""Which fields of a source's rows the job reads, so that the value decoder builds only those.

Flink's Kafka source pushes the query's projection, nested fields included, into its format
(the JSON format then converts only the projected fields); this is the same for the stream
runtime. Most of the cost of decoding JSON is building the columns, so a query that reads three
fields of a wide event decodes several times faster. The rows the source emits keep the table's
full schema: a field nobody reads is NULL. As in Flink, a value of the wrong type in a field
nobody reads is then no error (the record must still be well-formed JSON).

The demand is traced backwards from the source through its consumers: a calc reads what its
filters reference plus, for each of its output columns that something downstream reads, what
the projecting expression references; a watermark assigner passes its rows on and also reads its
rowtime column and its watermark expression; any other operator (sinks, joins, aggregates)
reads every column. `col.a.b` (field accesses on a column) reads only that nested field.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from nrtg.compiler.lower.graph import JobGraph
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import ColumnRef, Expr, FieldAccess

# What of one value is read: None = all of it, a mapping = only these nested fields.
Sub = Mapping[str, "Sub"] | None
# What of a row is read: column index -> Sub (an absent column is not read); None = everything.
Demand = dict[int, Sub]


def _merge_sub(a: Sub, b: Sub) -> Sub:
    if a is None or b is None:
        return None
    out = dict(a)
    for name, sub in b.items():
        out[name] = _merge_sub(out[name], sub) if name in out else sub
    return out


def _merge(a: Demand | None, b: Demand | None) -> Demand | None:
    if a is None or b is None:
        return None
    out = dict(a)
    for index, sub in b.items():
        out[index] = _merge_sub(out[index], sub) if index in out else sub
    return out


def _read(e: Expr, sub: Sub, out: Demand) -> None:
    """Add to `out` what evaluating `e` reads, when `sub` of its value is needed."""
    path: list[str] = []
    base = e
    while isinstance(base, FieldAccess):
        path.append(base.field_name)
        base = base.input
    if isinstance(base, ColumnRef):
        for name in path:  # outermost access first: wrap inwards
            sub = {name: sub}
        index = base.index
        out[index] = _merge_sub(out[index], sub) if index in out else sub
        return
    for child in base.children:
        _read(child, None, out)


def _calc(steps: tuple[n.Plan, ...], below: Demand | None) -> Demand | None:
    demand = below
    for step in reversed(steps):
        if isinstance(step, n.Filter):
            if demand is not None:
                demand = dict(demand)
                _read(step.predicate, None, demand)
        elif isinstance(step, n.Project):
            wanted = (
                demand.items()
                if demand is not None
                else ((j, None) for j in range(len(step.exprs)))
            )
            above: Demand = {}
            for j, sub in wanted:
                _read(step.exprs[j], sub, above)
            demand = above
        else:
            return None
    return demand


def source_demand(graph: JobGraph, source_id: int) -> Demand | None:
    """What of the rows of source `source_id` the job reads (None: everything)."""
    memo: dict[int, Demand | None] = {}

    def below(op_id: int) -> Demand | None:
        if op_id not in memo:
            out: Demand | None = {}
            for consumer, _ in graph.consumers(op_id):
                out = _merge(out, reads(consumer))
            memo[op_id] = out
        return memo[op_id]

    def reads(op_id: int) -> Demand | None:
        spec = graph.operator(op_id)
        if spec.kind == "calc":
            return _calc(spec.params["steps"], below(op_id))
        node = spec.node
        if spec.kind == "watermark_assigner" and isinstance(node, n.AssignWatermark):
            demand = below(op_id)
            if demand is None:
                return None
            demand = _merge(demand, {node.rowtime: None})
            assert demand is not None
            _read(node.watermark, None, demand)
            return demand
        return None

    return below(source_id)


def pruned_type(t: pa.DataType, sub: Sub) -> pa.DataType:
    """The part of type `t` that `sub` reads."""
    if sub is None or not pa.types.is_struct(t):
        return t
    return pa.struct(
        [pa.field(f.name, pruned_type(f.type, sub[f.name])) for f in t if f.name in sub]
    )


def widened(column: pa.Array, t: pa.DataType) -> pa.Array:
    """A column of a pruned type back in type `t`, the fields it lacks NULL."""
    if column.type == t:
        return column
    assert isinstance(column, pa.StructArray) and pa.types.is_struct(t)
    have = {column.type.field(i).name: i for i in range(column.type.num_fields)}
    children = [
        widened(column.field(have[f.name]), f.type)
        if f.name in have
        else pa.nulls(len(column), f.type)
        for f in t
    ]
    mask = column.is_null() if column.null_count else None
    return pa.StructArray.from_arrays(children, fields=list(t), mask=mask)
