"""deduplicate: the first (or last) row per key by event time (ROW_NUMBER() ... = 1).

Per key the current winner is kept, in an Arrow-backed `RowStore` with a key index
(`KeyedRows`; the row's time as an int64 column). A batch is decided as a whole, as Flink's
mini-batch deduplication does: per key the batch's best row (last: the latest time, the later
row on ties; first: the earliest time, the earlier row on ties; a NULL time never wins against
a row) is compared with the stored winner: +I when a key first appears (its first row, unless
a later row of the batch already beats it), -U/+U when the batch's best replaces the winner
(last: a time later or equal; first: an earlier one). Only winners are stored; a replaced
winner is released and the store compacts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import OP_COLUMN, Output
from ._base import BaseOperator
from ._keyed import KeyedRows
from ._keys import KeyCoder, group_ids
from ._rows import INSERT, UPDATE_AFTER, UPDATE_BEFORE, arrow_schema, data_width, epoch_ms_array
from ._rowstore import RowStore

TIME = "time"
NULL_TIME = -(2**63)


def _heads(groups: np.ndarray) -> np.ndarray:
    """Positions where a new group starts in `groups` (sorted)."""
    return np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])


class Deduplicate(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Deduplicate)
        self.node = node
        schema = arrow_schema(node.input.schema)
        self.store = RowStore(schema, (TIME,))
        coder = KeyCoder([schema.field(i).type for i in node.keys])
        self.rows = KeyedRows(self.store, coder, node.keys, nulls=True)

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        data = batch.select(list(range(data_width(batch))))
        size = data.num_rows
        if not size:
            return self.emit([])
        times, no_time = epoch_ms_array(data.column(self.node.time_col))
        times = np.where(no_time, NULL_TIME, times)
        columns, codes, nulls = self.rows.keys(data)
        groups = group_ids(columns, size)
        pos = np.arange(size)
        by_group = np.lexsort((pos, groups))
        firsts = by_group[_heads(groups[by_group])]  # each key's first row in the batch
        best = self._best(groups, times, no_time, len(firsts))
        probe, stored = self.rows.find(codes[firsts], [c.take(pa.array(firsts)) for c in columns])
        current = np.full(len(firsts), -1, dtype=np.int64)
        current[probe] = stored
        winner = self._winners(firsts, best, current, times)
        new = np.flatnonzero(winner >= 0)
        new = new[np.argsort(winner[new], kind="stable")]  # output in batch order
        rows = winner[new]
        first = self.rows.append(data, rows, codes, nulls)
        self.store.aux[TIME][first : first + len(rows)] = times[rows]
        ids = np.arange(first, first + len(rows))
        replaced = current[new]
        out = self._rows(replaced, ids)
        self.store.release(replaced[replaced >= 0])
        self.rows.maybe_compact()
        return self.emit(out)

    def _best(
        self, groups: np.ndarray, times: np.ndarray, no_time: np.ndarray, count: int
    ) -> np.ndarray:
        """Per group the position of its best row with a time (-1: none has one)."""
        best = np.full(count, -1, dtype=np.int64)
        timed = np.flatnonzero(~no_time)
        if not len(timed):
            return best
        g, t = groups[timed], times[timed]
        if self.node.keep_last:  # the latest time, then the latest row: last of the group
            order = np.lexsort((timed, t, g))
            ends = np.r_[_heads(g[order])[1:], len(order)] - 1
            best[g[order][ends]] = timed[order][ends]
        else:  # the earliest time, then the earliest row: first of the group
            order = np.lexsort((timed, t, g))
            heads = _heads(g[order])
            best[g[order][heads]] = timed[order][heads]
        return best

    def _winners(
        self, firsts: np.ndarray, best: np.ndarray, current: np.ndarray, times: np.ndarray
    ) -> np.ndarray:
        """Per group the batch row that becomes its winner, -1 if the stored one stays."""
        known = current >= 0
        stored = np.full(len(current), NULL_TIME, dtype=np.int64)
        stored[known] = self.store.aux[TIME][current[known]]
        has = best >= 0
        t_best = times[np.maximum(best, 0)]
        if self.node.keep_last:
            beats = has & ((stored == NULL_TIME) | (t_best >= stored))
            fresh = np.where(has, best, firsts)
        else:
            beats = has & (stored != NULL_TIME) & (t_best < stored)
            fresh = np.where(times[firsts] == NULL_TIME, firsts, best)
        return np.where(known, np.where(beats, best, -1), fresh)

    def _rows(self, replaced: np.ndarray, ids: np.ndarray) -> list[pa.RecordBatch]:
        """+I for a new key's winner; -U (the old winner) and +U (the new) for a replaced one."""
        if not len(ids):
            return []
        swap = replaced >= 0
        take = np.stack([replaced, ids], axis=1).ravel()
        ops = np.stack(
            [np.full(len(ids), UPDATE_BEFORE), np.where(swap, UPDATE_AFTER, INSERT)], axis=1
        ).ravel()
        keep = take >= 0
        take, ops = take[keep], ops[keep]
        cols = list(self.store.take(take).columns)
        if self.node.rank_name is not None:
            cols.append(
                pa.array(
                    np.ones(len(take), dtype=np.int64), type=self.out_schema.field(len(cols)).type
                )
            )
        cols.append(pa.array(ops, type=pa.int8()))
        return [pa.RecordBatch.from_arrays(cols, names=[*self.out_schema.names, OP_COLUMN])]

    def state_rows(self) -> int:
        return self.store.live

    def state_bytes(self) -> int:
        return self.rows.nbytes

    def state_arrow_bytes(self) -> int:
        return self.store.live_arrow_bytes()

    def snapshot(self) -> Any:
        return {"store": self.rows.snapshot()}

    def restore(self, state: Any) -> None:
        self.rows.restore(state["store"])
