"""calc: a fused chain of Filter/Project evaluated by DuckDB over each Arrow batch (the batch
target's expression lowering, so both targets share every function's definition). Row kinds
pass through: a filter over an updating stream keeps or drops each change independently."""

from __future__ import annotations

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import Output
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program, Step
from ._rows import conform


def program_steps(steps: tuple[n.Plan, ...]) -> list[Step]:
    out: list[Step] = []
    for s in steps:
        if isinstance(s, n.Filter):
            out.append(("filter", s.predicate))
        elif isinstance(s, n.Project):
            out.append(("project", s.exprs))
    return out


class Calc(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        steps: tuple[n.Plan, ...] = spec.params["steps"]
        width = len(steps[0].children[0].schema)
        self.program = Program(width, program_steps(steps), env)

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        out = self.program.run(batch)
        names = list(self.out_schema.names) + list(out.schema.names[len(self.out_schema) :])
        out = pa.RecordBatch.from_arrays(out.columns, names=names)
        return self.emit([conform(out, self.out_schema)])
