"""Group keys -> dense slot numbers without a Python object per key (group_agg's columnar state).

The keys live in Arrow, in slot order. The index is sorted numpy arrays of 64-bit key codes
(`_keys.KeyCoder`: one integer column is its own code, other keys a numpy hash) with the slot
beside each: a large run and a small one
that new keys are sorted into, merged into the large one when it reaches an eighth of it. A
lookup is one `searchsorted` per run for a whole batch, then a check that the keys are equal
(none for a key column its own code while no key was stored under another code).
Two different keys with one hash are told apart by probing: a key whose hash is taken by
another key is stored under the next free code (code + 1, + 2, ...), and lookups follow the
same chain, so a collision costs a loop, never a wrong group. Codes live in memory only: a
restore recodes the keys.

A key of one 32- or 64-bit integer column is its own code, so the large run stores no codes
when its keys hold no NULL: the merge makes the keys one chunk and the run is that chunk's
positions in key order, which numpy searches the key column's buffer through (as `_keyindex`
does for row stores): 8 bytes per key instead of 12. Such a run merges in linear time, so it
takes the small run in from 64 keys on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ._keys import NULL_EXACT, KeyCoder, rows_equal

# (sorted hashes, slots in that order); hashes None: the first key chunk's values, the slots
# (int64, a searchsorted sorter) in their signed order
Run = tuple[np.ndarray | None, np.ndarray]
_EMPTY: Run = (np.zeros(0, np.uint64), np.zeros(0, np.int32))  # slots int32 while they fit
MIN_MERGE = 4096
MIN_MERGE_EXACT = 64  # merging into a code-less run frees the delta's codes, in linear time
MAX_CHUNKS = 64
_NULL_CODE = np.int64(NULL_EXACT).view(np.uint64)


class KeySlots:
    def __init__(self, schema: pa.Schema) -> None:
        assert len(schema), "a global aggregate groups by a constant column"
        self.names = [f"k{j}" for j in range(len(schema))]
        self.empty = schema.empty_table().rename_columns(self.names)
        self.keys = self.empty  # chunked: a chunk per batch of new keys, combined now and then
        self.base, self.delta = _EMPTY, _EMPTY
        self.probed = False  # a key stored under another code than its own
        self.coder = KeyCoder(schema.types)
        typ = schema.types[0]
        self.exact: Any = None  # the numpy type of a key column its own code
        if len(schema) == 1 and (pa.types.is_int64(typ) or pa.types.is_int32(typ)):
            self.exact = np.int64 if pa.types.is_int64(typ) else np.int32

    @property
    def size(self) -> int:
        return self.keys.num_rows

    def hashes(self, keys: pa.Table) -> np.ndarray:
        columns = [c.combine_chunks() for c in keys.columns]
        codes, _ = self.coder.codes(columns, keys.num_rows)
        return codes.view(np.uint64).copy()  # writable (probing), wrapping at the top

    def slots(self, keys: pa.Table) -> tuple[np.ndarray, np.ndarray]:
        """The slot of each of `keys` (distinct keys, columns in key order), new keys getting
        new slots; and which of them are new."""
        keys = keys.rename_columns(self.names)
        if keys.schema != self.empty.schema:  # a cast costs more than a small batch's lookup
            keys = keys.cast(self.empty.schema)
        h = self.hashes(keys)
        if self._trusted(h):
            out, todo = self._find(h), np.zeros(0, np.int64)
        else:
            out, todo = np.full(len(h), -1, np.int64), np.arange(len(h))
        while len(todo):
            found = self._find(h[todo])
            hit = found >= 0
            cand, at = todo[hit], found[hit]
            mine = [c.combine_chunks() for c in keys.take(cand).columns]
            stored = [c.combine_chunks() for c in self.keys.take(at).columns]
            same = rows_equal(mine, stored, len(cand))
            out[cand[same]] = at[same]
            todo = cand[~same]
            h[todo] += np.uint64(1)  # taken by another key: probe on
            self.probed |= bool(len(todo))  # (a new key among them is stored so)
        new = out < 0
        if new.any():
            out[new] = self._add(keys.filter(pa.array(new)), h[new])
        return out, new

    def _trusted(self, h: np.ndarray) -> bool:
        """Whether a code hit is the key itself, needing no comparison: a key column its own
        code (equal codes only for equal keys, but NULL's is the least int64's too) while no
        key was stored under a probed code, and no code looked up is NULL's."""
        return self.coder.exact and not self.probed and not (h == _NULL_CODE).any()

    def _find(self, h: np.ndarray) -> np.ndarray:
        # sorted needles: numpy's binary searches then narrow from the previous hit, 2-4x
        # faster on a large index (its random reads dominate)
        order = np.argsort(h)
        h = h[order]
        found = np.full(len(h), -1, np.int64)
        for hashes, slots in (self.base, self.delta):
            if not len(slots):
                continue
            if hashes is None:
                keys = self._flat(len(slots))
                info = np.iinfo(keys.dtype)  # a code outside an int32 key's range: no key
                code = h.view(np.int64)
                inside = (code >= info.min) & (code <= info.max)
                code = np.where(inside, code, 0).astype(keys.dtype, copy=False)
                at = slots[np.minimum(np.searchsorted(keys, code, sorter=slots), len(slots) - 1)]
                hit = inside & (keys[at] == code)
                found[hit] = at[hit]
                continue
            pos = np.minimum(np.searchsorted(hashes, h), len(hashes) - 1)
            hit = hashes[pos] == h
            found[hit] = slots[pos[hit]]
        out = np.empty_like(found)
        out[order] = found
        return out

    def _add(self, keys: pa.Table, h: np.ndarray) -> np.ndarray:
        """Store new keys (their hashes free in the index) under hashes distinct among them."""
        while True:
            order = np.argsort(h, kind="stable")
            clash = np.zeros(len(h), bool)
            clash[order[1:]] = h[order[1:]] == h[order[:-1]]
            clash |= self._find(h) >= 0
            if not clash.any():
                break
            h[clash] += np.uint64(1)
            self.probed = True
        top = self.size + len(h)
        slots = np.arange(self.size, top, dtype=np.int32 if top < 2**31 else np.int64)
        self.keys = pa.concat_tables([self.keys, keys])
        if self.keys.column(0).num_chunks > MAX_CHUNKS:
            self.keys = self.keys.combine_chunks()
        self._index(h, slots)
        return slots

    def _flat(self, n: int) -> np.ndarray:
        """The first `n` keys of an exact key column (its first chunk's buffer, no copy)."""
        chunk = self.keys.column(0).chunk(0)
        size = np.dtype(self.exact).itemsize
        return np.frombuffer(chunk.buffers()[1], self.exact, n, chunk.offset * size)

    def _codes(self, run: Run) -> np.ndarray:
        hashes, slots = run
        if hashes is not None:
            return hashes
        return self._flat(len(slots))[slots].astype(np.int64).view(np.uint64)

    def _index(self, h: np.ndarray, slots: np.ndarray) -> None:
        hashes = np.concatenate([self._codes(self.delta), h])
        order = np.argsort(hashes, kind="stable")
        self.delta = (hashes[order], np.concatenate([self.delta[1], slots])[order])
        least = MIN_MERGE if self.exact is None else MIN_MERGE_EXACT
        if len(self.delta[1]) < max(least, len(self.base[1]) // 8):
            return
        if self.exact is not None:
            self.keys = self.keys.combine_chunks()
            if not self.keys.column(0).null_count:  # every key is its own code
                base = self._flat(self.size)[self.base[1]].astype(np.int64)
                values = np.concatenate([base, self.delta[0].view(np.int64)])
                # sorted runs: the stable sort merges them in linear time
                order = np.argsort(values, kind="stable")
                slots = np.concatenate([self.base[1], self.delta[1]])[order]
                self.base = (None, slots.astype(np.int64, copy=False))
                self.delta = _EMPTY
                return
        hashes = np.concatenate([self._codes(self.base), self.delta[0]])
        order = np.argsort(hashes, kind="stable")
        self.base = (hashes[order], np.concatenate([self.base[1], self.delta[1]])[order])
        self.delta = _EMPTY

    def reset(self, keys: pa.Table) -> None:
        """Hold exactly `keys` (distinct): slot i = row i (cast: a checkpoint written before
        the value stores' group column became int32 holds int64 slots)."""
        self.keys, self.base, self.delta = self.empty, _EMPTY, _EMPTY
        self.probed = False
        if keys.num_rows:
            keys = keys.rename_columns(self.names).cast(self.empty.schema).combine_chunks()
            self._add(keys, self.hashes(keys))

    @property
    def nbytes(self) -> int:
        runs = sum(a.nbytes for run in (self.base, self.delta) for a in run if a is not None)
        return self.keys.nbytes + runs
