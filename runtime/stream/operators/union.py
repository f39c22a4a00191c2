"""union: UNION ALL of several inputs; batches pass through, typed as the union's schema, with an
`_op` column when the output is an updating stream."""

from __future__ import annotations

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import traits

from ..api import Output
from ._base import BaseOperator
from ._rows import INSERT, conform, with_ops


class Union(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        self.updating = not traits.is_insert_only(spec.changelog)

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        names = list(self.out_schema.names) + list(batch.schema.names[len(self.out_schema) :])
        batch = pa.RecordBatch.from_arrays(batch.columns, names=names)
        out = conform(batch, self.out_schema)
        if self.updating:
            out = with_ops(out, INSERT)
        return self.emit([out])
