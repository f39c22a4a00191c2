"""interval_join: `l.time - r.time BETWEEN lower AND upper` plus an equi-join condition.

Each side's rows are kept (Arrow-backed `RowStore`: the rows, their time and whether they have
matched, with a key index, `KeyedRows`) only while a future row of the other side can still match
them: a left row at lt meets right rows with rt in [lt - upper, lt - lower], so it is dropped
once the watermark passes lt - lower (a right row at rt once it passes rt + upper). Matches are
emitted as soon as both rows are there; for an outer side, a row that never matched (a NULL key
never does) is emitted NULL-padded when it is dropped. Insert-only output."""

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
from ._keyed import KeyedRows
from ._keys import KeyCoder
from ._rows import arrow_schema, epoch_ms_array
from ._rowstore import RowStore
from .join import kept_pairs, pair_batch, residual

TIME, MATCHED = "time", "matched"


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
        self.program = filter_program(cond, sum(self.widths), env)
        self.outer = (
            node.kind in (n.JoinKind.LEFT, n.JoinKind.FULL),
            node.kind in (n.JoinKind.RIGHT, n.JoinKind.FULL),
        )
        self.watermark = -(2**63)
        schemas = (arrow_schema(node.left.schema), arrow_schema(node.right.schema))
        coder = KeyCoder(*[[schemas[s].field(i).type for i in self.keys[s]] for s in (0, 1)])
        self.sides = tuple(
            KeyedRows(
                RowStore(schemas[s], (TIME, MATCHED) if self.outer[s] else (TIME,)),
                coder,
                self.keys[s],
            )
            for s in (0, 1)
        )
        self.stores = tuple(s.store for s in self.sides)

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        side = input_index
        me = self.sides[side]
        store, other = self.stores[side], self.stores[1 - side]
        times, no_time = epoch_ms_array(batch.column(self.times[side]))
        keep = np.flatnonzero(~no_time)
        if not len(keep):
            return self.emit([])
        columns, codes, nulls = me.keys(batch)
        first = me.append(batch, keep, codes, nulls)
        store.aux[TIME][first : first + len(keep)] = times[keep]
        keyed = np.flatnonzero(~nulls[keep])
        probe, b = self.sides[1 - side].find(
            codes[keep[keyed]], [c.take(pa.array(keep[keyed])) for c in columns]
        )
        a = first + keyed[probe]
        diff = store.aux[TIME][a] - other.aux[TIME][b]
        if side == 1:
            diff = -diff
        within = (diff >= self.node.lower_ms) & (diff <= self.node.upper_ms)
        a, b = a[within], b[within]
        if not len(a):
            return self.emit([])
        left, right = (
            (store.take(a), other.take(b)) if side == 0 else (other.take(b), store.take(a))
        )
        pairs = pair_batch(left, right)
        if self.program is not None:
            kept = kept_pairs(self.program, pairs)
            a, b = a[kept], b[kept]
            pairs = pairs.take(pa.array(kept))
        for rows, ids in ((store, a), (other, b)):
            if MATCHED in rows.aux:  # only an outer side pads its unmatched rows
                rows.aux[MATCHED][ids] = 1
        out = pa.RecordBatch.from_arrays(pairs.columns, names=list(self.out_schema.names))
        return self.emit([out])

    def on_watermark(self, watermark: int) -> Output:
        self.watermark = max(self.watermark, watermark)
        wm = self.watermark
        out: list[pa.RecordBatch] = []
        # A left row at lt can meet right rows up to lt - lower; a right row at rt, left rows
        # up to rt + upper.
        horizons = (-self.node.lower_ms, self.node.upper_ms)
        for side in (0, 1):
            store = self.stores[side]
            live = store.live_ids()
            times = store.aux[TIME][live]
            bound = min(max(wm - horizons[side], -(2**63)), 2**63 - 1)
            gone = live[times <= bound]
            if not len(gone):
                continue
            if self.outer[side]:
                alone = gone[store.aux[MATCHED][gone] == 0]
                if len(alone):
                    out.append(self._padded(side, alone))
            store.release(gone)
            self.sides[side].maybe_compact()
        return self.emit(out, watermark)

    def _padded(self, side: int, ids: np.ndarray) -> pa.RecordBatch:
        rows = self.stores[side].take(ids)
        nulls = self.stores[1 - side].take(np.full(len(ids), -1, dtype=np.int64))
        left, right = (rows, nulls) if side == 0 else (nulls, rows)
        cols = list(left.columns) + list(right.columns)
        return pa.RecordBatch.from_arrays(cols, names=list(self.out_schema.names))

    def state_rows(self) -> int:
        return sum(s.live for s in self.stores)

    def state_bytes(self) -> int:
        return sum(s.nbytes for s in self.sides)

    def state_arrow_bytes(self) -> int:
        return sum(s.live_arrow_bytes() for s in self.stores)

    def snapshot(self) -> Any:
        return {"watermark": self.watermark, "sides": [s.snapshot() for s in self.sides]}

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        for side, saved in zip(self.sides, state["sides"], strict=True):
            side.restore(saved)
