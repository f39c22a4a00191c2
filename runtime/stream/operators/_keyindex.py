"""Key code -> row ids of a RowStore, as sorted numpy runs (no Python object per key or row).

Each `add` (one batch of rows) becomes a run: its codes sorted, with the row ids beside them
(int32 while ids fit, int64 beyond). Runs merge like a binary counter (a new run merges with the
previous one while that one is at most twice its size), so an index holds O(log n) runs and an
entry is re-sorted O(log n) times. A lookup is one vectorized `searchsorted` per run for a whole
batch of codes. Ids are added in increasing order, and a run's sort is stable, so the ids of one
code come back in insertion (arrival) order.

Entries are never removed one by one: an entry of a dead row stays until the store compacts and
`remap` drops it (a compaction's remap keeps id order, so runs stay sorted), and lookups skip
dead rows through the store's `alive` mask. The index holds no state of its own beyond what the
stored rows determine, so checkpoints keep only the rows and rebuild it.
"""

from __future__ import annotations

import numpy as np

_I32_MAX = 2**31 - 1


def _ids(ids: np.ndarray) -> np.ndarray:
    small = not len(ids) or int(ids.max()) <= _I32_MAX
    return ids.astype(np.int32 if small else np.int64, copy=False)


class HashIndex:
    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted codes, ids)

    def add(self, codes: np.ndarray, ids: np.ndarray) -> None:
        """Index rows `ids` (increasing, above every id already indexed) under `codes`."""
        if not len(codes):
            return
        order = np.argsort(codes, kind="stable")
        self._push(codes[order], _ids(np.asarray(ids)[order]))

    def lookup(self, codes: np.ndarray, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (position in `codes`, live row id) of every live row under each code, ordered
        by position, then id."""
        probes: list[np.ndarray] = []
        found: list[np.ndarray] = []
        for run_codes, run_ids in self.runs:
            lo = np.searchsorted(run_codes, codes, side="left")
            hi = np.searchsorted(run_codes, codes, side="right")
            counts = hi - lo
            total = int(counts.sum())
            if not total:
                continue
            probe = np.repeat(np.arange(len(codes)), counts)
            starts = np.cumsum(counts) - counts
            pos = np.arange(total) - np.repeat(starts - lo, counts)
            probes.append(probe)
            found.append(run_ids[pos].astype(np.int64))
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

    def remap(self, remap: np.ndarray) -> None:
        """Follow a compaction: old id -> new id, entries of dropped rows (-1) removed."""
        runs = []
        for codes, ids in self.runs:
            new = remap[ids]
            keep = new >= 0
            if keep.any():
                runs.append((codes[keep], _ids(new[keep])))
        self.runs = []
        for codes, ids in runs:  # re-add so that shrunken runs merge again
            self._push(codes, ids)

    def _push(self, codes: np.ndarray, ids: np.ndarray) -> None:
        self.runs.append((codes, ids))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            new_codes, new_ids = self.runs.pop()
            old_codes, old_ids = self.runs[-1]
            codes_all = np.concatenate([old_codes, new_codes])
            order = np.argsort(codes_all, kind="stable")
            self.runs[-1] = (codes_all[order], _ids(np.concatenate([old_ids, new_ids])[order]))

    def clear(self) -> None:
        self.runs = []

    def __len__(self) -> int:
        return sum(len(c) for c, _ in self.runs)

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes + i.nbytes for c, i in self.runs)


_NONE = np.zeros(0, dtype=np.int64)
_NONE.setflags(write=False)
