"""temporal_join: event-time `FOR SYSTEM_TIME AS OF left.time` against a versioned table.

The right input (a changelog with a primary key) is kept as versions: its rows in an
Arrow-backed `RowStore` with a key index (`KeyedRows`; +I/+U rows, and -D rows flagged as
deletions, each with its time). Left rows wait in a second `RowStore` until the combined
watermark passes their time; then, a whole batch of them at once, each meets the version of its
key whose time is the latest <= its own (inclusive, as Flink; on equal times the later arrival),
the residual condition is applied by DuckDB, and LEFT joins emit unmatched rows NULL-padded.
Versions older than the newest one at or below the watermark are dropped. Rows whose key holds a
NULL never match: right ones are not kept."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import OP_COLUMN, Output
from ._arrow_eval import filter_program
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env
from ._keyed import KeyedRows
from ._keys import KeyCoder, group_ids
from ._rows import DELETE, UPDATE_BEFORE, arrow_schema, epoch_ms_array
from ._rowstore import RowStore
from .join import kept_pairs, pair_batch, residual

TIME, DELETED = "time", "deleted"


class TemporalJoin(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.TemporalJoin)
        self.node = node
        self.keys = (spec.params["left_keys"], spec.params["right_keys"])
        self.widths = (len(node.left.schema), len(node.right.schema))
        cond = residual(node.condition, self.keys[0], self.keys[1], self.widths[0])
        self.program = filter_program(cond, sum(self.widths), env)
        self.watermark = -(2**63)
        schemas = (arrow_schema(node.left.schema), arrow_schema(node.right.schema))
        self.waiting = RowStore(schemas[0], (TIME,))
        self.right = RowStore(schemas[1], (TIME, DELETED))
        self.coder = KeyCoder(*[[schemas[s].field(i).type for i in self.keys[s]] for s in (0, 1)])
        self.versions = KeyedRows(self.right, self.coder, self.keys[1])

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        if input_index == 0:
            times, no_time = epoch_ms_array(batch.column(self.node.left_time))
            keep = np.flatnonzero(~no_time & (times > self.watermark))
            self.late_records_dropped += batch.num_rows - len(keep)
            if len(keep):
                first = self.waiting.append(batch, keep)
                self.waiting.aux[TIME][first : first + len(keep)] = times[keep]
            return self.emit([])
        ops = (
            batch.column(OP_COLUMN).to_numpy(zero_copy_only=False) if self._has_ops(batch) else None
        )
        times, no_time = epoch_ms_array(batch.column(self.node.right_time))
        _, codes, nulls = self.versions.keys(batch)
        kept = ~no_time & ~nulls
        if ops is not None:
            kept &= ops != UPDATE_BEFORE
        keep = np.flatnonzero(kept)
        if len(keep):
            first = self.versions.append(batch, keep, codes, nulls)
            ids = slice(first, first + len(keep))
            self.right.aux[TIME][ids] = times[keep]
            if ops is not None:
                self.right.aux[DELETED][ids] = ops[keep] == DELETE
        return self.emit([])

    @staticmethod
    def _has_ops(batch: pa.RecordBatch) -> bool:
        return batch.schema.get_field_index(OP_COLUMN) >= 0

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
        match = self._versions_of(left, self.waiting.aux[TIME][ready])
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

    def _versions_of(self, left: pa.RecordBatch, times: np.ndarray) -> np.ndarray:
        """Per left row the id of the version it meets (-1: none, or a deletion)."""
        match = np.full(left.num_rows, -1, dtype=np.int64)
        columns = self.coder.columns(left, self.keys[0])
        codes, nulls = self.coder.codes(columns, left.num_rows)
        rows = np.flatnonzero(~nulls)
        probe, ids = self.versions.find(codes[rows], [c.take(pa.array(rows)) for c in columns])
        vt = self.right.aux[TIME][ids]
        ok = vt <= times[rows][probe]
        probe, ids, vt = probe[ok], ids[ok], vt[ok]
        if not len(ids):
            return match
        order = np.lexsort((ids, vt, probe))  # the latest time, then the latest arrival: last
        probe, ids = probe[order], ids[order]
        last = np.r_[probe[1:] != probe[:-1], True]
        chosen = ids[last]
        alive = self.right.aux[DELETED][chosen] == 0
        match[rows[probe[last][alive]]] = chosen[alive]
        return match

    def _expire(self) -> None:
        """Drop, per key, the versions before the newest one at or below the watermark."""
        live = self.right.live_ids()
        t = self.right.aux[TIME][live]
        old = live[t <= self.watermark]
        if len(old) < 2:
            return
        keys = self.right.take(old, self.keys[1])
        groups = group_ids(keys.columns, len(old))
        order = np.lexsort((old, self.right.aux[TIME][old], groups))
        g = groups[order]
        newest = np.r_[g[1:] != g[:-1], True]
        self.right.release(old[order][~newest])
        self.versions.maybe_compact()

    def state_rows(self) -> int:
        return self.waiting.live + self.right.live

    def state_bytes(self) -> int:
        return self.waiting.nbytes + self.versions.nbytes

    def state_arrow_bytes(self) -> int:
        return self.waiting.live_arrow_bytes() + self.right.live_arrow_bytes()

    def snapshot(self) -> Any:
        return {
            "watermark": self.watermark,
            "waiting": self.waiting.snapshot(),
            "right": self.versions.snapshot(),
        }

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        self.waiting.restore(state["waiting"])
        self.versions.restore(state["right"])
