"""lookup_join: processing-time `FOR SYSTEM_TIME AS OF left.proctime` (INNER or LEFT).

The right input (the lookup table, broadcast) is kept as its current rows by key; each left row
joins with the rows present when it is processed (a retraction of a right row removes it; right
changes never emit anything, as in Flink). When the right input is bounded (files), left rows
are held until it has been read completely, as Flink's lookup source loads the whole table
before the first lookup; over an unbounded right input they probe what has arrived so far.

Keys: every conjunct `f(left columns) = g(right columns)` of the condition; both sides' key
expressions are evaluated by DuckDB (calc's lowering), so `MOD(auction, 10000) = key` (Nexmark
q13) is a hash lookup. The other conjuncts are evaluated over the candidate pairs. Output rows
keep the left row's kind. Not deterministic across targets (no parity by design)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, Expr, and_, conjuncts, shift_refs

from ..api import MAX_WATERMARK, OP_COLUMN, Output
from ._arrow_eval import filter_program
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program
from ._rows import Row, arrow_schema, data_width, hashable, is_retract, ops_of, rows_of, to_batch
from .join import kept_pairs, pair_batch


def split_condition(cond: Expr, n_left: int) -> tuple[list[Expr], list[Expr], Expr]:
    """(left key exprs, right key exprs over the right input alone, the rest)."""
    lk: list[Expr] = []
    rk: list[Expr] = []
    rest: list[Expr] = []
    for c in conjuncts(cond):
        if isinstance(c, Call) and c.name == "EQUALS" and len(c.args) == 2:
            a, b = c.args
            ra, rb = set(a.column_refs), set(b.column_refs)
            if ra and rb and max(ra) < n_left <= min(rb):
                lk.append(a)
                rk.append(shift_refs(b, -n_left))
                continue
            if ra and rb and max(rb) < n_left <= min(ra):
                lk.append(b)
                rk.append(shift_refs(a, -n_left))
                continue
        rest.append(c)
    return lk, rk, and_(*rest)


class LookupJoin(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.LookupJoin)
        self.node = node
        self.widths = (len(node.left.schema), len(node.right.schema))
        lk, rk, rest = split_condition(node.condition, self.widths[0])
        self.key_programs = (
            Program(self.widths[0], [("project", tuple(lk))], env) if lk else None,
            Program(self.widths[1], [("project", tuple(rk))], env) if rk else None,
        )
        self.residual = filter_program(rest, sum(self.widths), env)
        self.right_schema = arrow_schema(node.right.schema)
        self.wait = bool(spec.params.get("right_bounded"))
        self.right_done = False
        self.pending: list[pa.RecordBatch] = []
        self.table: dict[Any, list[Row]] = {}

    def _keys(self, side: int, batch: pa.RecordBatch) -> list[Any]:
        program = self.key_programs[side]
        if program is None:
            return [()] * batch.num_rows
        data = batch.select(list(range(data_width(batch))))
        out = program.run(data)
        cols = [out.column(i).to_pylist() for i in range(program.out_width)]
        return [None if None in k else k for k in zip(*cols, strict=True)]

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        if input_index == 1:
            ops, rows = rows_of(batch)
            for op, row, key in zip(ops, rows, self._keys(1, batch), strict=True):
                if key is None:
                    continue
                bucket = self.table.setdefault(key, [])
                if is_retract(op):
                    frozen = hashable(row)
                    for j, r in enumerate(bucket):
                        if hashable(r) == frozen:
                            del bucket[j]
                            break
                    if not bucket:
                        del self.table[key]
                else:
                    bucket.append(row)
            return self.emit([])
        if self.wait and not self.right_done:
            self.pending.append(batch)
            return self.emit([])
        return self.emit(self._probe(batch))

    def _probe(self, batch: pa.RecordBatch) -> list[pa.RecordBatch]:
        left = batch.select(list(range(self.widths[0])))
        ops = ops_of(batch)
        take: list[int] = []
        right: list[Row] = []
        for i, key in enumerate(self._keys(0, batch)):
            for row in self.table.get(key, ()) if key is not None else ():
                take.append(i)
                right.append(row)
        lt = left.take(pa.array(take, type=pa.int64()))
        rt = to_batch(self.right_schema, right)
        if self.residual is not None and take:
            keep = kept_pairs(self.residual, pair_batch(lt, rt))
            take = [take[j] for j in keep.tolist()]
            lt, rt = lt.take(pa.array(keep)), rt.take(pa.array(keep))
        out_l, out_r, out_ops = [lt], [rt], [ops[i] for i in take]
        if self.node.kind is n.JoinKind.LEFT:
            matched = np.zeros(batch.num_rows, dtype=np.bool_)
            matched[take] = True
            alone = np.flatnonzero(~matched)
            if len(alone):
                out_l.append(left.take(pa.array(alone)))
                out_r.append(to_batch(self.right_schema, [(None,) * self.widths[1]] * len(alone)))
                out_ops += [ops[i] for i in alone.tolist()]
        if not out_ops:
            return []
        lcols = pa.Table.from_batches(out_l).combine_chunks().columns
        rcols = pa.Table.from_batches(out_r).combine_chunks().columns
        cols = [c.combine_chunks() for c in (*lcols, *rcols)]
        names = list(self.out_schema.names)
        if OP_COLUMN in batch.schema.names:
            cols.append(pa.array(out_ops, type=pa.int8()))
            names.append(OP_COLUMN)
        return [pa.RecordBatch.from_arrays(cols, names=names)]

    def _flush(self) -> list[pa.RecordBatch]:
        out: list[pa.RecordBatch] = []
        for b in self.pending:
            out += self._probe(b)
        self.pending = []
        return out

    def on_input_watermark(self, index: int, watermark: int) -> Output:
        """The bounded lookup table has been read: probe the rows that waited for it."""
        if index == 1 and watermark >= MAX_WATERMARK and not self.right_done:
            self.right_done = True
            return self.emit(self._flush())
        return Output([])

    def on_watermark(self, watermark: int) -> Output:
        if watermark >= MAX_WATERMARK and self.pending:
            self.right_done = True
            return self.emit(self._flush(), watermark)
        return Output([], watermark)

    def state_rows(self) -> int:
        return sum(len(v) for v in self.table.values()) + sum(b.num_rows for b in self.pending)

    def snapshot(self) -> Any:
        return {"table": self.table, "pending": self.pending, "right_done": self.right_done}

    def restore(self, state: Any) -> None:
        self.table = state["table"]
        self.pending = state["pending"]
        self.right_done = state["right_done"]
