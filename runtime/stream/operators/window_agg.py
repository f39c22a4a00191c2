"""window_agg: TUMBLE/HOP/CUMULATE/SESSION window aggregation on event time.

Aligned windows: each row goes to exactly one slice (TUMBLE: the window; HOP: gcd(size, slide);
CUMULATE: the step), where it updates per-key accumulators. When the watermark reaches a
window's end - 1 ms the window fires: its slices' accumulators merge per key and one row per key
is emitted (insert-only); a slice is dropped once the last window that needs it has fired. A row
whose slice already fired is late: dropped and counted. When every aggregate has partials in
`_slices` (COUNT, SUM, AVG, MIN, MAX, DISTINCT too; STDDEV/VAR, FIRST/LAST_VALUE, LISTAGG with
one separator, ARRAY_AGG) the slices are Arrow tables of partials and distinct values and
windows fire column by column; otherwise (COLLECT, DISTINCT STDDEV/VAR/LISTAGG/ARRAY_AGG,
DECIMAL FIRST/LAST_VALUE, ...) per-key Python accumulators, row by row.

PROCTIME() windows (processing time): each row belongs to the windows of the clock's time when
it is processed (`Env.clock`; the column's value is not read), and a window fires once the
clock has passed its end (on the next batch or the executor's processing-time tick), or at the
end of input. Nothing is late in processing time. A processing-time SESSION closes once the
clock is a gap past its last row, as in Flink.

SESSION: rows wait (in an Arrow-backed RowStore, `_sessions`) until the watermark passes their
session's end (last row + gap; sessions per partition, the TVF's PARTITION BY), then each closed
session emits one row per group key (aggregated column by column when `_slices` can).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import MAX_WATERMARK, Output
from ._accumulators import add, agg_fns, merge, new_acc, result
from ._base import BaseOperator
from ._columnar import groupable
from ._duck import DEFAULT_ENV, Env
from ._partials import listagg_separators
from ._rows import Row, arrow_schema, epoch_ms, rows_of, to_batch
from ._sessions import Sessions
from ._sizing import arrow_size, deep_size
from ._slices import ColumnarSlices, Partials, supports
from ._windows import last_use, slice_end, window_ends_of_slice, window_start
from .window_tvf import ms_array

Key = tuple[Any, ...]
SESSION = "_session"


class WindowAgg(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.WindowAggregate)
        self.proctime = bool(spec.params.get("proctime"))
        self.clock = env.clock
        self.node = node
        self.window = node.window
        types = [f.type for f in node.input.schema.fields]
        self.in_schema = arrow_schema(node.input.schema)
        self.fns = agg_fns(node.aggs, types, retracting=False)  # windows read insert-only input
        self.watermark = -(2**63)
        arg_types = [self.in_schema.field(fn.args[0]).type if fn.args else None for fn in self.fns]
        self.keys = [f"k{j}" for j in range(len(node.group))]
        self.session = self.window.kind is n.WindowKind.SESSION
        # slices keep DISTINCT aggregates' values; closing sessions aggregate in one pass
        separators = listagg_separators(node)
        self.by_columns = supports(self.fns, arg_types, separators, not self.session) and all(
            groupable(self.in_schema.field(i).type) for i in node.group
        )
        # session: the waiting rows
        self.sessions = Sessions(self.window, self.in_schema) if self.session else None
        # aligned, columnar: Arrow partials per slice; else slice end -> key -> accumulators
        self.partials: Partials | None = None
        self.columnar: ColumnarSlices | None = None
        if self.by_columns:
            self.partials = Partials(self.fns, arg_types, separators)
            if not self.session:
                self.columnar = ColumnarSlices(node.group, self.partials, self.window, arg_types)
        self.slices: dict[int, dict[Key, list[list[Any]]]] = {}
        self.pending: set[int] = set()  # window ends not fired yet

    def _at_processing_time(
        self, batch: pa.RecordBatch
    ) -> tuple[pa.RecordBatch, list[pa.RecordBatch]]:
        """Fire the windows the clock has passed; the batch with its time column set to now."""
        now = self.clock()
        out: list[pa.RecordBatch] = []
        if now - 1 > self.watermark:
            self.watermark = now - 1
            out = self._fire()
        col = self.window.time_col
        typ = batch.schema.field(col).type
        times = pa.array([now] * batch.num_rows, pa.int64()).cast(pa.timestamp("ms"))
        times = times.cast(typ, safe=False) if times.type != typ else times
        return batch.set_column(col, batch.schema.field(col), times), out

    def on_processing_time(self, now: int) -> Output:
        if not self.proctime:
            return Output([])  # event-time windows fire on watermarks only, never on the clock
        if now - 1 <= self.watermark:
            return Output([])
        self.watermark = now - 1
        return self.emit(self._fire())

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        if self.proctime:
            batch, fired = self._at_processing_time(batch)
            self._process(batch)  # aggregation never emits: windows fire on time
            return self.emit(fired)
        return self._process(batch)

    def _process(self, batch: pa.RecordBatch) -> Output:
        self.records_in += batch.num_rows
        if self.sessions is not None:
            self.late_records_dropped += self.sessions.add(batch, self.watermark)
            return self.emit([])
        if self.columnar is not None:
            late, created = self.columnar.add(batch, self.watermark)
            self.late_records_dropped += late
            for end in created:
                self.pending.update(window_ends_of_slice(end, self.window))
            return self.emit([])
        times = epoch_ms(batch.column(self.window.time_col))
        wm = self.watermark
        _, rows = rows_of(batch)
        group = self.node.group
        fns = self.fns
        for t, row in zip(times, rows, strict=True):
            if t is None:
                continue
            end = slice_end(t, self.window)
            if end - 1 <= wm:
                self.late_records_dropped += 1
                continue
            by_key = self.slices.get(end)
            if by_key is None:
                by_key = self.slices[end] = {}
                self.pending.update(window_ends_of_slice(end, self.window))
            key = tuple(row[i] for i in group)
            accs = by_key.get(key)
            if accs is None:
                accs = by_key[key] = [new_acc() for _ in fns]
            for fn, acc in zip(fns, accs, strict=True):
                add(fn, acc, row, 1)
        return self.emit([])

    def on_watermark(self, watermark: int) -> Output:
        if self.proctime and watermark < MAX_WATERMARK:
            return Output([], watermark)  # event time does not fire processing-time windows
        self.watermark = max(self.watermark, watermark)
        return self.emit(self._fire(), watermark)

    def _fire(self) -> list[pa.RecordBatch]:
        """The windows (or sessions) the watermark has passed."""
        if self.sessions is not None:
            return self._fire_sessions()
        if self.columnar is not None:
            return self._fire_columnar()
        out: list[Row] = []
        self._fire_aligned(out)
        return [to_batch(self.out_schema, out)] if out else []

    def _row(self, key: Key, accs: list[list[Any]], start: int, end: int) -> Row:
        props = {"window_start": start, "window_end": end, "window_time": end - 1}
        values = [result(fn, acc) for fn, acc in zip(self.fns, accs, strict=True)]
        return (*key, *values, *(props[p] for p in self.node.properties))

    def _fire_columnar(self) -> list[pa.RecordBatch]:
        assert self.columnar is not None
        wm = self.watermark
        out: list[pa.RecordBatch] = []
        for end in sorted(e for e in self.pending if e - 1 <= wm):
            self.pending.discard(end)
            start = window_start(end, self.window)
            merged = self.columnar.of_window(start, end)
            if merged is not None:
                out.append(self._columnar_batch(merged, start, end))
        for s_end in self.columnar.ends():
            if last_use(s_end, self.window) - 1 <= wm:
                self.columnar.drop(s_end)
        return out

    def _columnar_batch(
        self, merged: pa.Table, start: int | np.ndarray, end: int | np.ndarray
    ) -> pa.RecordBatch:
        """One output row per key of merged partials, in the output schema; the window bounds
        one for all rows or one per row."""
        schema = self.out_schema
        width = len(self.node.group)
        keys = [merged.column(k).combine_chunks() for k in self.keys]
        types = [schema.field(width + x).type for x in range(len(self.fns))]
        assert self.partials is not None
        values = self.partials.results(merged, types)
        props = {"window_start": start, "window_end": end, "window_time": end - 1}
        count = merged.num_rows
        arrays = [*keys, *values]
        for i, p in enumerate(self.node.properties, start=width + len(values)):
            arrays.append(ms_array(np.broadcast_to(props[p], count), schema.field(i).type))
        arrays = [
            a if a.type == f.type else a.cast(f.type) for a, f in zip(arrays, schema, strict=True)
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    def _fire_aligned(self, out: list[Row]) -> None:
        wm = self.watermark
        for end in sorted(e for e in self.pending if e - 1 <= wm):
            self.pending.discard(end)
            start = window_start(end, self.window)
            merged: dict[Key, list[list[Any]]] = {}
            for s_end in sorted(self.slices):
                if not (start < s_end <= end):
                    continue
                for key, accs in self.slices[s_end].items():
                    target = merged.get(key)
                    if target is None:
                        target = merged[key] = [new_acc() for _ in self.fns]
                    for fn, a, b in zip(self.fns, target, accs, strict=True):
                        merge(fn, a, b)
            for key, accs in merged.items():
                out.append(self._row(key, accs, start, end))
        for s_end in [e for e in self.slices if last_use(e, self.window) - 1 <= wm]:
            del self.slices[s_end]

    def _fire_sessions(self) -> list[pa.RecordBatch]:
        assert self.sessions is not None
        closed = self.sessions.close(self.watermark)
        if closed is None:
            return []
        rows, session, bounds = closed
        if self.by_columns:
            assert self.partials is not None
            columns = {k: rows.column(i) for k, i in zip(self.keys, self.node.group, strict=True)}
            columns[SESSION] = pa.array(session)
            columns.update(self.partials.inputs(rows))
            by = [*self.keys, SESSION]
            grouped = self.partials.group([pa.table(columns)], by, self.partials.partial)
            number = np.asarray(grouped.column(SESSION))
            return [self._columnar_batch(grouped, bounds[number, 0], bounds[number, 1])]
        group = self.node.group
        by_key: dict[Key, list[list[Any]]] = {}
        for s, row in zip(session.tolist(), rows_of(rows)[1], strict=True):
            key = (s, *(row[i] for i in group))
            accs = by_key.get(key)
            if accs is None:
                accs = by_key[key] = [new_acc() for _ in self.fns]
            for fn, acc in zip(self.fns, accs, strict=True):
                add(fn, acc, row, 1)
        spans = bounds.tolist()
        out = [self._row(k[1:], a, *spans[k[0]]) for k, a in by_key.items()]
        return [to_batch(self.out_schema, out)]

    def state_rows(self) -> int:
        if self.sessions is not None:
            return self.sessions.buffer.live
        if self.columnar is not None:
            return self.columnar.rows()
        return sum(len(v) for v in self.slices.values())

    def state_bytes(self) -> int:
        if self.sessions is not None:
            return self.sessions.buffer.nbytes
        if self.columnar is not None:
            return self.columnar.nbytes()
        return deep_size(self.slices) if self.slices else 0

    def state_arrow_bytes(self) -> int:
        """The Arrow size of the rows kept (sessions) or of one result row per slice and key."""
        if self.sessions is not None:
            return self.sessions.buffer.live_arrow_bytes()
        if self.columnar is not None:
            c = self.columnar
            return sum(self._columnar_batch(c.slice(e), 0, 0).nbytes for e in c.ends())
        out = [self._row(k, a, 0, 0) for s in self.slices.values() for k, a in s.items()]
        return arrow_size(self.out_schema, out)

    def snapshot(self) -> Any:
        return {
            "watermark": self.watermark,
            "slices": self.columnar.pieces if self.columnar is not None else self.slices,
            "pending": sorted(self.pending),
            "sessions": self.sessions.snapshot() if self.sessions is not None else None,
        }

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        if self.columnar is not None:
            self.columnar.pieces = state["slices"]
        else:
            self.slices = state["slices"]
        self.pending = set(state["pending"])
        if self.sessions is not None:
            self.sessions.restore(state["sessions"])
