"""calc: a fused chain of Filter/Project evaluated by DuckDB over each Arrow batch (the batch
target's expression lowering, so both targets share every function's definition). Row kinds
pass through: a filter over an updating stream keeps or drops each change independently.

PROCTIME() reads the processing-time clock (`Env.clock`, injectable in tests), not DuckDB's
CURRENT_TIMESTAMP: the batch gets one more data column holding the clock's time, every PROCTIME()
call becomes a reference to it, and each projection carries it along to the next step."""

from __future__ import annotations

import pyarrow as pa

from nrtg.catalog import types as t
from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, Case, Cast, ColumnRef, Expr, FieldAccess

from ..api import Output
from ._arrow_eval import CalcProgram, reads_clock
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program, Step
from ._rows import conform, data_width

CLOCK_COLUMN = "_proctime"


def program_steps(steps: tuple[n.Plan, ...]) -> list[Step]:
    out: list[Step] = []
    for s in steps:
        if isinstance(s, n.Filter):
            out.append(("filter", s.predicate))
        elif isinstance(s, n.Project):
            out.append(("project", s.exprs))
    return out


def _clocked(e: Expr, at: int) -> Expr:
    """`e` with PROCTIME() replaced by a reference to column `at`."""
    if isinstance(e, Call):
        if e.name == "PROCTIME":
            return ColumnRef(index=at, name=CLOCK_COLUMN, type=e.type)
        return e.replace(args=tuple(_clocked(a, at) for a in e.args))
    if isinstance(e, Cast | FieldAccess):
        return e.replace(input=_clocked(e.input, at))
    if isinstance(e, Case):
        whens = tuple((_clocked(c, at), _clocked(v, at)) for c, v in e.whens)
        default = None if e.default is None else _clocked(e.default, at)
        return e.replace(whens=whens, default=default)
    return e


def clocked_steps(steps: list[Step], width: int) -> list[Step]:
    """Steps over `width` data columns plus the clock column (at `width`), which every
    projection passes on as its last column."""
    out: list[Step] = []
    at = width
    for kind, payload in steps:
        if kind == "filter":
            out.append(("filter", _clocked(payload, at)))
            continue
        exprs = tuple(_clocked(x, at) for x in payload)
        clock = ColumnRef(index=at, name=CLOCK_COLUMN, type=t.timestamp_ltz(3))
        out.append(("project", (*exprs, clock)))
        at = len(payload)
    return out


class Calc(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        steps: tuple[n.Plan, ...] = spec.params["steps"]
        width = len(steps[0].children[0].schema)
        program = program_steps(steps)
        self.clock = None
        if any(reads_clock(x) for _, p in program for x in (p if isinstance(p, tuple) else (p,))):
            self.clock = env.clock
            program = clocked_steps(program, width)
            width += 1
        # the clock column is added per batch: only DuckDB's own chain takes it
        self.program: Program | CalcProgram = (
            Program(width, program, env)
            if self.clock is not None
            else CalcProgram(program, width, env)
        )

    def _with_clock(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        assert self.clock is not None
        now = pa.array([self.clock()] * batch.num_rows, pa.int64())
        column = now.cast(pa.timestamp("ms")).cast(pa.timestamp("ms", tz="UTC"))
        return batch.add_column(data_width(batch), CLOCK_COLUMN, column)

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        out = self.program.run(self._with_clock(batch) if self.clock is not None else batch)
        if self.clock is not None:
            out = out.remove_column(len(self.out_schema))  # the clock column
        names = list(self.out_schema.names) + list(out.schema.names[len(self.out_schema) :])
        # (renaming keeps the row count of a batch without columns: `SELECT COUNT(*)` reads one)
        return self.emit([conform(out.rename_columns(names), self.out_schema)])
