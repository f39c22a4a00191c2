"""Window arithmetic in epoch milliseconds, as the batch lowering does it
(compiler/lower/duckdb_window.py): windows are [start, end), window_time = end - 1 ms."""

from __future__ import annotations

from math import gcd

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.plan import nodes as n


def epoch_ms_column(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A TIMESTAMP (or integer) column as int64 epoch milliseconds."""
    typ = column.type
    if pa.types.is_timestamp(typ):
        if typ.tz is not None:
            column = column.cast(pa.timestamp(typ.unit))
        column = column.cast(pa.timestamp("ms"), safe=False)
    return pc.cast(column, pa.int64())


def floor_start(t: int, size: int, offset: int) -> int:
    return t - (t - offset) % size


def windows_of(t: int, w: n.WindowSpec) -> list[tuple[int, int]]:
    """(start, end) of every TUMBLE/HOP/CUMULATE window containing `t`."""
    if w.kind is n.WindowKind.TUMBLE:
        assert w.size_ms is not None
        s = floor_start(t, w.size_ms, w.offset_ms)
        return [(s, s + w.size_ms)]
    if w.kind is n.WindowKind.HOP:
        assert w.size_ms is not None and w.slide_ms is not None
        out = []
        s = floor_start(t, w.slide_ms, w.offset_ms)
        while s > t - w.size_ms:
            out.append((s, s + w.size_ms))
            s -= w.slide_ms
        return out
    assert w.size_ms is not None and w.step_ms is not None
    s = floor_start(t, w.size_ms, w.offset_ms)
    first_end = s + ((t - s) // w.step_ms + 1) * w.step_ms
    return [(s, e) for e in range(first_end, s + w.size_ms + 1, w.step_ms)]


def slice_size(w: n.WindowSpec) -> int:
    """Slices every window is a union of: HOP and CUMULATE share slices instead of copying rows
    into every window."""
    if w.kind is n.WindowKind.TUMBLE:
        assert w.size_ms is not None
        return w.size_ms
    if w.kind is n.WindowKind.HOP:
        assert w.size_ms is not None and w.slide_ms is not None
        return gcd(w.size_ms, w.slide_ms)
    assert w.step_ms is not None
    return w.step_ms


def slice_end(t: int, w: n.WindowSpec) -> int:
    size = slice_size(w)
    return floor_start(t, size, w.offset_ms) + size


def window_ends_of_slice(end: int, w: n.WindowSpec) -> list[int]:
    """Ends of the windows that contain the slice ending at `end`."""
    return [e for _, e in windows_of(end - 1, w)]


def window_start(end: int, w: n.WindowSpec) -> int:
    if w.kind is n.WindowKind.CUMULATE:
        assert w.size_ms is not None
        return floor_start(end - 1, w.size_ms, w.offset_ms)
    assert w.size_ms is not None
    return end - w.size_ms


def last_use(end: int, w: n.WindowSpec) -> int:
    """The end of the last window that needs the slice ending at `end`."""
    return max(window_ends_of_slice(end, w))


def windows_on_time(
    starts: pa.Array, ends: pa.Array, watermark: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Rows whose window (`starts`/`ends` TIMESTAMP columns) is still open at `watermark`:
    (keep mask, start ms, end ms, late rows). A window is late once the watermark reaches its
    last millisecond; a row without bounds is neither kept nor late."""
    s_ms = epoch_ms_column(starts)
    e_ms = epoch_ms_column(ends)
    valid = np.asarray(pc.and_(pc.is_valid(s_ms), pc.is_valid(e_ms)))
    s = np.asarray(pc.fill_null(s_ms, 0))
    e = np.asarray(pc.fill_null(e_ms, 0))
    on_time = e - 1 > watermark
    return valid & on_time, s, e, int(np.count_nonzero(valid & ~on_time))
