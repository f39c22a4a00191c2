"""Columnar OVER aggregates (over_agg's state when every call is a ranking function, COUNT,
MIN/MAX of any type Arrow orders, or SUM/SUM0/AVG/STDDEV_*/VAR_* of an integer type; FILTER
allowed, DISTINCT not). Floating-point sums stay with the per-row accumulators: a prefix-sum
difference does not round as the sequential sum does. STDDEV/VAR take prefix sums of the values
and their squares as Python ints (exact, as the per-row accumulators' sums), the variance
(n Q - S^2) / (n (n - ddof)) rounded once.

Rows wait as Arrow batches until the watermark passes their time. A firing sorts the ready rows
by (partition slot, time, arrival) and gives every row its frame [start, end] in that order:
ROWS n PRECEDING starts n rows back, RANGE t PRECEDING at the partition's first row in range,
UNBOUNDED at its first row; a RANGE frame ends at the row's last peer (equal time), a ROWS frame
at the row itself. Counts and sums are prefix-sum differences; MIN/MAX work on the values' dense
ranks (a cumulative pick for unbounded frames, a sparse table for bounded ones). Bounded frames
keep the rows a later frame can reach (a partition's last n rows, or those within the interval
of the watermark) and sort them in front of the next firing's rows; unbounded frames keep per
partition slot the count, sum and extreme so far instead. Peers never span firings: a firing
takes every row up to the watermark, and a row at or behind it is late and never waits.

LAG(x, n, default) is the value n rows back in that order (the row-based meaning the batch
target's window function has; Flink gives peers of a RANGE frame one value); it keeps a
partition's last n rows as history too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.plan import nodes as n

from . import _columnar as col
from ._accumulators import STATS, AggFn
from ._partials import ddof_of, exact_variance, stat_column
from ._rows import epoch_ms_array
from ._slots import KeySlots
from ._slotvalues import SlotValues

RANKING = ("ROW_NUMBER", "RANK", "DENSE_RANK")
GROWTH = 1.25


def supports(
    fns: Sequence[AggFn], arg_types: Sequence[pa.DataType | None], lags: Mapping[int, int]
) -> bool:
    """Whether every call runs column-wise (LAG: only with its offset known, `lags`)."""
    for x, (fn, typ) in enumerate(zip(fns, arg_types, strict=True)):
        if fn.name in RANKING or x in lags:
            continue
        if fn.name in STATS and not fn.distinct and typ is not None and pa.types.is_integer(typ):
            continue
        if fn.distinct or fn.name not in col.COLUMNAR or len(fn.args) > 1:
            return False
        if typ is None:
            continue
        if not col.groupable(typ):
            return False
        if fn.name in col.SUMS and not pa.types.is_integer(typ):
            return False
    return True


def _firsts(slot: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
    """Per sorted row, whether it starts a partition (with `t`: a peer group)."""
    first = np.ones(len(slot), np.bool_)
    first[1:] = slot[1:] != slot[:-1]
    if t is not None:
        first[1:] |= t[1:] != t[:-1]
    return first


def _starts(first: np.ndarray) -> np.ndarray:
    """Per row, the index of the first row of its run (`first` marks run starts)."""
    return np.maximum.accumulate(np.where(first, np.arange(len(first)), 0))


def _ends(first: np.ndarray) -> np.ndarray:
    """Per row, the index of the last row of its run."""
    starts = np.flatnonzero(first)
    last = np.append(starts[1:] - 1, len(first) - 1)
    return last[np.cumsum(first) - 1]


def _dense_ranks(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Dense 0-based ranks of the non-NULL values (-1 for NULL), and rank -> value."""
    valid = np.asarray(values.is_valid())
    ranks = np.asarray(pc.rank(values, sort_keys="ascending", tiebreaker="dense"), np.int64) - 1
    ranks = np.where(valid, ranks, -1)
    lookup = np.zeros(int(ranks.max(initial=-1)) + 1, np.int64)
    lookup[ranks[valid]] = np.flatnonzero(valid)
    return ranks, values.take(pa.array(lookup))


def _running(ranks: np.ndarray, segment: np.ndarray, is_min: bool, none: int) -> np.ndarray:
    """The pick of ranks from each partition's first row up to every row: a cumulative
    max/min over (partition, rank) keys, where a later partition's keys dominate."""
    width = int(max(ranks.max(initial=0), none)) + 2
    segment = segment.astype(np.int64)
    if is_min:
        return np.minimum.accumulate(ranks - segment * width) + segment * width
    return np.maximum.accumulate(ranks + 1 + segment * width) - segment * width - 1


def _windowed(ranks: np.ndarray, start: np.ndarray, end: np.ndarray, pick: Any) -> np.ndarray:
    """pick(ranks[start..end]) per row, from a sparse table of power-of-two spans."""
    size = len(ranks)
    longest = int((end - start).max(initial=0)) + 1
    levels = [ranks]
    span = 1
    while span * 2 <= longest:
        prev = levels[-1]
        level = prev.copy()
        level[: size - span] = pick(prev[: size - span], prev[span:])
        levels.append(level)
        span *= 2
    table = np.stack(levels)
    k = np.log2(end - start + 1).astype(np.int64)
    return pick(table[k, start], table[k, end - (1 << k) + 1])


class OverColumns:
    def __init__(
        self,
        node: n.Over,
        fns: Sequence[AggFn],
        in_schema: pa.Schema,
        out_schema: pa.Schema,
        lags: Mapping[int, int],
    ) -> None:
        self.fns = tuple(fns)
        self.lags = dict(lags)  # LAG call -> rows back
        self.lag_rows = max(self.lags.values(), default=0)
        self.in_schema = in_schema
        self.out_schema = out_schema
        self.partition = node.partition
        self.time_col = node.order[0].index
        self.rows_mode = node.frame.mode.upper() == "ROWS"
        self.lower = node.frame.lower
        self.types = [out_schema.field(len(in_schema) + x).type for x in range(len(fns))]
        self.aggs = [x for x, fn in enumerate(fns) if fn.name not in RANKING and x not in lags]
        fields = [in_schema.field(i) for i in self.partition] or [pa.field("_all", pa.int8())]
        self.slots = KeySlots(pa.schema([(f"k{j}", f.type) for j, f in enumerate(fields)]))
        self.waiting: list[pa.RecordBatch] = []
        self.waiting_rows = 0
        # per partition slot: rows and distinct times so far (ranking); for unbounded frames
        # each call's count, sum and extreme so far
        self.totals = {"rows": np.zeros(0, np.int64), "times": np.zeros(0, np.int64)}
        self.extremes: dict[int, SlotValues] = {}
        if self.lower is None:
            for x in self.aggs:
                fn = fns[x]
                self.totals[f"c{x}"] = np.zeros(0, np.int64)
                if fn.name in col.SUMS:
                    self.totals[f"s{x}"] = np.zeros(0, np.int64)
                elif fn.name in STATS:  # the sum and the sum of squares, exact
                    self.totals[f"s{x}"] = np.zeros(0, object)
                    self.totals[f"q{x}"] = np.zeros(0, object)
                elif fn.name in ("MIN", "MAX"):
                    self.extremes[x] = SlotValues(in_schema.field(fn.args[0]).type)
        self.history = in_schema.empty_table()  # bounded frames: rows a later frame reaches

    # -- input and firing ----------------------------------------------------------------
    def add(self, batch: pa.RecordBatch) -> None:
        self.waiting.append(batch)
        self.waiting_rows += batch.num_rows

    def fire(self, watermark: int) -> pa.RecordBatch | None:
        """The rows up to the watermark, each with its aggregates (None when none is ready)."""
        if not self.waiting_rows:
            return None
        waiting = pa.Table.from_batches(self.waiting, self.in_schema)
        t, _ = epoch_ms_array(waiting.column(self.time_col))
        ready = t <= watermark
        if not ready.any():
            return None
        later = waiting.filter(pa.array(~ready))
        self.waiting = later.combine_chunks().to_batches() if later.num_rows else []
        self.waiting_rows = later.num_rows
        out = self._fire(waiting.filter(pa.array(ready)), t[ready], watermark)
        return out.combine_chunks().to_batches()[0] if out.num_rows else None

    def _slots_of(self, rows: pa.Table) -> np.ndarray:
        if not self.partition:
            slots = np.zeros(rows.num_rows, np.int64)
            if not self.slots.size:
                self.slots.slots(pa.table({"k0": pa.nulls(1, pa.int8())}))
            return slots
        keys = rows.select(list(self.partition)).rename_columns(self.slots.names)
        self.slots.slots(keys.group_by(self.slots.names, use_threads=False).aggregate([]))
        slots, _ = self.slots.slots(keys)  # every key has its slot now
        return slots

    def _grow(self) -> None:
        size = self.slots.size
        for name, array in self.totals.items():
            if len(array) < size:
                grown = np.zeros(max(size, int(len(array) * GROWTH)), array.dtype)
                grown[: len(array)] = array
                self.totals[name] = grown
        for values in self.extremes.values():
            values.grow(len(self.totals["rows"]))

    def _fire(self, ready: pa.Table, ready_t: np.ndarray, watermark: int) -> pa.Table:
        kept = self.history.num_rows
        rows = pa.concat_tables([self.history, ready]).combine_chunks() if kept else ready
        if kept:
            history_t, _ = epoch_ms_array(self.history.column(self.time_col))
            t = np.concatenate([history_t, ready_t])
        else:
            t = ready_t
        slot = self._slots_of(rows)
        self._grow()
        order = np.lexsort((np.arange(len(t)), t, slot))
        rows = rows.take(pa.array(order)).combine_chunks()
        t, slot = t[order], slot[order]
        fresh = order >= kept  # not a history row
        partition_first = _firsts(slot)
        peer_first = _firsts(slot, t)
        segment = np.cumsum(partition_first) - 1
        seg_start = _starts(partition_first)
        last = np.append(np.flatnonzero(partition_first)[1:] - 1, len(t) - 1)
        index = np.arange(len(t))
        end = index if self.rows_mode else _ends(peer_first)
        if self.lower is None:  # the totals stand for the history rows (LAG's) already
            start = _starts(fresh & (partition_first | np.r_[True, ~fresh[:-1]]))
        elif self.rows_mode:
            start = np.maximum(seg_start, index - self.lower)
        else:
            start = self._range_starts(slot, t, seg_start)
        batch = rows.to_batches()[0]
        inputs = col.inputs(batch, self.fns)
        partials: dict[str, pa.Array] = {}
        frame = (start, end, last[fresh[last]])  # totals advance past fresh rows only
        plain = [x for x in self.aggs if self.fns[x].name not in STATS]
        for j, x in enumerate(plain):
            self._partials(j, x, inputs[f"a{x}"], slot, segment, frame, partials)
        stats = {
            x: self._stat(x, inputs[f"a{x}"], slot, frame)
            for x in self.aggs
            if self.fns[x].name in STATS
        }
        ranking = self._ranking(slot, seg_start, peer_first, fresh, last)
        results = iter(
            col.results(
                [self.fns[x] for x in plain],
                pa.table(partials) if partials else pa.table({}),
                [self.types[x] for x in plain],
            )
        )
        columns = list(rows.columns)
        for x, fn in enumerate(self.fns):
            if fn.name in RANKING:
                columns.append(pa.array(ranking[fn.name], self.types[x]))
            elif x in self.lags:
                columns.append(self._lag(x, rows, index, seg_start))
            elif x in stats:
                columns.append(stats[x])
            else:
                columns.append(next(results))
        out = pa.Table.from_arrays(columns, schema=self.out_schema)
        if self.lower is not None or self.lag_rows:
            self._keep(rows, t, index, partition_first, watermark)
        return out.filter(pa.array(fresh)) if kept else out

    def _range_starts(self, slot: np.ndarray, t: np.ndarray, seg_start: np.ndarray) -> np.ndarray:
        """Per row, its partition's first row with time >= its time - lower: a search over
        (slot, time) keys, which the sort ordered."""
        assert self.lower is not None
        low = int(t.min())
        span = int(t.max()) - low + 1
        if int(slot.max()) * span >= 2**62:  # (slot, time) keys would overflow: per partition
            starts = np.flatnonzero(seg_start == np.arange(len(t)))
            stops = np.append(starts[1:], len(t))
            return np.concatenate(
                [
                    a + np.searchsorted(t[a:b], t[a:b] - self.lower, side="left")
                    for a, b in zip(starts, stops, strict=True)
                ]
            )
        base = slot.astype(np.int64) * span
        keys = base + (t - low)
        found = np.searchsorted(keys, base + np.maximum(t - self.lower - low, 0), side="left")
        return np.maximum(found, seg_start)

    def _partials(
        self,
        j: int,
        x: int,
        value: pa.Array,
        slot: np.ndarray,
        segment: np.ndarray,
        frame: tuple[np.ndarray, np.ndarray, np.ndarray],
        out: dict[str, pa.Array],
    ) -> None:
        """Call x's partial columns (named by its position j among the aggregates) for every
        row's frame [start, end]; unbounded frames add the partition's totals, and advance
        them to those of its `last` row."""
        fn = self.fns[x]
        start, end, last = frame
        carried = self.lower is None
        counted = np.asarray(value, np.int64) if not fn.args else np.asarray(value.is_valid())
        prefix = np.concatenate([[0], np.cumsum(counted, dtype=np.int64)])
        count = prefix[end + 1] - prefix[start]
        if carried:
            count = count + self.totals[f"c{x}"][slot]
        out[f"c{j}"] = pa.array(count)
        if fn.name in col.SUMS:
            numbers = np.asarray(pc.fill_null(pc.cast(value, pa.int64()), 0), np.int64)
            sums = np.concatenate([[0], np.cumsum(numbers)])
            total = sums[end + 1] - sums[start]
            if carried:
                total = total + self.totals[f"s{x}"][slot]
            out[f"s{j}"] = pa.array(total)
        elif fn.name in ("MIN", "MAX"):
            out[f"m{j}"] = self._extreme(x, value, slot, segment, start, end)
        if carried:
            self.totals[f"c{x}"][slot[last]] = count[last]
            if fn.name in col.SUMS:
                self.totals[f"s{x}"][slot[last]] = total[last]
            elif fn.name in ("MIN", "MAX"):
                self.extremes[x].set(slot[last], out[f"m{j}"].take(pa.array(last)))

    def _stat(
        self,
        x: int,
        value: pa.Array,
        slot: np.ndarray,
        frame: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> pa.Array:
        """STDDEV_*/VAR_* of every row's frame from prefix sums of the count, the values and
        their squares (Python ints: exact); unbounded frames add the partition's totals and
        advance them."""
        start, end, last = frame
        numbers = np.asarray(pc.fill_null(pc.cast(value, pa.int64()), 0), np.int64).astype(object)
        sums: dict[str, np.ndarray] = {}
        counted = np.asarray(value.is_valid()).astype(np.int64)
        for part, values in (("c", counted), ("s", numbers), ("q", numbers * numbers)):
            prefix = np.concatenate([np.zeros(1, values.dtype), np.cumsum(values)])
            total = prefix[end + 1] - prefix[start]
            if self.lower is None:
                total = total + self.totals[f"{part}{x}"][slot]
                self.totals[f"{part}{x}"][slot[last]] = total[last]
            sums[part] = total
        fn = self.fns[x]
        n = sums["c"]
        var = exact_variance(n, ddof_of(fn), sums["s"], sums["q"], 0)
        return stat_column(fn, n, var, self.types[x])

    def _lag(self, x: int, rows: pa.Table, index: np.ndarray, seg_start: np.ndarray) -> pa.Array:
        """LAG(value, n[, default]): the value n rows back in the partition, else the default
        (NULL without one)."""
        fn = self.fns[x]
        back = index - self.lags[x]
        found = back >= seg_start
        typ = self.types[x]
        value = rows.column(fn.args[0]).combine_chunks()
        taken = value.take(pa.array(np.where(found, back, 0))).cast(typ)
        if len(fn.args) > 2:
            fallback = rows.column(fn.args[2]).combine_chunks().cast(typ)
        else:
            fallback = pa.nulls(len(index), typ)
        return pc.if_else(pa.array(found), taken, fallback)

    def _extreme(
        self,
        x: int,
        value: pa.Array,
        slot: np.ndarray,
        segment: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
    ) -> pa.Array:
        size = len(value)
        carried = self.extremes.get(x)
        pool = pa.concat_arrays([value, carried.get(slot)]) if carried is not None else value
        ranks, by_rank = _dense_ranks(pool)
        is_min = self.fns[x].name == "MIN"
        pick = np.minimum if is_min else np.maximum
        none = len(by_rank) if is_min else -1  # beyond every rank
        own = np.where(ranks[:size] < 0, none, ranks[:size])
        if carried is not None:
            best = _running(own, segment, is_min, none)[end]
            before = ranks[size:]
            best = pick(best, np.where(before < 0, none, before))
        else:
            best = _windowed(own, start, end, pick)
        found = best != none
        taken = by_rank.take(pa.array(np.where(found, best, 0)))
        return pc.if_else(pa.array(found), taken, pa.scalar(None, value.type))

    def _ranking(
        self,
        slot: np.ndarray,
        seg_start: np.ndarray,
        peer_first: np.ndarray,
        fresh: np.ndarray,
        last: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """ROW_NUMBER, RANK and DENSE_RANK of the fresh rows (history rows are dropped), and
        each partition's rows and distinct times advanced past them."""
        prefix = np.concatenate([[0], np.cumsum(fresh, dtype=np.int64)])
        position = prefix[1:] - prefix[seg_start]  # fresh rows so far in the partition
        new_time = peer_first & fresh
        times = np.concatenate([[0], np.cumsum(new_time, dtype=np.int64)])
        dense = times[1:] - times[seg_start]
        rows_before = self.totals["rows"][slot]
        times_before = self.totals["times"][slot]
        ranking = {
            "ROW_NUMBER": rows_before + position,
            "RANK": rows_before + position[_starts(peer_first)],
            "DENSE_RANK": times_before + dense,
        }
        self.totals["rows"][slot[last]] = ranking["ROW_NUMBER"][last]
        self.totals["times"][slot[last]] = ranking["DENSE_RANK"][last]
        return ranking

    def _keep(
        self,
        rows: pa.Table,
        t: np.ndarray,
        index: np.ndarray,
        partition_first: np.ndarray,
        watermark: int,
    ) -> None:
        """The rows a later row can reach: a partition's last `lower` rows (ROWS) or those
        within `lower` of the next possible time (RANGE), and its last rows for LAG."""
        ends = _ends(partition_first)
        keep = index > ends - self.lag_rows
        if self.lower is not None and self.rows_mode:
            keep |= index > ends - self.lower
        elif self.lower is not None:
            keep |= t >= min(watermark + 1 - self.lower, np.iinfo(np.int64).max)
        self.history = rows.filter(pa.array(keep)).select(list(range(len(self.in_schema))))

    # -- state ---------------------------------------------------------------------------
    def rows(self) -> int:
        return self.waiting_rows + self.history.num_rows

    def nbytes(self) -> int:
        waiting = sum(b.nbytes for b in self.waiting)
        totals = sum(a.nbytes for a in self.totals.values())
        extremes = sum(v.nbytes for v in self.extremes.values())
        return waiting + self.history.nbytes + self.slots.nbytes + totals + extremes

    def kept_arrow_bytes(self) -> int:
        """The Arrow size of what the state stands for: the waiting and history rows, and per
        partition its key and its totals (8 bytes each) and extremes."""
        size = self.slots.size
        waiting = sum(b.nbytes for b in self.waiting)
        totals = 8 * size * len(self.totals)
        extremes = sum(v.get(np.arange(size)).nbytes for v in self.extremes.values())
        return waiting + self.history.nbytes + self.slots.keys.nbytes + totals + extremes

    def snapshot(self) -> dict[str, Any]:
        size = self.slots.size
        return {
            "waiting": pa.Table.from_batches(self.waiting, self.in_schema),
            "history": self.history,
            "keys": self.slots.keys,
            "totals": {k: a[:size].copy() for k, a in self.totals.items()},
            "extremes": {x: v.get(np.arange(size)) for x, v in self.extremes.items()},
        }

    def restore(self, state: dict[str, Any]) -> None:
        waiting: pa.Table = state["waiting"]
        self.waiting = waiting.combine_chunks().to_batches() if waiting.num_rows else []
        self.waiting_rows = waiting.num_rows
        self.history = state["history"]
        self.slots.reset(state["keys"])
        self.totals = {  # STDDEV/VAR sums: Python ints
            k: np.array(a, object if a.dtype == object else np.int64)
            for k, a in state["totals"].items()
        }
        for x, values in state["extremes"].items():
            self.extremes[x].restore(values)
