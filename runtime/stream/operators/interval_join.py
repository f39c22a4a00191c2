"""interval_join: `l.time - r.time BETWEEN lower AND upper` plus an equi-join condition.

Each side's rows are kept per key only while a future row of the other side can still match
them: a left row at lt meets right rows with rt in [lt - upper, lt - lower], so it is dropped
once the watermark passes lt - lower (a right row at rt once it passes rt + upper). Matches are
emitted as soon as both rows are there; for an outer side, a row that never matched is emitted
NULL-padded when it is dropped. Insert-only output."""

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

Key = tuple[Any, ...]


class IntervalJoin(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.IntervalJoin)
        self.node = node
        self.keys = (spec.params["left_keys"], spec.params["right_keys"])
        self.widths = (len(node.left.schema), len(node.right.schema))
        self.times = (node.left_time, node.right_time)
        cond = residual(node.condition, self.keys[0], self.keys[1], self.widths[0])
        self.program = None if cond == TRUE else Program(sum(self.widths), [("filter", cond)], env)
        pair = list(arrow_schema(node.left.schema)) + list(arrow_schema(node.right.schema))
        self.pair_schema = pa.schema([pa.field(f"p{i}", f.type) for i, f in enumerate(pair)])
        self.outer = (
            node.kind in (n.JoinKind.LEFT, n.JoinKind.FULL),
            node.kind in (n.JoinKind.RIGHT, n.JoinKind.FULL),
        )
        self.watermark = -(2**63)
        # per side: key -> list of [time, row, matched]
        self.state: tuple[dict[Key, list[list[Any]]], dict[Key, list[list[Any]]]] = ({}, {})

    def _in_range(self, side: int, t: int, other_t: int) -> bool:
        lt, rt = (t, other_t) if side == 0 else (other_t, t)
        return self.node.lower_ms <= lt - rt <= self.node.upper_ms

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        side = input_index
        times = epoch_ms(batch.column(self.times[side]))
        _, rows = rows_of(batch)
        other = self.state[1 - side]
        cands: list[tuple[list[Any], list[Any]]] = []
        entries: list[list[Any]] = []
        for t, row in zip(times, rows, strict=True):
            if t is None:
                continue
            key = tuple(row[i] for i in self.keys[side])
            entry = [t, row, False]
            entries.append(entry)
            if None in key:
                continue
            self.state[side].setdefault(key, []).append(entry)
            for o in other.get(key, ()):
                if self._in_range(side, t, o[0]):
                    cands.append((entry, o))
        pairs = [(e[1] + o[1]) if side == 0 else (o[1] + e[1]) for e, o in cands]
        if self.program is not None and pairs:
            batch = to_batch(self.pair_schema, pairs)
            batch = batch.append_column("_split", pa.array(range(len(pairs)), type=pa.int64()))
            kept = set(self.program.run(batch).column("_split").to_pylist())
            cands = [c for i, c in enumerate(cands) if i in kept]
            pairs = [p for i, p in enumerate(pairs) if i in kept]
        for e, o in cands:
            e[2] = o[2] = True
        return self.emit([to_batch(self.out_schema, pairs)] if pairs else [])

    def on_watermark(self, watermark: int) -> Output:
        self.watermark = max(self.watermark, watermark)
        wm = self.watermark
        out: list[Row] = []
        # A left row at lt can meet right rows up to lt - lower; a right row at rt, left rows
        # up to rt + upper.
        horizons = (-self.node.lower_ms, self.node.upper_ms)
        for side in (0, 1):
            nulls = (None,) * self.widths[1 - side]
            for key in list(self.state[side]):
                keep = []
                for entry in self.state[side][key]:
                    if entry[0] + horizons[side] <= wm:
                        if self.outer[side] and not entry[2]:
                            out.append(entry[1] + nulls if side == 0 else nulls + entry[1])
                    else:
                        keep.append(entry)
                if keep:
                    self.state[side][key] = keep
                else:
                    del self.state[side][key]
        return self.emit([to_batch(self.out_schema, out)] if out else [], watermark)

    def state_rows(self) -> int:
        return sum(len(v) for s in self.state for v in s.values())

    def snapshot(self) -> Any:
        return {"watermark": self.watermark, "state": self.state}

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        self.state = state["state"]
