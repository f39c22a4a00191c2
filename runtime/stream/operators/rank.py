"""rank: Top-N (ROW_NUMBER/RANK/DENSE_RANK within [lower, upper]) over a changelog.

Rows live in an Arrow-backed `RowStore`; each partition keeps (sort values, id) per row in
arrival order. After a batch, each touched partition's top is recomputed and the difference is
emitted: -D for rows (with their rank) that left it, +I for rows that entered it. Ties under
ROW_NUMBER keep arrival order. Over an insert-only input (Flink's append-only Top-N) a row that
falls out of the top can never come back, so only the rows ranked <= upper are kept; over an
updating input every row is kept (a retraction can promote any of them)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan import traits

from ..api import OP_COLUMN, Output
from ._base import BaseOperator
from ._order import row_comparator
from ._rows import DELETE, INSERT, arrow_schema, hashable, is_retract, rows_of
from ._rowstore import RowStore, key_of
from ._sizing import deep_size

HASH = "hash"
Entry = tuple[tuple[Any, ...], int]  # (sort values, row id)


class Rank(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Rank)
        self.node = node
        local = [dataclasses.replace(k, index=j) for j, k in enumerate(node.order)]
        compare = row_comparator(local)
        self.sort_key = lambda e: compare(e[0])
        self.append_only = traits.is_insert_only(node.input.changelog)
        self.store = RowStore(arrow_schema(node.input.schema), (HASH,))
        self.partitions: dict[Any, list[Entry]] = {}

    def _top(self, key: Any) -> tuple[list[tuple[int, int]], list[Entry]]:
        """((id, rank) of the rows in [lower, upper]; the entries ranked <= upper)."""
        entries = sorted(self.partitions.get(key, ()), key=self.sort_key)
        node = self.node
        out: list[tuple[int, int]] = []
        rank = dense = 0
        previous: tuple[Any, ...] | None = None
        kept = len(entries)
        for i, (values, rid) in enumerate(entries):
            if node.fn is n.RankFn.ROW_NUMBER:
                rank = i + 1
            elif values != previous:
                rank, dense = i + 1, dense + 1
            previous = values
            r = dense if node.fn is n.RankFn.DENSE_RANK else rank
            if r > node.upper:
                kept = i
                break
            if r >= node.lower:
                out.append((rid, r))
        return out, entries[:kept]

    def _find(self, bucket: list[Entry], values: tuple[Any, ...], h: int, row: Any) -> int:
        """Position in `bucket` of the entry holding a row equal to `row`, or -1."""
        hashes = self.store.aux[HASH]
        same = [j for j, (v, rid) in enumerate(bucket) if v == values and hashes[rid] == h]
        if len(same) <= 1:
            return same[0] if same else -1
        stored = self.store.rows([bucket[j][1] for j in same])
        for j, r in zip(same, stored, strict=True):
            if hashable(r) == hashable(row):
                return j
        return -1

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        ops, rows = rows_of(batch)
        node = self.node
        inserted = [i for i, op in enumerate(ops) if not is_retract(op)]
        first = self.store.append(batch, inserted) if inserted else 0
        new_id = {i: first + j for j, i in enumerate(inserted)}
        hashes = self.store.aux[HASH]
        before: dict[Any, list[tuple[int, int]]] = {}
        dead: list[int] = []
        for i, (op, row) in enumerate(zip(ops, rows, strict=True)):
            key = key_of(row, node.partition)
            if key not in before:
                before[key] = self._top(key)[0]
            values = tuple(row[k.index] for k in node.order)
            h = hash(hashable(row))
            if is_retract(op):
                bucket = self.partitions.get(key, [])
                j = self._find(bucket, values, h, row)
                if j >= 0:
                    dead.append(bucket.pop(j)[1])
                if not bucket:
                    self.partitions.pop(key, None)
            else:
                rid = new_id[i]
                hashes[rid] = h
                self.partitions.setdefault(key, []).append((values, rid))
        out_ids: list[int] = []
        out_ranks: list[int] = []
        out_ops: list[int] = []
        for key, old in before.items():
            new, kept = self._top(key)
            if self.append_only and key in self.partitions:
                ids = {rid for _, rid in kept}
                dead += [rid for _, rid in self.partitions[key] if rid not in ids]
                self.partitions[key] = [e for e in self.partitions[key] if e[1] in ids]
            came = Counter(new)
            came.subtract(old)
            changes = sorted(came.items(), key=lambda x: (x[1] > 0, x[0]))  # -D before +I
            for (rid, r), c in changes:
                out_ids += [rid] * abs(c)
                out_ranks += [r] * abs(c)
                out_ops += [INSERT if c > 0 else DELETE] * abs(c)
        batches = self._rows(out_ids, out_ranks, out_ops)
        self.store.release(dead)
        if self.store.should_compact():
            remap = self.store.compact()
            self.partitions = {
                k: [(v, int(remap[rid])) for v, rid in es] for k, es in self.partitions.items()
            }
        return self.emit(batches)

    def _rows(self, ids: list[int], ranks: list[int], ops: list[int]) -> list[pa.RecordBatch]:
        if not ids:
            return []
        rows = self.store.take(np.asarray(ids, dtype=np.int64))
        cols = list(rows.columns)
        if self.node.rank_name is not None:
            cols.append(pa.array(ranks, type=self.out_schema.field(len(cols)).type))
        cols.append(pa.array(ops, type=pa.int8()))
        return [pa.RecordBatch.from_arrays(cols, names=[*self.out_schema.names, OP_COLUMN])]

    def state_rows(self) -> int:
        return self.store.live

    def state_bytes(self) -> int:
        return self.store.nbytes + deep_size(self.partitions)

    def state_arrow_bytes(self) -> int:
        return self.store.live_arrow_bytes()

    def snapshot(self) -> Any:
        return {"store": self.store.snapshot(), "partitions": self.partitions}

    def restore(self, state: Any) -> None:
        remap = self.store.restore(state["store"])
        self.partitions = {
            k: [(v, int(remap[rid])) for v, rid in es] for k, es in state["partitions"].items()
        }
