"""window_rank and window_dedup: Top-N and first/last row per window. Rows wait per window
(window_start, window_end columns of the input); when the watermark reaches window_end - 1 ms
the window's rows are ranked per partition and the kept rows are emitted once, insert-only.
Rows of a window that already fired are late: dropped and counted."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import Output
from ._base import BaseOperator
from ._order import row_comparator, sort_key_values
from ._rows import Row, epoch_ms, rows_of, to_batch

Window = tuple[int, int]


class _Windowed(BaseOperator):
    bounds: tuple[int, int]

    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        self.watermark = -(2**63)
        self.windows: dict[Window, list[Row]] = {}

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        starts = epoch_ms(batch.column(self.bounds[0]))
        ends = epoch_ms(batch.column(self.bounds[1]))
        _, rows = rows_of(batch)
        for s, e, row in zip(starts, ends, rows, strict=True):
            if s is None or e is None:
                continue
            if e - 1 <= self.watermark:
                self.late_records_dropped += 1
                continue
            self.windows.setdefault((s, e), []).append(row)
        return self.emit([])

    def on_watermark(self, watermark: int) -> Output:
        self.watermark = max(self.watermark, watermark)
        out: list[Row] = []
        for w in sorted(x for x in self.windows if x[1] - 1 <= self.watermark):
            out += self.fire(self.windows.pop(w))
        return self.emit([to_batch(self.out_schema, out)] if out else [], watermark)

    def fire(self, rows: list[Row]) -> list[Row]:
        raise NotImplementedError

    def state_rows(self) -> int:
        return sum(len(v) for v in self.windows.values())

    def snapshot(self) -> Any:
        return {"watermark": self.watermark, "windows": self.windows}

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        self.windows = state["windows"]


class WindowRank(_Windowed):
    def __init__(self, spec: OperatorSpec) -> None:
        node = spec.node
        assert isinstance(node, n.WindowRank)
        self.node = node
        self.bounds = node.window_bounds
        self.sort = row_comparator(node.order)
        super().__init__(spec)

    def fire(self, rows: list[Row]) -> list[Row]:
        node = self.node
        parts: dict[tuple[Any, ...], list[Row]] = {}
        for row in rows:
            parts.setdefault(tuple(row[i] for i in node.partition), []).append(row)
        out: list[Row] = []
        for part in parts.values():
            rank = dense = 0
            previous: tuple[Any, ...] | None = None
            for i, row in enumerate(sorted(part, key=self.sort)):
                values = sort_key_values(row, node.order)
                if node.fn is n.RankFn.ROW_NUMBER:
                    rank = i + 1
                elif values != previous:
                    rank, dense = i + 1, dense + 1
                previous = values
                r = dense if node.fn is n.RankFn.DENSE_RANK else rank
                if r > node.upper:
                    break
                if r >= node.lower:
                    out.append((*row, r) if node.rank_name is not None else row)
        return out


class WindowDedup(_Windowed):
    def __init__(self, spec: OperatorSpec) -> None:
        node = spec.node
        assert isinstance(node, n.WindowDeduplicate)
        self.node = node
        self.bounds = node.window_bounds
        super().__init__(spec)

    def fire(self, rows: list[Row]) -> list[Row]:
        node = self.node
        t = node.time_col
        best: dict[tuple[Any, ...], Row] = {}
        for row in rows:
            key = tuple(row[i] for i in node.keys)
            cur = best.get(key)
            if cur is None or row[t] is None:
                best.setdefault(key, row)
                continue
            if cur[t] is None or (row[t] >= cur[t] if node.keep_last else row[t] < cur[t]):
                best[key] = row
        return list(best.values())
