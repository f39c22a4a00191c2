"""window_join: join two window TVF outputs per window (equal window_start and window_end).

Rows of both sides wait per window as Arrow batches; when the watermark reaches window_end - 1 ms
the window's rows are joined column by column: equi keys coded to 64 bits (`_keys.KeyCoder`,
both sides' types), matched through a sorted array and checked for equality (NULL keys never
match), then the residual condition by DuckDB; unmatched rows of an outer side are emitted
NULL-padded. Insert-only; rows of a fired window are late."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import Output
from ._arrow_eval import filter_program
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env
from ._keys import KeyCoder, rows_equal
from ._rows import arrow_schema, conform
from ._windows import windows_on_time
from .join import kept_pairs, pair_batch, residual

Window = tuple[int, int]
MAX_PIECES = 16


class WindowJoin(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.WindowJoin)
        self.node = node
        self.keys = (spec.params["left_keys"], spec.params["right_keys"])
        self.schemas = (arrow_schema(node.left.schema), arrow_schema(node.right.schema))
        self.bounds = (node.left_bounds, node.right_bounds)
        cond = residual(node.condition, self.keys[0], self.keys[1], len(self.schemas[0]))
        width = len(self.schemas[0]) + len(self.schemas[1])
        self.program = filter_program(cond, width, env)
        self.coder = KeyCoder(
            *([s.field(i).type for i in k] for s, k in zip(self.schemas, self.keys, strict=True))
        )
        self.watermark = -(2**63)
        self.windows: dict[Window, tuple[list[pa.RecordBatch], list[pa.RecordBatch]]] = {}

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        s_col, e_col = self.bounds[input_index]
        keep, s, e, late = windows_on_time(batch.column(s_col), batch.column(e_col), self.watermark)
        self.late_records_dropped += late
        if not keep.any():
            return self.emit([])
        schema = self.schemas[input_index]
        width = len(schema)  # data columns, cast to the plan's types
        rows = pa.RecordBatch.from_arrays(conform(batch, schema).columns[:width], schema=schema)
        for start, end in np.unique(np.stack([s[keep], e[keep]], 1), axis=0).tolist():
            pieces = self.windows.setdefault((start, end), ([], []))[input_index]
            pieces.append(rows.filter(pa.array(keep & (s == start) & (e == end))))
            if len(pieces) > MAX_PIECES:
                pieces[:] = [pa.concat_batches(pieces)]
        return self.emit([])

    def on_watermark(self, watermark: int) -> Output:
        self.watermark = max(self.watermark, watermark)
        out: list[pa.RecordBatch] = []
        for w in sorted(x for x in self.windows if x[1] - 1 <= self.watermark):
            sides = self.windows.pop(w)
            left, right = (_concat(p, sc) for p, sc in zip(sides, self.schemas, strict=True))
            out += self._join(left, right)
        return self.emit(out, watermark)

    def _pairs(self, left: pa.RecordBatch, right: pa.RecordBatch) -> tuple[np.ndarray, np.ndarray]:
        """(left row, right row) of every pair with equal, non-NULL keys, left-major."""
        lcols = self.coder.columns(left, self.keys[0])
        rcols = self.coder.columns(right, self.keys[1])
        lc, lnull = self.coder.codes(lcols, left.num_rows)
        rc, rnull = self.coder.codes(rcols, right.num_rows)
        candidates = np.flatnonzero(~rnull)
        order = candidates[np.argsort(rc[candidates], kind="stable")]
        codes = rc[order]
        probe = np.flatnonzero(~lnull)
        lo = np.searchsorted(codes, lc[probe], "left")
        count = np.searchsorted(codes, lc[probe], "right") - lo
        li = np.repeat(probe, count)
        first = np.repeat(lo - (np.cumsum(count) - count), count)
        ri = order[first + np.arange(len(li))]
        taken_l = [c.take(pa.array(li)) for c in lcols]
        taken_r = [c.take(pa.array(ri)) for c in rcols]
        same = rows_equal(taken_l, taken_r, len(li))
        return li[same], ri[same]

    def _join(self, left: pa.RecordBatch, right: pa.RecordBatch) -> list[pa.RecordBatch]:
        li, ri = self._pairs(left, right)
        if self.program is not None and len(li):
            kept = kept_pairs(
                self.program, pair_batch(left.take(pa.array(li)), right.take(pa.array(ri)))
            )
            li, ri = li[kept], ri[kept]
        out = [self._rows(left.take(pa.array(li)), right.take(pa.array(ri)))]
        kind = self.node.kind
        if kind in (n.JoinKind.LEFT, n.JoinKind.FULL):
            alone = np.setdiff1d(np.arange(left.num_rows), li)
            out.append(self._rows(left.take(pa.array(alone)), _nulls(self.schemas[1], len(alone))))
        if kind in (n.JoinKind.RIGHT, n.JoinKind.FULL):
            alone = np.setdiff1d(np.arange(right.num_rows), ri)
            out.append(self._rows(_nulls(self.schemas[0], len(alone)), right.take(pa.array(alone))))
        return [b for b in out if b.num_rows]

    def _rows(self, left: pa.RecordBatch, right: pa.RecordBatch) -> pa.RecordBatch:
        columns = [*left.columns, *right.columns]
        batch = pa.RecordBatch.from_arrays(columns, names=[f"c{i}" for i in range(len(columns))])
        return conform(batch, self.out_schema)

    def state_rows(self) -> int:
        return sum(b.num_rows for sides in self.windows.values() for p in sides for b in p)

    def state_bytes(self) -> int:
        return sum(b.nbytes for sides in self.windows.values() for p in sides for b in p)

    def state_arrow_bytes(self) -> int:
        return self.state_bytes()  # the kept rows are the state

    def snapshot(self) -> Any:
        return {"watermark": self.watermark, "windows": self.windows}

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        self.windows = state["windows"]


def _concat(pieces: list[pa.RecordBatch], schema: pa.Schema) -> pa.RecordBatch:
    return pa.concat_batches(pieces) if pieces else pa.RecordBatch.from_pylist([], schema=schema)


def _nulls(schema: pa.Schema, count: int) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.nulls(count, f.type) for f in schema], schema=schema)
