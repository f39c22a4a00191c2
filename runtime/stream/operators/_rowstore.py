"""Arrow-backed row state: the rows an operator keeps, as Arrow record batches.

A `RowStore` appends rows (taken from incoming batches) and hands out integer ids (positions in
the concatenation of its chunks). Operators find rows through a key index over the chunks
(`_keyed.KeyedRows`) and keep a few int64 columns per row (`aux`, numpy: times, match counts),
so a kept row costs its Arrow bytes plus a few machine words, not a tuple of Python objects.
Deleting marks a row dead; once dead rows are more than a quarter of the live ones (they count in
`nbytes`) the owner calls `compact()`, which rewrites the chunks without them and returns the old
id -> new id map (-1 for dead rows); ids keep their order, so they stay in arrival order.
Chunks are merged like a binary counter (a new chunk merges with the previous one while that one
is at most twice its size), so a store holds O(log n) chunks.

`snapshot()` is Arrow IPC bytes of the live rows plus their aux columns; `restore()` gives ids
0..n-1 in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from ._rows import Row

COMPACT_MIN = 64


class RowStore:
    def __init__(self, schema: pa.Schema, aux: Sequence[str] = ()) -> None:
        self.schema = schema
        self.aux_names = tuple(aux)
        self.chunks: list[pa.RecordBatch] = []
        self.starts: list[int] = []  # id of each chunk's first row
        self.size = 0  # ids handed out
        self.live = 0
        self.alive = np.zeros(0, dtype=np.bool_)
        self.aux: dict[str, np.ndarray] = {a: np.zeros(0, dtype=np.int64) for a in self.aux_names}

    # -- writing ---------------------------------------------------------------------------
    def _grow(self, need: int) -> None:
        cap = len(self.alive)
        if need <= cap:
            return
        new = max(need, cap + cap // 2, 64)
        alive = np.zeros(new, dtype=np.bool_)
        alive[:cap] = self.alive
        self.alive = alive
        for a, col in self.aux.items():
            grown = np.zeros(new, dtype=np.int64)
            grown[:cap] = col
            self.aux[a] = grown

    def append(self, batch: pa.RecordBatch, indices: Sequence[int] | None = None) -> int:
        """Append the batch's data columns (rows `indices`, all by default); the id of the
        first appended row (the others follow consecutively)."""
        cols = list(batch.columns[: len(self.schema)])
        for i, f in enumerate(self.schema):
            if cols[i].type != f.type:
                cols[i] = cols[i].cast(f.type, safe=False)
        rows = pa.RecordBatch.from_arrays(cols, schema=self.schema)
        if indices is not None:
            rows = rows.take(pa.array(indices, type=pa.int64()))
        first = self.size
        n = rows.num_rows
        if not n:
            return first
        self._grow(first + n)
        self.alive[first : first + n] = True
        self.size += n
        self.live += n
        self.chunks.append(rows)
        self.starts.append(first)
        while len(self.chunks) > 1 and self.chunks[-2].num_rows <= 2 * self.chunks[-1].num_rows:
            last = self.chunks.pop()
            self.starts.pop()
            self.chunks[-1] = pa.concat_batches([self.chunks[-1], last])
        return first

    def release(self, ids: Sequence[int] | np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        was = self.alive[ids]
        self.alive[ids] = False
        self.live -= int(was.sum())

    # -- reading ---------------------------------------------------------------------------
    def take(
        self, ids: Sequence[int] | np.ndarray, columns: Sequence[int] | None = None
    ) -> pa.RecordBatch:
        """Rows `ids` in that order (only `columns`, if given); an id of -1 gives a row of
        NULLs."""
        ids = np.asarray(ids, dtype=np.int64)
        schema = self.schema
        if columns is not None:
            schema = pa.schema([self.schema.field(i) for i in columns])
        if not len(ids):
            return _empty(schema)
        valid = ids >= 0
        real = ids[valid]
        order = np.argsort(real, kind="stable")
        sorted_ids = real[order]
        starts = np.asarray(self.starts, dtype=np.int64)
        which = np.searchsorted(starts, sorted_ids, side="right") - 1
        parts: list[pa.RecordBatch] = []
        bounds = np.flatnonzero(np.diff(which)) + 1
        for seg in np.split(np.arange(len(sorted_ids)), bounds) if len(sorted_ids) else []:
            c = int(which[seg[0]])
            local = sorted_ids[seg] - self.starts[c]
            chunk = self.chunks[c] if columns is None else self.chunks[c].select(list(columns))
            parts.append(chunk.take(pa.array(local)))
        gathered = pa.concat_batches(parts) if parts else _empty(schema)
        # back to the requested order, NULL rows where ids were -1
        inverse = np.empty(len(real), dtype=np.int64)
        inverse[order] = np.arange(len(real))
        if bool(valid.all()):
            return gathered.take(pa.array(inverse))
        pos = np.zeros(len(ids), dtype=np.int64)
        pos[valid] = inverse
        return gathered.take(pa.array(pos, mask=~valid))

    def rows(self, ids: Sequence[int] | np.ndarray) -> list[Row]:
        batch = self.take(ids)
        columns = [c.to_pylist() for c in batch.columns]
        return list(zip(*columns, strict=True)) if columns else [()] * batch.num_rows

    def live_ids(self) -> np.ndarray:
        return np.flatnonzero(self.alive[: self.size])

    # -- memory ----------------------------------------------------------------------------
    @property
    def dead(self) -> int:
        return self.size - self.live

    def should_compact(self) -> bool:
        return self.dead >= COMPACT_MIN and 4 * self.dead > self.live

    def compact(self) -> np.ndarray:
        """Drop dead rows; old id -> new id (-1 where dead)."""
        keep = self.live_ids()
        remap = np.full(self.size, -1, dtype=np.int64)
        remap[keep] = np.arange(len(keep))
        batch = self.take(keep)
        aux = {a: col[keep].copy() for a, col in self.aux.items()}
        self._reset()
        if batch.num_rows:
            self.append(batch)
            for a, col in aux.items():
                self.aux[a][: len(col)] = col
        return remap

    def _reset(self) -> None:
        self.chunks, self.starts, self.size, self.live = [], [], 0, 0
        self.alive = np.zeros(0, dtype=np.bool_)
        self.aux = {a: np.zeros(0, dtype=np.int64) for a in self.aux_names}

    @property
    def nbytes(self) -> int:
        """Bytes held: the Arrow chunks (dead rows included until compaction) and aux columns."""
        arrow = sum(c.nbytes for c in self.chunks)
        return arrow + self.alive.nbytes + sum(col.nbytes for col in self.aux.values())

    def live_arrow_bytes(self) -> int:
        """The Arrow size of the live rows alone (the reference for the 2x target)."""
        ids = self.live_ids()
        return self.take(ids).nbytes if len(ids) else 0

    # -- checkpoints -----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Live rows as Arrow IPC bytes (aux columns included), and their ids in order."""
        ids = self.live_ids()
        batch = self.take(ids)
        for a in self.aux_names:
            batch = batch.append_column(f"_aux_{a}", pa.array(self.aux[a][ids]))
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return {"ipc": sink.getvalue().to_pybytes(), "ids": ids.tolist()}

    def restore(self, state: dict[str, Any]) -> np.ndarray:
        """Load a snapshot; old id -> new id for the ids the snapshot listed (others -1)."""
        self._reset()
        table = pa.ipc.open_stream(pa.py_buffer(state["ipc"])).read_all()
        batch = table.combine_chunks().to_batches()
        ids = np.asarray(state["ids"], dtype=np.int64)
        if batch and batch[0].num_rows:
            b = batch[0]
            self.append(b.select(list(range(len(self.schema)))))
            for a in self.aux_names:
                self.aux[a][: b.num_rows] = b.column(f"_aux_{a}").to_numpy()
        remap = np.full(int(ids.max()) + 1 if len(ids) else 0, -1, dtype=np.int64)
        remap[ids] = np.arange(len(ids))
        return remap


def _empty(schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array([], type=f.type) for f in schema], schema=schema)
