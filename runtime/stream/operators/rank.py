"""rank: Top-N (ROW_NUMBER/RANK/DENSE_RANK ... WHERE rank [>= lower AND] <= upper) over a
changelog.

Rows live in an Arrow-backed `RowStore` with a partition-key index (`KeyedRows`); sort values
stay in the rows' columns (no Python value per row). A batch is applied as a whole: the
partitions it touches are ranked before and after it in one pass (their rows' sort columns
gathered, sorted by Arrow with the row's arrival as the last key, ranked per partition and
state with numpy) and the
difference is emitted: -D for rows (with their rank) that left the top or changed rank, then +I
for rows that entered it or got their new rank. Ties under ROW_NUMBER keep arrival order; a
retraction removes the earliest stored row equal to it. Over an insert-only input (Flink's
append-only Top-N) a row that falls out of the top can never come back, so only the rows ranked
<= upper are kept; over an updating input every row is kept (a retraction can promote any of
them)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan import traits

from ..api import OP_COLUMN, Output
from ._base import BaseOperator
from ._keyed import KeyedRows
from ._keys import KeyCoder, group_ids
from ._order import group_ranks, sorted_positions
from ._rows import DELETE, INSERT, arrow_schema, data_width, retractions
from ._rowstore import RowStore

_NONE = np.zeros(0, dtype=np.int64)


class Rank(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Rank)
        self.node = node
        self.append_only = traits.is_insert_only(node.input.changelog)
        schema = arrow_schema(node.input.schema)
        self.store = RowStore(schema)
        coder = KeyCoder([schema.field(i).type for i in node.partition])
        self.rows = KeyedRows(self.store, coder, node.partition, nulls=True)
        self.columns = (*node.partition, *(k.index for k in node.order))

    def _top(
        self, ids: np.ndarray, after: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Of rows `ids` (whole partitions, each as it was before the batch or, where `after`,
        as it is after it): (ids, ranks, after) of the rows ranked in [lower, upper], and the
        ids ranked beyond upper after the batch. Both states in one sort: a partition before
        and after are two groups (the rows a batch retracted stay readable until the store
        compacts), so a batch pays the fixed cost of a ranking once."""
        if not len(ids):
            return _NONE, _NONE, np.zeros(0, np.bool_), _NONE
        node = self.node
        width = len(node.partition)
        rows = self.store.take(ids, self.columns)
        groups = 2 * group_ids(rows.columns[:width], len(ids)) + after
        order = sorted_positions(groups, rows.columns[width:], node.order, ids)
        keys = [c.take(pa.array(order)) for c in rows.columns[width:]]
        ranks = group_ranks(groups[order], keys, node.fn)
        ids, after = ids[order], after[order]
        inside = (ranks >= node.lower) & (ranks <= node.upper)
        return ids[inside], ranks[inside], after[inside], ids[(ranks > node.upper) & after]

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        data = batch.select(list(range(data_width(batch))))
        retract = retractions(batch)
        columns, codes, nulls = self.rows.keys(data)
        touched = np.unique(codes)
        _, old = self.rows.index.lookup(touched, self.store.alive)
        old = np.sort(old)
        ins = np.flatnonzero(~retract)
        first = self.rows.append(data, ins, codes, nulls)
        new = np.arange(first, first + len(ins))
        ret = np.flatnonzero(retract)
        if len(ret):
            self.rows.retract(data, ret, codes, columns, first + np.searchsorted(ins, ret))
        now = np.concatenate([old, new])
        now = now[self.store.alive[now]]
        phase = np.r_[np.zeros(len(old), np.bool_), np.ones(len(now), np.bool_)]
        top, ranks, after, beyond = self._top(np.concatenate([old, now]), phase)
        out = self._changes(top[~after], ranks[~after], top[after], ranks[after])
        if self.append_only:
            self.store.release(beyond)  # never back in the top: no retractions
        self.rows.maybe_compact()
        return self.emit(out)

    def _changes(
        self, before: np.ndarray, b_ranks: np.ndarray, after: np.ndarray, a_ranks: np.ndarray
    ) -> list[pa.RecordBatch]:
        """-D for (id, rank) pairs only before, then +I for those only after."""
        order = np.argsort(before, kind="stable")
        before, b_ranks = before[order], b_ranks[order]
        at = np.minimum(np.searchsorted(before, after), max(len(before) - 1, 0))
        stays = np.zeros(len(after), dtype=np.bool_)
        if len(before):
            stays = (before[at] == after) & (b_ranks[at] == a_ranks)
        kept = np.zeros(len(before), dtype=np.bool_)
        kept[at[stays]] = True
        gone, came = ~kept, np.argsort(after[~stays], kind="stable")
        ids = np.concatenate([before[gone], after[~stays][came]])
        if not len(ids):
            return []
        ranks = np.concatenate([b_ranks[gone], a_ranks[~stays][came]])
        ops = np.r_[np.full(int(gone.sum()), DELETE), np.full(len(came), INSERT)]
        cols = list(self.store.take(ids).columns)
        if self.node.rank_name is not None:
            cols.append(pa.array(ranks, type=self.out_schema.field(len(cols)).type))
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
