"""The multiset of one aggregate's values per group, columnar (group_agg's DISTINCT aggregates
and MIN/MAX under retraction): (group slot, value) pairs get dense numbers from a `KeySlots`,
with a multiplicity each in a numpy array. A value is present in its group while its
multiplicity is positive; `apply` reports the pairs whose presence changed, from which the
caller updates distinct counts and sums; `extremes` recomputes MIN/MAX of chosen groups from the
present pairs. Pairs no longer present compact away once they reach an eighth of the present
ones (a retracting MIN/MAX input replaces values all the time, so a looser bound would let
dead pairs dominate the state).

Per pair: the group slot as int32 (2**31 groups would take tens of GB of state), the value, and
an int32 multiplicity, widened to int64 only when a multiplicity outgrows it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import _columnar as col
from ._slots import KeySlots

MIN_COMPACT = 256
DEAD_SHARE = 8  # dead pairs compact away at 1/8 of the present ones
_INT32 = np.iinfo(np.int32).max


class ValueCounts:
    def __init__(self, typ: pa.DataType) -> None:
        self.pairs = KeySlots(pa.schema([("slot", pa.int32()), ("value", typ)]))
        self.count = np.zeros(0, np.int32)
        self.present = 0

    def apply(
        self, slots: np.ndarray, values: pa.Array, sign: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, pa.Array]:
        """Fold in signed values of the groups `slots` (NULLs do not count); the pairs whose
        presence changed: (group slot, +1 present now / -1 gone, value)."""
        group = pa.array(slots.astype(np.int32, copy=False))
        table = pa.table({"k0": group, "k1": values, "sign": pa.array(sign)})
        if values.null_count:
            table = table.filter(pc.is_valid(values))
        net = col.group(table, ["k0", "k1"], [("sign", "sum", "sign")])
        pairs, _ = self.pairs.slots(net.select(["k0", "k1"]))
        if len(self.count) < self.pairs.size:
            grown = np.zeros(max(self.pairs.size, int(len(self.count) * 1.25)), self.count.dtype)
            grown[: len(self.count)] = self.count
            self.count = grown
        old = self.count[pairs]
        # a value retracted more often than it came (state lost) is just absent
        new = np.maximum(old + np.asarray(net.column("sign"), np.int64), 0)
        if self.count.dtype == np.int32 and len(new) and new.max() > _INT32:
            self.count = self.count.astype(np.int64)
        self.count[pairs] = new
        change = (new > 0).astype(np.int64) - (old > 0)
        self.present += int(change.sum())
        moved = np.flatnonzero(change)
        group = np.asarray(net.column("k0"))[moved]
        return group, change[moved], net.column("k1").take(pa.array(moved))

    def extremes(
        self, slots: np.ndarray, names: Sequence[str]
    ) -> tuple[np.ndarray, list[pa.Array]]:
        """(group slot, per name its MIN or MAX present value) for those of `slots` with a
        value: one pass over the pairs and one hash aggregate for every name."""
        keys = self.pairs.keys
        live = self.count[: self.pairs.size] > 0
        chosen = np.isin(np.asarray(keys.column("k0")), slots) & live
        table = keys.filter(pa.array(chosen))
        aggs = [("k1", name.lower(), f"m{j}") for j, name in enumerate(names)]
        best = col.group(table, ["k0"], aggs)
        tops = [best.column(f"m{j}").combine_chunks() for j in range(len(names))]
        return np.asarray(best.column("k0")), tops

    def forget(self, slots: np.ndarray) -> None:
        """Groups that died: none of their values is present any more."""
        gone = np.isin(np.asarray(self.pairs.keys.column("k0")), slots)
        gone &= self.count[: self.pairs.size] > 0
        self.present -= int(np.count_nonzero(gone))
        self.count[: self.pairs.size][gone] = 0

    def remap(self, slots: np.ndarray) -> None:
        """Group slots renumbered (old slot -> new); absent pairs go."""
        state = self.snapshot(slots)
        self.restore(state)

    def maybe_compact(self, slots: int) -> None:
        if self.pairs.size - self.present > max(MIN_COMPACT, self.present // DEAD_SHARE):
            self.remap(np.arange(slots))

    def kept_arrow_bytes(self) -> int:
        """The Arrow size of the present values with their multiplicities."""
        live = np.flatnonzero(self.count[: self.pairs.size] > 0)
        return self.pairs.keys.column("k1").take(pa.array(live)).nbytes + 8 * len(live)

    @property
    def nbytes(self) -> int:
        return self.pairs.nbytes + self.count.nbytes

    def snapshot(self, slots: np.ndarray) -> dict[str, Any]:
        """The present pairs, their groups renumbered by `slots` (old -> new)."""
        keys = self.pairs.keys
        live = np.flatnonzero(self.count[: self.pairs.size] > 0)
        old = np.asarray(keys.column("k0"))[live]
        group = pa.array(slots[old].astype(np.int32))
        pairs = pa.table({"k0": group, "k1": keys.column("k1").take(live)})
        return {"pairs": pairs, "count": self.count[live]}

    def restore(self, state: dict[str, Any]) -> None:
        self.pairs.reset(state["pairs"])
        count = np.asarray(state["count"], np.int64)
        wide = len(count) and count.max() > _INT32
        self.count = count.astype(np.int64 if wide else np.int32)
        self.present = len(self.count)
