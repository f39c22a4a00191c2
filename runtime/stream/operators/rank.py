"""rank: Top-N (ROW_NUMBER/RANK/DENSE_RANK within [lower, upper]) over a changelog.

Every partition keeps its rows (a multiset in arrival order); after a batch, each touched
partition's top is recomputed and the difference is emitted: -D for rows (with their rank)
that left it, +I for rows that entered it. Ties under ROW_NUMBER keep arrival order."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import Output
from ._base import BaseOperator
from ._order import row_comparator, sort_key_values
from ._rows import DELETE, INSERT, Row, is_retract, rows_of, to_batch

Key = tuple[Any, ...]


class Rank(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Rank)
        self.node = node
        self.sort = row_comparator(node.order)
        self.partitions: dict[Key, list[Row]] = {}

    def _top(self, key: Key) -> list[Row]:
        rows = sorted(self.partitions.get(key, ()), key=self.sort)
        node = self.node
        out: list[Row] = []
        rank = dense = 0
        previous: tuple[Any, ...] | None = None
        for i, row in enumerate(rows):
            values = sort_key_values(row, node.order)
            if node.fn is n.RankFn.ROW_NUMBER:
                rank = i + 1
            elif values != previous:
                rank, dense = i + 1, dense + 1
            previous = values
            r = dense if node.fn is n.RankFn.DENSE_RANK else rank
            if r > node.upper:
                break
            if r >= node.lower:
                out.append((*row, r) if node.rank_name is not None else row)
        return out

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        ops, rows = rows_of(batch)
        before: dict[Key, list[Row]] = {}
        for op, row in zip(ops, rows, strict=True):
            key = tuple(row[i] for i in self.node.partition)
            if key not in before:
                before[key] = self._top(key)
            bucket = self.partitions.setdefault(key, [])
            if is_retract(op):
                if row in bucket:
                    bucket.remove(row)
                if not bucket:
                    del self.partitions[key]
            else:
                bucket.append(row)
        out_rows: list[Row] = []
        out_ops: list[int] = []
        for key, old in before.items():
            new = self._top(key)
            came = list(new)
            for row in old:
                if row in came:
                    came.remove(row)  # rows may hold lists/dicts: compare, never hash
                else:
                    out_rows.append(row)
                    out_ops.append(DELETE)
            for row in came:
                out_rows.append(row)
                out_ops.append(INSERT)
        batches = [to_batch(self.out_schema, out_rows, out_ops)] if out_rows else []
        return self.emit(batches)

    def state_rows(self) -> int:
        return sum(len(v) for v in self.partitions.values())

    def snapshot(self) -> Any:
        return self.partitions

    def restore(self, state: Any) -> None:
        self.partitions = state
