"""A RowStore with a key index: rows found by key a whole batch at a time.

Keys are coded by a `KeyCoder` (exact for one integer column, else hashed) and indexed by a
`ChunkIndex`; lookups verify hashed keys against the stored key columns, so results are exact.
Only the rows are state: the index is rebuilt from them after a compaction or a restore.
A row whose key holds a NULL is indexed only when `nulls` says so (NULL is a partition of
its own for rank; it never joins).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from ._keyindex import ChunkIndex
from ._keys import NULL_EXACT, KeyCoder, rows_equal, values_equal
from ._rowstore import RowStore


class KeyedRows:
    def __init__(
        self, store: RowStore, coder: KeyCoder, key_cols: Sequence[int], nulls: bool = False
    ) -> None:
        self.store = store
        self.coder = coder
        self.key_cols = tuple(key_cols)
        self.nulls = nulls
        self.index = ChunkIndex(store, self._derive)

    def _derive(self, chunk: pa.RecordBatch) -> tuple[np.ndarray, bool] | None:
        """The chunk's key column as integers (a view when it has no NULLs), for an exact key
        stored as a 32- or 64-bit integer."""
        if not self.coder.exact:
            return None
        column = chunk.column(self.key_cols[0])
        typ = column.type
        if pa.types.is_temporal(typ) and typ.bit_width in (32, 64):
            column = column.view(pa.int32() if typ.bit_width == 32 else pa.int64())
        elif typ not in (pa.int32(), pa.int64()):
            return None
        if column.null_count:
            return self.coder.codes([column], len(column))[0], False
        return column.to_numpy(zero_copy_only=True), True

    def keys(self, data: pa.RecordBatch) -> tuple[list[pa.Array], np.ndarray, np.ndarray]:
        """(key columns, codes, whether the key holds a NULL) of a batch in the store's layout."""
        columns = self.coder.columns(data, self.key_cols)
        codes, nulls = self.coder.codes(columns, data.num_rows)
        return columns, codes, nulls

    def append(
        self, data: pa.RecordBatch, rows: np.ndarray, codes: np.ndarray, nulls: np.ndarray
    ) -> int:
        """Store batch rows `rows` (their key `codes` and NULL flags given for all of `data`)
        and index them; the id of the first (the others follow)."""
        first = self.store.append(data, rows)
        if self.store.size > first:
            indexed = np.ones(len(rows), dtype=np.bool_) if self.nulls else ~nulls[rows]
            positions = np.flatnonzero(indexed)
            self.index.appended(len(rows), positions, codes[rows][positions])
        return first

    def find(self, codes: np.ndarray, columns: Sequence[pa.Array]) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (probe position, live id) of the stored rows whose key equals each probe's
        (key `columns` as `KeyCoder.columns` gives them, coded as `codes`)."""
        probe, ids = self.index.lookup(codes, self.store.alive)
        if not self.key_cols or not len(ids):
            return probe, ids
        check = np.arange(len(ids))
        if self.coder.exact:  # only NULL shares a code with another key
            check = np.flatnonzero(codes[probe] == NULL_EXACT)
            if not len(check):
                return probe, ids
        stored = self.store.take(ids[check], self.key_cols)
        mine = self.coder.columns(stored, range(len(self.key_cols)))
        theirs = [c.take(pa.array(probe[check])) for c in columns]
        same = np.ones(len(ids), dtype=np.bool_)
        same[check] = rows_equal(mine, theirs, len(check))
        return probe[same], ids[same]

    def retract(
        self,
        data: pa.RecordBatch,
        rows: np.ndarray,
        codes: np.ndarray,
        columns: Sequence[pa.Array],
        limits: np.ndarray,
    ) -> np.ndarray:
        """Remove the stored rows that batch rows `rows` (retractions; key `codes`/`columns`
        given for all of `data`) retract: per retraction a live stored row equal to it with an
        id below its limit (rows that arrived before it), the earliest one not taken by an
        earlier retraction, as row-at-a-time processing would; -1 where there is none."""
        taken = np.full(len(rows), -1, dtype=np.int64)
        if not len(rows):
            return taken
        probe, ids = self.find(codes[rows], [c.take(pa.array(rows)) for c in columns])
        ok = ids < limits[probe]
        probe, ids = probe[ok], ids[ok]
        # the key columns are equal already; compare the others one at a time, each over the
        # candidates the previous ones left (most fall at the first column)
        for i in range(len(self.store.schema)):
            if not len(ids):
                break
            if i in self.key_cols:
                continue
            stored = self.store.take(ids, [i]).column(0)
            same = values_equal(stored, data.column(i).take(pa.array(rows[probe])))
            probe, ids = probe[same], ids[same]
        if not len(ids):
            return taken
        heads = np.flatnonzero(np.r_[True, probe[1:] != probe[:-1]])
        first = ids[heads]
        if len(np.unique(first)) == len(first):
            taken[probe[heads]] = first
        else:  # several retractions of one row: one stored copy each, in order
            used: set[int] = set()
            for j, group in zip(probe[heads], np.split(ids, heads[1:]), strict=True):
                pick = next((int(i) for i in group if int(i) not in used), -1)
                if pick >= 0:
                    used.add(pick)
                    taken[j] = pick
        self.store.release(taken[taken >= 0])
        return taken

    def rebuild(self) -> None:
        """Index the stored rows again (after a compaction or a restore: one chunk)."""
        self.index.clear()
        if self.store.size:
            (chunk,) = self.store.chunks
            _, codes, nulls = self.keys(chunk)
            rows = np.arange(self.store.size)
            indexed = rows if self.nulls else rows[~nulls]
            self.index.appended(self.store.size, indexed, codes[indexed])

    def maybe_compact(self) -> np.ndarray | None:
        if not self.store.should_compact():
            return None
        remap = self.store.compact()
        self.rebuild()
        return remap

    @property
    def nbytes(self) -> int:
        return self.store.nbytes + self.index.nbytes

    def snapshot(self) -> dict[str, Any]:
        return self.store.snapshot()

    def restore(self, state: dict[str, Any]) -> np.ndarray:
        remap = self.store.restore(state)
        self.rebuild()
        return remap
