"""SESSION windows' waiting rows (window_agg): an Arrow RowStore of the rows whose session is
still open, nothing per partition or per row in Python.

When the watermark may have closed a session, the waiting rows are ordered by (partition, time,
arrival) with numpy, split into sessions where the partition changes or a gap is exceeded, and
the rows of the sessions whose end (last row + gap) the watermark has passed are handed out and
released. The smallest end among the sessions left open bounds when the next one can close: new
rows only move an end later or open a session ending at their own time + gap, so a watermark
below that bound costs nothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.plan import nodes as n

from ._keys import group_ids
from ._rowstore import RowStore
from ._windows import epoch_ms_column

NEVER = 2**63 - 1


class Sessions:
    def __init__(self, window: n.WindowSpec, schema: pa.Schema) -> None:
        assert window.gap_ms is not None
        self.window = window
        self.gap = window.gap_ms
        self.buffer = RowStore(schema)
        self.next_close = NEVER  # no session can close before this watermark

    def add(self, batch: pa.RecordBatch, watermark: int) -> int:
        """Keep the batch's rows that are not late; the number of late ones."""
        times = epoch_ms_column(batch.column(self.window.time_col))
        valid = np.asarray(pc.is_valid(times))
        t = np.asarray(pc.fill_null(times, 0))
        on_time = t > watermark
        keep = np.flatnonzero(valid & on_time)
        if len(keep):
            self.buffer.append(batch, keep)
            self.next_close = min(self.next_close, int(t[keep].min()) + self.gap)
        return int(np.count_nonzero(valid & ~on_time))

    def close(self, watermark: int) -> tuple[pa.RecordBatch, np.ndarray, np.ndarray] | None:
        """The rows of the sessions the watermark closed, released from the buffer: (rows,
        session number of each row, [start, end) of each session by number)."""
        if watermark < self.next_close or not self.buffer.live:
            return None
        ids = self.buffer.live_ids()
        rows = self.buffer.take(ids)
        t = np.asarray(epoch_ms_column(rows.column(self.window.time_col)))
        parts = [rows.column(i) for i in self.window.partition]
        part = group_ids(parts, len(ids)) if parts else np.zeros(len(ids), np.int64)
        order = np.lexsort((ids, t, part))
        p, ts = part[order], t[order]
        head = np.r_[True, (p[1:] != p[:-1]) | (np.diff(ts) > self.gap)]
        session = np.cumsum(head) - 1
        starts = ts[head]
        ends = np.r_[ts[np.flatnonzero(head)[1:] - 1], ts[-1]] + self.gap
        closed = ends <= watermark
        self.next_close = int(ends[~closed].min()) if not closed.all() else NEVER
        if not closed.any():
            return None
        mine = closed[session]
        self.buffer.release(ids[order[mine]])
        if self.buffer.should_compact():
            self.buffer.compact()
        numbers = np.cumsum(closed) - 1  # closed sessions renumbered 0..k-1
        bounds = np.stack([starts[closed], ends[closed]], 1)
        return rows.take(pa.array(order[mine])), numbers[session[mine]], bounds

    def snapshot(self) -> dict[str, Any]:
        return self.buffer.snapshot()

    def restore(self, state: dict[str, Any]) -> None:
        self.buffer.restore(state)
        self.next_close = -(2**63)  # recomputed on the next watermark
