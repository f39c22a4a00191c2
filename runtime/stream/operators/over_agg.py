"""over_agg: OVER aggregates ordered by an event-time attribute (ascending), frames ending at
CURRENT ROW: ROWS/RANGE, UNBOUNDED or bounded PRECEDING; ROW_NUMBER, RANK, DENSE_RANK.

Rows wait until the watermark passes their time, then each partition's rows are processed in
time order (ties in arrival order): a RANGE frame treats rows with equal time as peers (they
see each other), a ROWS frame adds rows one at a time. A row behind the watermark is late.
Ranking, COUNT, MIN/MAX and integer SUM/AVG/STDDEV/VAR calls are computed a firing at a time
over Arrow state (`_over`); other calls (floating-point sums and statistics, FIRST/LAST_VALUE,
LISTAGG, ARRAY_AGG, COLLECT, DISTINCT) keep per-partition Python accumulators."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n

from ..api import Output
from ._accumulators import add, agg_fns, new_acc, result
from ._base import BaseOperator
from ._over import OverColumns, supports
from ._rows import Row, arrow_schema, conform, epoch_ms_array, rows_of, to_batch
from ._sizing import arrow_size

Key = tuple[Any, ...]
RANKING = ("ROW_NUMBER", "RANK", "DENSE_RANK")


class _Partition:
    def __init__(self, n_calls: int) -> None:
        self.accs = [new_acc() for _ in range(n_calls)]  # unbounded frames
        self.history: list[tuple[int, Row]] = []  # bounded frames
        self.count = 0
        self.distinct_times = 0
        self.last_time: int | None = None


class OverAgg(BaseOperator):
    def __init__(self, spec: OperatorSpec) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Over)
        self.node = node
        self.time_col = node.order[0].index
        self.fns = agg_fns(node.calls, [f.type for f in node.input.schema.fields])
        self.rows_mode = node.frame.mode.upper() == "ROWS"
        self.lower = node.frame.lower
        # ordered by PROCTIME(): each batch is computed as it arrives (no row is late)
        self.proctime = bool(spec.params.get("proctime"))
        self.watermark = -(2**63)
        self.seq = 0
        self.buffer: list[tuple[int, int, Row]] = []
        self.partitions: dict[Key, _Partition] = {}
        in_schema = arrow_schema(node.input.schema)
        arg_types = [in_schema.field(fn.args[0]).type if fn.args else None for fn in self.fns]
        lags = dict(spec.params.get("lag_offsets", ()))
        self.columnar: OverColumns | None = None
        if supports(self.fns, arg_types, lags):
            self.columnar = OverColumns(node, self.fns, in_schema, self.out_schema, lags)
        elif lags:  # the lowering lets LAG through only next to column-wise calls
            raise ExecutionError(f"over_agg {spec.id}: LAG next to calls it cannot run with")

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        t, nulls = epoch_ms_array(batch.column(self.time_col))
        on_time = ~nulls if self.proctime else ~nulls & (t > self.watermark)
        self.late_records_dropped += int(np.count_nonzero(~on_time))
        if self.columnar is not None:
            data = conform(batch, self.columnar.in_schema).select(
                range(len(self.columnar.in_schema))
            )
            self.columnar.add(data if on_time.all() else data.filter(pa.array(on_time)))
        else:
            _, rows = rows_of(batch)
            for ms, row, keep in zip(t.tolist(), rows, on_time.tolist(), strict=True):
                if keep:
                    self.buffer.append((ms, self.seq, row))
                    self.seq += 1
        if self.proctime and on_time.any():
            return self.emit(self._ready(int(t[on_time].max())))
        return self.emit([])

    def on_watermark(self, watermark: int) -> Output:
        self.watermark = max(self.watermark, watermark)
        return self.emit([] if self.proctime else self._ready(self.watermark), watermark)

    def _ready(self, up_to: int) -> list[pa.RecordBatch]:
        """The rows with time <= `up_to`, each with its aggregates."""
        if self.columnar is not None:
            fired = self.columnar.fire(up_to)
            return [fired] if fired is not None else []
        ready = sorted(x for x in self.buffer if x[0] <= up_to)
        if not ready:
            return []
        self.buffer = [x for x in self.buffer if x[0] > up_to]
        groups: dict[Key, list[tuple[int, Row]]] = {}
        for t, _, row in ready:
            groups.setdefault(tuple(row[i] for i in self.node.partition), []).append((t, row))
        out: list[Row] = []
        for key, items in groups.items():
            part = self.partitions.get(key)
            if part is None:
                part = self.partitions[key] = _Partition(len(self.fns))
            i = 0
            while i < len(items):
                j = i
                if not self.rows_mode:
                    while j + 1 < len(items) and items[j + 1][0] == items[i][0]:
                        j += 1
                out += self._peers(part, items[i : j + 1])
                i = j + 1
        return [to_batch(self.out_schema, out)] if out else []

    def _peers(self, part: _Partition, peers: list[tuple[int, Row]]) -> list[Row]:
        t = peers[0][0]
        rank = part.count + 1
        if part.last_time != t:
            part.distinct_times += 1
            part.last_time = t
        for _, row in peers:
            for fn, acc in zip(self.fns, part.accs, strict=True):
                if fn.name not in RANKING:
                    add(fn, acc, row, 1)
        bounded = self.lower is not None
        if bounded:
            part.history += peers
            assert self.lower is not None
            if self.rows_mode:
                part.history = part.history[-(self.lower + 1) :]
            else:
                part.history = [h for h in part.history if h[0] >= t - self.lower]
        out: list[Row] = []
        for offset, (_, row) in enumerate(peers):
            values = []
            for fn, acc in zip(self.fns, part.accs, strict=True):
                if fn.name == "ROW_NUMBER":
                    values.append(part.count + offset + 1)
                elif fn.name == "RANK":
                    values.append(rank)
                elif fn.name == "DENSE_RANK":
                    values.append(part.distinct_times)
                elif bounded:
                    window = new_acc()
                    for _, h in part.history:
                        add(fn, window, h, 1)
                    values.append(result(fn, window))
                else:
                    values.append(result(fn, acc))
            out.append((*row, *values))
        part.count += len(peers)
        return out

    def state_rows(self) -> int:
        if self.columnar is not None:
            return self.columnar.rows()
        return len(self.buffer) + sum(len(p.history) for p in self.partitions.values())

    def state_bytes(self) -> int:
        if self.columnar is not None:
            return self.columnar.nbytes()
        return super().state_bytes()

    def state_arrow_bytes(self) -> int:
        """The Arrow size of the rows the state keeps (the waiting rows and those inside the
        partitions' frames)."""
        if self.columnar is not None:
            return self.columnar.kept_arrow_bytes()
        rows = [row for _, _, row in self.buffer]
        rows += [row for p in self.partitions.values() for _, row in p.history]
        return arrow_size(arrow_schema(self.node.input.schema), rows)

    def snapshot(self) -> Any:
        if self.columnar is not None:
            return {"watermark": self.watermark, "columnar": self.columnar.snapshot()}
        return {
            "watermark": self.watermark,
            "seq": self.seq,
            "buffer": self.buffer,
            "partitions": self.partitions,
        }

    def restore(self, state: Any) -> None:
        self.watermark = state["watermark"]
        if self.columnar is not None:
            self.columnar.restore(state["columnar"])
            return
        self.seq = state["seq"]
        self.buffer = state["buffer"]
        self.partitions = state["partitions"]
