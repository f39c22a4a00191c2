"""values: a bounded source of literal rows (`VALUES (...), (...)`), evaluated by DuckDB with
the batch lowering so literal typing matches the batch target."""

from __future__ import annotations

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ._duck import DEFAULT_ENV, Env, Program
from ._rows import arrow_schema, conform


def values_batch(spec: OperatorSpec, env: Env = DEFAULT_ENV) -> pa.RecordBatch:
    node = spec.node
    assert isinstance(node, n.Values)
    schema = arrow_schema(spec.schema)
    dummy = pa.RecordBatch.from_arrays([pa.array([0], type=pa.int8())], names=["x"])
    batches = []
    for row in node.rows:
        program = Program(1, [("project", row)], env)
        try:
            out = program.run(dummy)
        finally:
            program.close()
        out = pa.RecordBatch.from_arrays(out.columns, names=list(schema.names))
        batches.append(conform(out, schema))
    if not batches:
        return pa.RecordBatch.from_arrays(
            [pa.array([], type=f.type) for f in schema], schema=schema
        )
    table = pa.Table.from_batches(batches).combine_chunks()
    return table.to_batches()[0]
