"""unnest: `CROSS JOIN UNNEST(expr)`: one output row per element of an ARRAY (a ROW element
spreads into its fields) or per entry of a MAP; LEFT JOIN UNNEST keeps empty rows NULL-padded;
WITH ORDINALITY adds each element's 1-based position."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import Output
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program
from ._rows import conform, data_width


class Unnest(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Unnest)
        self.node = node
        self.program = Program(len(node.input.schema), [("project", (node.expr,))], env)

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        values = self.program.run(batch).column(0)
        if pa.types.is_map(values.type):
            values = pa.ListArray.from_arrays(
                values.offsets, pa.StructArray.from_arrays([values.keys, values.items], ["k", "v"])
            )
        padded = None  # the rows of a LEFT JOIN with no element: one NULL-padded row each
        if self.node.left_outer:
            lengths = pc.fill_null(pc.list_value_length(values), 0).to_pylist()
            padded = [not ln for ln in lengths]
            values = pa.array(
                [v if ln else [None] for v, ln in zip(values.to_pylist(), lengths, strict=True)],
                type=values.type,
            )
        parents = pc.list_parent_indices(values)
        flat = pc.list_flatten(values)
        rows = batch.take(parents)
        width = data_width(batch)
        if pa.types.is_struct(flat.type):
            extra = [flat.field(i) for i in range(flat.type.num_fields)]
        else:
            extra = [flat]
        if self.node.ordinality:
            extra.append(_positions(parents.to_numpy(), padded))
        k = len(self.node.input.schema)
        arrays = [rows.column(i) for i in range(width)] + extra
        names = list(self.out_schema.names[: k + len(extra)])
        tail = [rows.column(i) for i in range(width, batch.num_columns)]
        tail_names = [batch.schema.field(i).name for i in range(width, batch.num_columns)]
        out = pa.RecordBatch.from_arrays(arrays + tail, names=names + tail_names)
        return self.emit([conform(out, self.out_schema)])


def _positions(parents: np.ndarray, padded: list[bool] | None) -> pa.Array:
    """The 1-based position of each flattened element in its list: `parents` (each element's
    row, ascending) minus the first index of its row's run; NULL on a padding row."""
    first = np.searchsorted(parents, parents, side="left")
    positions = (np.arange(len(parents)) - first + 1).astype(np.int32)
    if padded is None or not any(padded):
        return pa.array(positions, type=pa.int32())
    mask = np.asarray(padded, dtype=bool)[parents]
    return pa.array(positions, type=pa.int32(), mask=mask)
