"""deduplicate: the first (or last) row per key by event time (ROW_NUMBER() ... = 1).

Per key the current winner is kept: +I when a key first appears; -U/+U when a row with an
earlier (first) or later-or-equal (last) time replaces it."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import Output
from ._base import BaseOperator
from ._rows import INSERT, UPDATE_AFTER, UPDATE_BEFORE, Row, rows_of, to_batch

Key = tuple[Any, ...]


class Deduplicate(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Deduplicate)
        self.node = node
        self.best: dict[Key, Row] = {}

    def _out(self, row: Row) -> Row:
        return (*row, 1) if self.node.rank_name is not None else row

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        _, rows = rows_of(batch)
        t = self.node.time_col
        last = self.node.keep_last
        out_rows: list[Row] = []
        out_ops: list[int] = []
        for row in rows:
            key = tuple(row[i] for i in self.node.keys)
            cur = self.best.get(key)
            if cur is None:
                self.best[key] = row
                out_rows.append(self._out(row))
                out_ops.append(INSERT)
                continue
            a, b = row[t], cur[t]
            better = (
                (a is not None and (b is None or a >= b))
                if last
                else (a is not None and b is not None and a < b)
            )
            if better:
                self.best[key] = row
                out_rows += [self._out(cur), self._out(row)]
                out_ops += [UPDATE_BEFORE, UPDATE_AFTER]
        batches = [to_batch(self.out_schema, out_rows, out_ops)] if out_rows else []
        return self.emit(batches)

    def state_rows(self) -> int:
        return len(self.best)

    def snapshot(self) -> Any:
        return self.best

    def restore(self, state: Any) -> None:
        self.best = state
