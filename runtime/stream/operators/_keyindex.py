"""Key code -> row ids of a RowStore: per store chunk, its indexed rows sorted by code (numpy
arrays only, no Python object per key or row).

The index has one run per chunk of the store and merges two runs whenever the store merges
their chunks (a binary counter: O(log n) runs, each row re-sorted O(log n) times). A run is the
chunk's positions sorted by code (stable, so one code's rows stay in arrival order) and, unless
the codes can be read from the chunk itself, the sorted codes. They can when the key is one
64-bit integer column without NULLs and every row of the chunk is indexed: the codes are then
the key column's buffer (zero-copy) and numpy searches it through the sorted positions, so such
an index costs 8 bytes per row; otherwise 12 (8-byte code, 4-byte position). A lookup is one
vectorized search per run for a whole batch of codes.

Entries are never removed one by one: lookups skip dead rows through the store's `alive` mask,
and after a compaction (or a restore) the owner rebuilds the index from the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ._rowstore import RowStore

# A chunk's key column as integer values (int32 or int64) and whether they are a zero-copy view
# (no NULLs); None when the key is not one 32- or 64-bit integer column.
Derive = Callable[[pa.RecordBatch], "tuple[np.ndarray, bool] | None"]


@dataclass
class _Run:
    rows: int  # rows in the chunk (indexed or not)
    positions: np.ndarray  # chunk positions sorted by code (int64 when used as a sorter)
    codes: np.ndarray | None  # the sorted codes; None: the chunk's key column


def _search(
    keys: np.ndarray, codes: np.ndarray, sorter: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """searchsorted bounds of `codes` in `keys` (int32 or int64) through `sorter`, with the
    codes cast to the keys' type (casting the keys would copy them); a code outside that
    type's range matches nothing."""
    inside = None
    if keys.dtype != codes.dtype:
        info = np.iinfo(keys.dtype)
        inside = (codes >= info.min) & (codes <= info.max)
        codes = np.where(inside, codes, 0).astype(keys.dtype)
    lo = np.searchsorted(keys, codes, side="left", sorter=sorter)
    hi = np.searchsorted(keys, codes, side="right", sorter=sorter)
    return lo, (hi if inside is None else np.where(inside, hi, lo))


def _local(positions: np.ndarray) -> np.ndarray:
    return positions.astype(np.int32 if len(positions) < 2**31 else np.int64, copy=False)


class ChunkIndex:
    def __init__(self, store: RowStore, derive: Derive) -> None:
        self.store = store
        self.derive = derive
        self.runs: list[_Run] = []

    def appended(self, rows: int, positions: np.ndarray, codes: np.ndarray) -> None:
        """Follow a `store.append` of `rows` rows: index `positions` (of those rows) by `codes`.
        Called after every append that added rows, so that runs and chunks stay aligned."""
        self.runs.append(_Run(rows, positions.astype(np.int64), codes))
        last = len(self.store.chunks) - 1
        tail = self.runs[last:]
        chunk = self.store.chunks[last]
        derived = self.derive(chunk)
        keys, view = derived if derived is not None else (None, False)
        parts: list[np.ndarray] = []
        located: list[np.ndarray] = []
        offset = 0
        for run in tail:
            where = run.positions.astype(np.int64) + offset
            if run.codes is None:
                assert keys is not None  # a run without codes lies in a 64-bit key column
                parts.append(keys[where].astype(np.int64))
            else:
                parts.append(run.codes)
            located.append(where)
            offset += run.rows
        all_codes = np.concatenate(parts)
        order = np.argsort(all_codes, kind="stable")
        sorted_positions = np.concatenate(located)[order]
        if view and len(sorted_positions) == offset:
            run = _Run(offset, sorted_positions, None)  # searched through the chunk's column
        else:
            run = _Run(offset, _local(sorted_positions), all_codes[order])
        self.runs[last:] = [run]

    def lookup(self, codes: np.ndarray, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (position in `codes`, live row id) of every live row under each code, ordered
        by position, then id."""
        probes: list[np.ndarray] = []
        found: list[np.ndarray] = []
        for run, chunk, start in zip(self.runs, self.store.chunks, self.store.starts, strict=True):
            if run.codes is None:
                derived = self.derive(chunk)
                assert derived is not None
                lo, hi = _search(derived[0], codes, run.positions)
            else:
                lo = np.searchsorted(run.codes, codes, side="left")
                hi = np.searchsorted(run.codes, codes, side="right")
            counts = hi - lo
            total = int(counts.sum())
            if not total:
                continue
            pos = np.arange(total) - np.repeat(np.cumsum(counts) - counts - lo, counts)
            probes.append(np.repeat(np.arange(len(codes)), counts))
            found.append(run.positions[pos].astype(np.int64) + start)
        if not probes:
            return _NONE, _NONE
        probe = np.concatenate(probes)
        ids = np.concatenate(found)
        live = alive[ids]
        probe, ids = probe[live], ids[live]
        if len(probes) > 1:
            # runs are oldest first: a stable sort by position keeps ids increasing
            order = np.argsort(probe, kind="stable")
            probe, ids = probe[order], ids[order]
        return probe, ids

    def clear(self) -> None:
        self.runs = []

    def __len__(self) -> int:
        return sum(len(r.positions) for r in self.runs)

    @property
    def nbytes(self) -> int:
        return sum(
            r.positions.nbytes + (0 if r.codes is None else r.codes.nbytes) for r in self.runs
        )


_NONE = np.zeros(0, dtype=np.int64)
_NONE.setflags(write=False)
