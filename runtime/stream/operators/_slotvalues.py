"""One value per group slot for types numpy cannot hold (group_agg's MIN/MAX of strings,
decimals, dates, booleans, bytes): values are appended to an Arrow pool and each slot points
at its current one (-1: none). Updating a batch's groups costs the batch, not the state (an
Arrow array cannot be written in place); replaced values stay in the pool until they outnumber
the live ones, then the pool compacts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

MIN_COMPACT = 1024


class SlotValues:
    def __init__(self, typ: pa.DataType) -> None:
        self.type = typ
        self.pool: pa.Array = pa.array([], typ)
        self.pending: list[pa.Array] = []  # appended since the pool was last made one array
        self.size = 0  # values in pool and pending
        self.ref = np.full(0, -1, np.int64)

    def grow(self, capacity: int) -> None:
        if capacity > len(self.ref):
            grown = np.full(capacity, -1, np.int64)
            grown[: len(self.ref)] = self.ref
            self.ref = grown

    def _pool(self) -> pa.Array:
        if self.pending:
            self.pool = pa.concat_arrays([self.pool, *self.pending])
            self.pending = []
        return self.pool

    def get(self, slots: np.ndarray) -> pa.Array:
        """The slots' values (NULL where a slot has none)."""
        refs = self.ref[slots]
        return self._pool().take(pa.array(refs, pa.int64(), mask=refs < 0))

    def set(self, slots: np.ndarray, values: pa.Array) -> None:
        """Each slot's value from now on (a NULL value clears it); slots are distinct."""
        valid = np.asarray(values.is_valid())
        kept = values.filter(pa.array(valid))
        self.ref[slots[~valid]] = -1
        self.ref[slots[valid]] = np.arange(self.size, self.size + len(kept))
        self.pending.append(kept)
        self.size += len(kept)
        live = int(np.count_nonzero(self.ref >= 0))
        if self.size > max(MIN_COMPACT, 2 * live):
            self.keep(np.arange(len(self.ref)))

    def clear(self, slots: np.ndarray) -> None:
        self.ref[slots] = -1

    def keep(self, slots: np.ndarray) -> None:
        """Only `slots` stay, renumbered 0.. in their order; the pool keeps only their values."""
        self.restore(self.get(slots))

    def restore(self, values: pa.Array) -> None:
        """Slot i holds values[i] (none where NULL)."""
        valid = np.asarray(values.is_valid())
        self.pool = values.filter(pa.array(valid))
        self.pending = []
        self.size = len(self.pool)
        self.ref = np.full(len(values), -1, np.int64)
        self.ref[valid] = np.arange(self.size)

    @property
    def nbytes(self) -> int:
        return self.pool.nbytes + sum(p.nbytes for p in self.pending) + self.ref.nbytes
