"""temporal_join: event-time `FOR SYSTEM_TIME AS OF left.time` against a versioned table.

The right input (a changelog with a primary key) is kept as versions per key: its rows in an
Arrow-backed `RowStore` (+I/+U rows, and -D rows flagged as deletions) and, per key, the
versions' times and ids in two int64 arrays sorted by (time, arrival). Left rows wait in a
second `RowStore` until the combined watermark passes their time; then each meets the version
whose time is the latest <= its own (inclusive, as Flink), the residual condition is applied by
DuckDB, and LEFT joins emit unmatched rows NULL-padded. Versions older than the newest one at or
below the watermark are dropped."""

from __future__ import annotations

import bisect
from array import array
from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import TRUE

from ..api import Output
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program
from ._rows import DELETE, UPDATE_BEFORE, arrow_schema, epoch_ms, ops_of
from ._rowstore import RowStore, keys_of, null_key
from ._sizing import deep_size
from .join import kept_pairs, pair_batch, residual

TIME, DELETED = "time", "deleted"
Versions = tuple["array[int]", "array[int]"]  # (times, ids), sorted by (time, id)


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
        self.watermark = -(2**63)
        self.waiting = RowStore(arrow_schema(node.left.schema), (TIME,))
        self.right = RowStore(arrow_schema(node.right.schema), (DELETED,))
        self.versions: dict[Any, Versions] = {}

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        if input_index == 0:
            times = epoch_ms(batch.column(self.node.left_time))
            keep = [i for i, t in enumerate(times) if t is not None and t > self.watermark]
            self.late_records_dropped += batch.num_rows - len(keep)
            if keep:
                first = self.waiting.append(batch, keep)
                self.waiting.aux[TIME][first : first + len(keep)] = [times[i] for i in keep]
            return self.emit([])
        ops = ops_of(batch)
        times = epoch_ms(batch.column(self.node.right_time))
        keep = [
            i
            for i, (op, t) in enumerate(zip(ops, times, strict=True))
            if op != UPDATE_BEFORE and t is not None
        ]
        if not keep:
            return self.emit([])
        first = self.right.append(batch, keep)
        ids = list(range(first, first + len(keep)))
        self.right.aux[DELETED][ids] = [int(ops[i] == DELETE) for i in keep]
        keys = keys_of(self.right.take(np.asarray(ids)), self.keys[1])
        for rid, i, key in zip(ids, keep, keys, strict=True):
            t = times[i]
            assert t is not None
            found = self.versions.get(key)
            if found is None:
                self.versions[key] = (array("q", (t,)), array("q", (rid,)))
                continue
            pos = bisect.bisect_right(found[0], t)  # after equal times: later arrival wins
            found[0].insert(pos, t)
            found[1].insert(pos, rid)
        return self.emit([])

    def on_watermark(self, watermark: int) -> Output:
        self.watermark = max(self.watermark, watermark)
        live = self.waiting.live_ids()
        times = self.waiting.aux[TIME][live]
        bound = min(self.watermark, 2**63 - 1)
        ready = live[times <= bound]
        if not len(ready):
            return Output([], watermark)
        ready = ready[np.lexsort((ready, self.waiting.aux[TIME][ready]))]
        left = self.waiting.take(ready)
        keys = keys_of(left, self.keys[0])
        lt = self.waiting.aux[TIME][ready].tolist()
        deleted = self.right.aux[DELETED]
        match = np.full(len(ready), -1, dtype=np.int64)
        for j, (key, t) in enumerate(zip(keys, lt, strict=True)):
            found = None if null_key(key) else self.versions.get(key)
            if found is None:
                continue
            pos = bisect.bisect_right(found[0], t) - 1
            if pos >= 0 and not deleted[found[1][pos]]:
                match[j] = found[1][pos]
        has = np.flatnonzero(match >= 0)
        pairs = pair_batch(left.take(pa.array(has)), self.right.take(match[has]))
        if self.program is not None and len(has):
            kept = kept_pairs(self.program, pairs)
            pairs = pairs.take(pa.array(kept))
            has = has[kept]
        out = [pa.RecordBatch.from_arrays(pairs.columns, names=list(self.out_schema.names))]
        if self.node.kind is n.JoinKind.LEFT:
            alone = np.setdiff1d(np.arange(len(ready)), has)
            if len(alone):
                nulls = self.right.take(np.full(len(alone), -1, dtype=np.int64))
                padded = pair_batch(left.take(pa.array(alone)), nulls)
                out.append(
                    pa.RecordBatch.from_arrays(padded.columns, names=list(self.out_schema.names))
                )
        self.waiting.release(ready)
        if self.waiting.should_compact():
            self.waiting.compact()
        self._expire()
        return self.emit(out, watermark)

    def _expire(self) -> None:
        dead: list[int] = []
        for times, ids in self.versions.values():
            pos = bisect.bisect_right(times, self.watermark) - 1
            if pos > 0:
                dead += ids[:pos]
                del times[:pos]
                del ids[:pos]
        self.right.release(dead)
        if self.right.should_compact():
            remap = self.right.compact()
            for _times, ids in self.versions.values():
                ids[:] = array("q", remap[np.frombuffer(ids, dtype=np.int64)].tolist())

    def state_rows(self) -> int:
        return self.waiting.live + self.right.live

    def state_bytes(self) -> int:
        return self.waiting.nbytes + self.right.nbytes + deep_size(self.versions)

    def state_arrow_bytes(self) -> int:
        return self.waiting.live_arrow_bytes() + self.right.live_arrow_bytes()

    def snapshot(self) -> Any:
        return {
            "watermark": self.watermark,
            "waiting": self.waiting.snapshot(),
            "right": self.right.snapshot(),
            "versions": {k: (t.tolist(), i.tolist()) for k, (t, i) in self.versions.items()},
        }

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        self.waiting.restore(state["waiting"])
        remap = self.right.restore(state["right"])
        self.versions = {
            k: (array("q", t), array("q", remap[np.asarray(i, dtype=np.int64)].tolist()))
            for k, (t, i) in state["versions"].items()
        }
