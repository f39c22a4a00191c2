"""temporal_join: event-time `FOR SYSTEM_TIME AS OF left.time` against a versioned table.

The right input (a changelog with a primary key) is kept as versions per key: (time, row) for
+I/+U, (time, None) for -D. Left rows wait until the combined watermark passes their time; then
each meets the version whose time is the latest <= its own (inclusive, as Flink), the residual
condition is applied by DuckDB, and LEFT joins emit unmatched rows NULL-padded. Versions older
than the newest one at or below the watermark are dropped."""

from __future__ import annotations

import bisect
from typing import Any

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import TRUE

from ..api import Output
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program
from ._rows import DELETE, UPDATE_BEFORE, Row, arrow_schema, epoch_ms, rows_of, to_batch
from .join import residual

Key = tuple[Any, ...]


class TemporalJoin(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.TemporalJoin)
        self.node = node
        self.keys = (spec.params["left_keys"], spec.params["right_keys"])
        self.widths = (len(node.left.schema), len(node.right.schema))
        cond = residual(node.condition, self.keys[0], self.keys[1], self.widths[0])
        self.program = None if cond == TRUE else Program(sum(self.widths), [("filter", cond)], env)
        pair = list(arrow_schema(node.left.schema)) + list(arrow_schema(node.right.schema))
        self.pair_schema = pa.schema([pa.field(f"p{i}", f.type) for i, f in enumerate(pair)])
        self.watermark = -(2**63)
        self.seq = 0
        self.waiting: list[tuple[int, int, Row]] = []
        self.versions: dict[Key, list[tuple[int, int, Row | None]]] = {}

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        ops, rows = rows_of(batch)
        if input_index == 0:
            times = epoch_ms(batch.column(self.node.left_time))
            for t, row in zip(times, rows, strict=True):
                if t is None or t <= self.watermark:
                    self.late_records_dropped += 1
                    continue
                self.waiting.append((t, self.seq, row))
                self.seq += 1
            return self.emit([])
        times = epoch_ms(batch.column(self.node.right_time))
        for op, t, row in zip(ops, times, rows, strict=True):
            if op == UPDATE_BEFORE or t is None:
                continue
            key = tuple(row[i] for i in self.keys[1])
            versions = self.versions.setdefault(key, [])
            bisect.insort(versions, (t, self.seq, None if op == DELETE else row))
            self.seq += 1
        return self.emit([])

    def on_watermark(self, watermark: int) -> Output:
        self.watermark = max(self.watermark, watermark)
        ready = sorted(x for x in self.waiting if x[0] <= self.watermark)
        if not ready:
            return Output([], watermark)
        self.waiting = [x for x in self.waiting if x[0] > self.watermark]
        pairs: list[Row] = []
        unmatched: list[Row] = []
        owners: list[int] = []
        for i, (t, _, row) in enumerate(ready):
            key = tuple(row[x] for x in self.keys[0])
            versions = self.versions.get(key, [])
            pos = bisect.bisect_right(versions, (t, float("inf"), None)) - 1
            found = versions[pos][2] if pos >= 0 else None
            if found is None:
                unmatched.append(row)
            else:
                pairs.append(row + found)
                owners.append(i)
        if self.program is not None and pairs:
            batch = to_batch(self.pair_schema, pairs)
            batch = batch.append_column("_split", pa.array(range(len(pairs)), type=pa.int64()))
            kept = set(self.program.run(batch).column("_split").to_pylist())
            for x, pair in enumerate(pairs):
                if x not in kept:
                    unmatched.append(pair[: self.widths[0]])
            pairs = [p for x, p in enumerate(pairs) if x in kept]
        out = pairs
        if self.node.kind is n.JoinKind.LEFT:
            out = out + [r + (None,) * self.widths[1] for r in unmatched]
        self._expire()
        return self.emit([to_batch(self.out_schema, out)] if out else [], watermark)

    def _expire(self) -> None:
        for _key, versions in self.versions.items():
            pos = bisect.bisect_right(versions, (self.watermark, float("inf"), None)) - 1
            if pos > 0:
                del versions[:pos]

    def state_rows(self) -> int:
        return len(self.waiting) + sum(len(v) for v in self.versions.values())

    def snapshot(self) -> Any:
        return {
            "watermark": self.watermark,
            "seq": self.seq,
            "waiting": self.waiting,
            "versions": self.versions,
        }

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        self.seq = state["seq"]
        self.waiting = state["waiting"]
        self.versions = state["versions"]
