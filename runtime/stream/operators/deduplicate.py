"""deduplicate: the first (or last) row per key by event time (ROW_NUMBER() ... = 1).

Per key the current winner is kept, in an Arrow-backed `RowStore` (key -> id, the row's time as
an int64 column): +I when a key first appears; -U/+U when a row with an earlier (first) or
later-or-equal (last) time replaces it. A replaced row is released; the store compacts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import OP_COLUMN, Output
from ._base import BaseOperator
from ._rows import INSERT, UPDATE_AFTER, UPDATE_BEFORE, arrow_schema, data_width, epoch_ms
from ._rowstore import RowStore, keys_of
from ._sizing import deep_size

TIME = "time"
NULL_TIME = -(2**63)


class Deduplicate(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Deduplicate)
        self.node = node
        self.store = RowStore(arrow_schema(node.input.schema), (TIME,))
        self.best: dict[Any, int] = {}

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        width = data_width(batch)
        data = batch.select(list(range(width)))
        keys = keys_of(data, self.node.keys)
        times = [NULL_TIME if t is None else t for t in epoch_ms(data.column(self.node.time_col))]
        last = self.node.keep_last
        first = self.store.append(data)
        self.store.aux[TIME][first : first + len(times)] = times
        stored = self.store.aux[TIME]
        out_ids: list[int] = []
        out_ops: list[int] = []
        dead: list[int] = []
        for i, key in enumerate(keys):
            rid = first + i
            cur = self.best.get(key)
            if cur is None:
                self.best[key] = rid
                out_ids.append(rid)
                out_ops.append(INSERT)
                continue
            a, b = times[i], int(stored[cur])
            better = (
                (a != NULL_TIME and (b == NULL_TIME or a >= b))
                if last
                else (a != NULL_TIME and b != NULL_TIME and a < b)
            )
            if better:
                self.best[key] = rid
                out_ids += [cur, rid]
                out_ops += [UPDATE_BEFORE, UPDATE_AFTER]
                dead.append(cur)
            else:
                dead.append(rid)
        out = self._rows(out_ids, out_ops)
        self.store.release(dead)
        if self.store.should_compact():
            remap = self.store.compact()
            self.best = {k: int(remap[v]) for k, v in self.best.items()}
        return self.emit(out)

    def _rows(self, ids: list[int], ops: list[int]) -> list[pa.RecordBatch]:
        if not ids:
            return []
        rows = self.store.take(np.asarray(ids, dtype=np.int64))
        cols = list(rows.columns)
        if self.node.rank_name is not None:
            cols.append(pa.array([1] * len(ids), type=self.out_schema.field(len(cols)).type))
        cols.append(pa.array(ops, type=pa.int8()))
        return [pa.RecordBatch.from_arrays(cols, names=[*self.out_schema.names, OP_COLUMN])]

    def state_rows(self) -> int:
        return len(self.best)

    def state_bytes(self) -> int:
        return self.store.nbytes + deep_size(self.best)

    def state_arrow_bytes(self) -> int:
        return self.store.live_arrow_bytes()

    def snapshot(self) -> Any:
        return {"store": self.store.snapshot(), "best": self.best}

    def restore(self, state: Any) -> None:
        remap = self.store.restore(state["store"])
        self.best = {k: int(remap[v]) for k, v in state["best"].items()}
