"""window_join: join two window TVF outputs per window (equal window_start and window_end).

Rows of both sides wait per window; when the watermark reaches window_end - 1 ms the window's
rows are joined (equi keys, then the residual condition by DuckDB) and unmatched rows of an
outer side are emitted NULL-padded. Insert-only; rows of a fired window are late."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import TRUE

from ..api import Output
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program
from ._rows import Row, arrow_schema, epoch_ms, rows_of, to_batch
from .join import residual

Window = tuple[int, int]


class WindowJoin(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.WindowJoin)
        self.node = node
        self.keys = (spec.params["left_keys"], spec.params["right_keys"])
        self.widths = (len(node.left.schema), len(node.right.schema))
        self.bounds = (node.left_bounds, node.right_bounds)
        cond = residual(node.condition, self.keys[0], self.keys[1], self.widths[0])
        self.program = None if cond == TRUE else Program(sum(self.widths), [("filter", cond)], env)
        pair = list(arrow_schema(node.left.schema)) + list(arrow_schema(node.right.schema))
        self.pair_schema = pa.schema([pa.field(f"p{i}", f.type) for i, f in enumerate(pair)])
        self.watermark = -(2**63)
        self.windows: dict[Window, tuple[list[Row], list[Row]]] = {}

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        s, e = self.bounds[input_index]
        starts = epoch_ms(batch.column(s))
        ends = epoch_ms(batch.column(e))
        _, rows = rows_of(batch)
        for start, end, row in zip(starts, ends, rows, strict=True):
            if end is None or start is None:
                continue
            if end - 1 <= self.watermark:
                self.late_records_dropped += 1
                continue
            self.windows.setdefault((start, end), ([], []))[input_index].append(row)
        return self.emit([])

    def on_watermark(self, watermark: int) -> Output:
        self.watermark = max(self.watermark, watermark)
        out: list[Row] = []
        for w in sorted(x for x in self.windows if x[1] - 1 <= self.watermark):
            left, right = self.windows.pop(w)
            out += self._join(left, right)
        return self.emit([to_batch(self.out_schema, out)] if out else [], watermark)

    def _join(self, left: list[Row], right: list[Row]) -> list[Row]:
        lk, rk = self.keys
        by_key: dict[tuple[Any, ...], list[int]] = {}
        for j, r in enumerate(right):
            k = tuple(r[i] for i in rk)
            if None not in k:
                by_key.setdefault(k, []).append(j)
        pairs: list[tuple[int, int]] = []
        for i, row in enumerate(left):
            k = tuple(row[x] for x in lk)
            if None not in k:
                pairs += [(i, j) for j in by_key.get(k, ())]
        if self.program is not None and pairs:
            batch = to_batch(self.pair_schema, [left[i] + right[j] for i, j in pairs])
            batch = batch.append_column("_split", pa.array(range(len(pairs)), type=pa.int64()))
            kept = set(self.program.run(batch).column("_split").to_pylist())
            pairs = [p for x, p in enumerate(pairs) if x in kept]
        out = [left[i] + right[j] for i, j in pairs]
        kind = self.node.kind
        if kind in (n.JoinKind.LEFT, n.JoinKind.FULL):
            hit = {i for i, _ in pairs}
            nulls = (None,) * self.widths[1]
            out += [left[i] + nulls for i in range(len(left)) if i not in hit]
        if kind in (n.JoinKind.RIGHT, n.JoinKind.FULL):
            hit = {j for _, j in pairs}
            nulls = (None,) * self.widths[0]
            out += [nulls + right[j] for j in range(len(right)) if j not in hit]
        return out

    def state_rows(self) -> int:
        return sum(len(a) + len(b) for a, b in self.windows.values())

    def snapshot(self) -> Any:
        return {"watermark": self.watermark, "windows": self.windows}

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        self.windows = state["windows"]
