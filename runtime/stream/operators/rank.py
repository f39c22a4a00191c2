"""rank: Top-N (ROW_NUMBER/RANK/DENSE_RANK within [lower, upper]) over a changelog.

Rows live in an Arrow-backed `RowStore`; each partition keeps its rows' sort values (the value
itself for a single ORDER BY key) and ids in two parallel sequences, in arrival order. After a batch, each touched partition's top is recomputed and the difference is
emitted: -D for rows (with their rank) that left it, +I for rows that entered it. Ties under
ROW_NUMBER keep arrival order. Over an insert-only input (Flink's append-only Top-N) a row that
falls out of the top can never come back, so only the rows ranked <= upper are kept; over an
updating input every row is kept (a retraction can promote any of them)."""

from __future__ import annotations

import dataclasses
from array import array
from collections import Counter
from collections.abc import Callable
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

_NOTHING = object()

HASH = "hash"


class _Part:
    """One partition: sort values and row ids, parallel, in arrival order."""

    __slots__ = ("ids", "vals")

    def __init__(self, vals: list[Any] | None = None, ids: array[int] | None = None) -> None:
        self.vals: list[Any] = vals if vals is not None else []
        self.ids: array[int] = ids if ids is not None else array("q")

    def keep(self, positions: list[int]) -> None:
        self.vals = [self.vals[j] for j in positions]
        self.ids = array("q", (self.ids[j] for j in positions))


class Rank(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Rank)
        self.node = node
        local = [dataclasses.replace(k, index=j) for j, k in enumerate(node.order)]
        compare = row_comparator(local)
        self.single = len(node.order) == 1
        self.sort_key: Callable[[Any], Any] = (lambda v: compare((v,))) if self.single else compare
        self.append_only = traits.is_insert_only(node.input.changelog)
        self.store = RowStore(arrow_schema(node.input.schema), (HASH,))
        self.partitions: dict[Any, _Part] = {}

    def _values(self, row: Any) -> Any:
        order = self.node.order
        return row[order[0].index] if self.single else tuple(row[k.index] for k in order)

    def _top(self, key: Any) -> tuple[list[tuple[int, int]], list[int]]:
        """((id, rank) of the rows in [lower, upper]; positions of the rows ranked <= upper)."""
        part = self.partitions.get(key)
        if part is None:
            return [], []
        vals, ids = part.vals, part.ids
        if self.single and None not in vals:
            # one key without NULLs: native comparison (reverse keeps ties in arrival order)
            desc = self.node.order[0].descending
            order = sorted(range(len(ids)), key=vals.__getitem__, reverse=desc)
        else:
            order = sorted(range(len(ids)), key=lambda j: self.sort_key(vals[j]))
        node = self.node
        out: list[tuple[int, int]] = []
        rank = dense = 0
        previous: Any = _NOTHING
        kept = len(order)
        for i, j in enumerate(order):
            values, rid = vals[j], ids[j]
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
        return out, order[:kept]

    def _find(self, part: _Part, values: Any, h: int, row: Any) -> int:
        """Position in `part` of the row equal to `row`, or -1."""
        hashes = self.store.aux[HASH]
        same = [j for j, v in enumerate(part.vals) if v == values and hashes[part.ids[j]] == h]
        if len(same) <= 1:
            return same[0] if same else -1
        stored = self.store.rows([part.ids[j] for j in same])
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
            values = self._values(row)
            # an insert-only input never retracts: no row hashes (0 matches by value only)
            h = 0 if self.append_only else hash(hashable(row))
            if is_retract(op):
                part = self.partitions.get(key)
                j = self._find(part, values, h, row) if part is not None else -1
                if part is not None and j >= 0:
                    dead.append(part.ids.pop(j))
                    del part.vals[j]
                    if not part.ids:
                        del self.partitions[key]
            else:
                rid = new_id[i]
                hashes[rid] = h
                part = self.partitions.get(key)
                if part is None:
                    part = self.partitions[key] = _Part()
                part.vals.append(values)
                part.ids.append(rid)
        out_ids: list[int] = []
        out_ranks: list[int] = []
        out_ops: list[int] = []
        for key, old in before.items():
            new, kept = self._top(key)
            part = self.partitions.get(key)
            if self.append_only and part is not None and len(kept) < len(part.ids):
                keep = sorted(kept)
                kept_set = set(keep)
                dead += [rid for j, rid in enumerate(part.ids) if j not in kept_set]
                part.keep(keep)
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
            for part in self.partitions.values():
                part.ids = array("q", remap[np.frombuffer(part.ids, dtype=np.int64)].tolist())
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
        parts = {k: (p.vals, p.ids.tolist()) for k, p in self.partitions.items()}
        return {"store": self.store.snapshot(), "partitions": parts}

    def restore(self, state: Any) -> None:
        remap = self.store.restore(state["store"])
        self.partitions = {
            k: _Part(list(vals), array("q", remap[np.asarray(ids, dtype=np.int64)].tolist()))
            for k, (vals, ids) in state["partitions"].items()
        }
