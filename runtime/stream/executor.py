"""The single-threaded push executor for a `JobGraph` (runtime/stream/api.py describes the
contracts).

Loop: poll the sources round-robin (one batch each), push every batch depth-first through its
consumers, and advance watermarks: an operator's input watermark is the minimum over its input
channels; when it rises the operator's `on_watermark` fires and the watermark it returns goes
downstream. Watermark assigners keep per-split watermarks (finished splits stop counting, idle
ones too after `idle_timeout_ms` of wall-clock time, never in deterministic mode). A source's
end of input is MAX_WATERMARK on its outputs, which fires every pending timer. Between polls the
job is quiescent, so `checkpoint()` is a consistent cut: every operator's snapshot, every
source's position and the watermarks; `Executor(..., restore=payload)` resumes from it.

Optional operator hooks: `on_input_watermark(index, watermark)` when one input's watermark
rises (a lookup join learns that its bounded table has been read), and
`on_processing_time(now)` after every poll round, with `now` from the processing-time clock
(PROCTIME() windows): the wall clock, or `Executor(clock=...)`; deterministic mode without an
injected clock stands still at 0.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa

from nrtg.catalog.errors import ExecutionError, NrtgError
from nrtg.compiler.lower.graph import JobGraph, OperatorSpec
from nrtg.compiler.plan import nodes as n

from .api import MAX_WATERMARK, MIN_WATERMARK, CheckpointStore, Operator, Output, Sink, Source
from .operators._duck import Env, wall_clock_ms
from .operators.collect import CollectSink
from .operators.registry import make_operator

SourceFactory = Callable[[OperatorSpec], Source]
SinkFactory = Callable[[OperatorSpec], Sink]


class _ValuesSource:
    """A VALUES node as a one-batch bounded source."""

    def __init__(self, spec: OperatorSpec, env: Env) -> None:
        from .operators.values import values_batch

        self.batch: pa.RecordBatch | None = values_batch(spec, env)
        self.done = False

    def open(self, position: Any) -> None:
        if position is not None and position.offsets.get("values"):
            self.done = True

    def poll(self, max_records: int, timeout_s: float) -> Any:
        from .api import Polled

        if self.done or self.batch is None:
            return Polled(None, (), True)
        self.done = True
        return Polled(self.batch, ("values",), False)

    def position(self) -> Any:
        from .api import SourcePosition

        return SourcePosition({"values": int(self.done)})

    def close(self) -> None:
        self.batch = None


def _still() -> int:
    return 0


def default_source(spec: OperatorSpec, tables: Mapping[str, pa.Table], env: Env) -> Source:
    from .operators.file_source import FileSource, MemorySource, is_filesystem

    scan = spec.node
    assert isinstance(scan, n.TableScan)
    table = tables.get(str(scan.table), tables.get(scan.table.name))
    if table is not None:
        return MemorySource(scan, [("0", table)])
    if spec.params.get("connector") == "filesystem" or is_filesystem(scan):
        return FileSource(scan, env)
    raise ExecutionError(
        f"table {scan.table}: connector {spec.params.get('connector')!r} needs a source "
        "factory (the Kafka connector) or rows passed as an Arrow table"
    )


class Executor:
    def __init__(
        self,
        graph: JobGraph,
        *,
        tables: Mapping[str, pa.Table] | None = None,
        source_factory: SourceFactory | None = None,
        sink_factory: SinkFactory | None = None,
        batch_size: int = 8192,
        time_zone: str = "UTC",
        udfs: Mapping[str, str] | None = None,
        deterministic: bool = True,
        idle_timeout_ms: int | None = None,
        checkpoint_store: CheckpointStore | None = None,
        restore: Mapping[str, Any] | None = None,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self.graph = graph
        self.batch_size = batch_size
        self.deterministic = deterministic
        self.store = checkpoint_store
        self.operators: dict[int, Operator] = {}
        self.sources: dict[int, Source] = {}
        self.sinks: dict[int, Sink] = {}
        self.consumers = {s.id: graph.consumers(s.id) for s in graph.operators}
        self.wm_in: dict[int, list[int]] = {}
        self.wm_combined: dict[int, int] = {}
        self.finished: set[int] = set()
        self.seen_splits: dict[int, set[str]] = {}
        self.checkpoint_id = 0
        tables = tables or {}
        # Processing time (PROCTIME() windows, lookup joins): the wall clock, or `clock` (epoch
        # ms) when injected; deterministic mode without one stands still at 0.
        self.clock = clock or (_still if deterministic else wall_clock_ms)
        env = Env(time_zone, dict(udfs or {}), self.clock)
        for spec in graph.operators:
            if spec.kind == "source":
                self.sources[spec.id] = (
                    source_factory(spec)
                    if source_factory is not None
                    else default_source(spec, tables, env)
                )
            elif spec.kind == "values":
                self.sources[spec.id] = _ValuesSource(spec, env)
            elif spec.kind in ("sink", "collect"):
                self.sinks[spec.id] = (
                    sink_factory(spec)
                    if sink_factory is not None and spec.kind == "sink"
                    else CollectSink()
                )
            else:
                op = make_operator(spec, env)
                if idle_timeout_ms is not None and not deterministic:
                    op.idle_timeout_ms = idle_timeout_ms
                self.operators[spec.id] = op
            self.wm_in[spec.id] = [MIN_WATERMARK] * len(spec.inputs)
            self.wm_combined[spec.id] = MIN_WATERMARK
        self.assigners = {sid: self._assigners_below(sid) for sid in self.sources}
        positions = None
        if restore is not None:
            positions = self._restore(restore)
        for sid, src in self.sources.items():
            src.open(positions.get(sid) if positions else None)
        for sink in self.sinks.values():
            sink.open(self.checkpoint_id if restore is not None else None)

    # -- wiring ---------------------------------------------------------------------------
    def _assigners_below(self, op_id: int) -> list[int]:
        out: list[int] = []
        stack = [op_id]
        seen: set[int] = set()
        while stack:
            cur = stack.pop()
            for consumer, _ in self.consumers[cur]:
                if consumer in seen:
                    continue
                seen.add(consumer)
                if self.graph.operator(consumer).kind == "watermark_assigner":
                    out.append(consumer)
                else:
                    stack.append(consumer)
        return out

    def _push(self, op_id: int, batches: list[pa.RecordBatch]) -> None:
        for consumer, index in self.consumers[op_id]:
            sink = self.sinks.get(consumer)
            for b in batches:
                if not b.num_rows:
                    continue
                if sink is not None:
                    sink.write(b)
                else:
                    self._handle(consumer, self._call(consumer, "process", b, index))

    def _call(self, op_id: int, method: str, *args: Any) -> Output:
        """Run one operator call; a failure is an ExecutionError naming the operator."""
        try:
            out: Output = getattr(self.operators[op_id], method)(*args)
        except NrtgError:
            raise
        except Exception as e:
            spec = self.graph.operator(op_id)
            raise ExecutionError(f"operator [{op_id}] {spec.kind} failed in {method}: {e}") from e
        return out

    def _handle(self, op_id: int, out: Output) -> None:
        if out.batches:
            self._push(op_id, out.batches)
        if out.watermark is not None:
            self._watermark_from(op_id, out.watermark)

    def _watermark_from(self, op_id: int, watermark: int) -> None:
        for consumer, index in self.consumers[op_id]:
            marks = self.wm_in[consumer]
            if watermark <= marks[index]:
                continue
            marks[index] = watermark
            op = self.operators.get(consumer)
            if op is not None and hasattr(op, "on_input_watermark"):
                self._handle(consumer, self._call(consumer, "on_input_watermark", index, watermark))
            combined = min(marks)
            if combined <= self.wm_combined[consumer]:
                continue
            self.wm_combined[consumer] = combined
            if consumer in self.operators:
                self._handle(consumer, self._call(consumer, "on_watermark", combined))

    # -- running --------------------------------------------------------------------------
    def step(self) -> bool:
        """One poll of every unfinished source. False once all sources are finished."""
        active = [sid for sid in sorted(self.sources) if sid not in self.finished]
        for sid in active:
            polled = self.sources[sid].poll(self.batch_size, 0.0 if self.deterministic else 0.1)
            seen = self.seen_splits.setdefault(sid, set())
            seen.update(polled.splits)
            done = seen - set(polled.splits)
            now = 0.0 if self.deterministic else time.monotonic() * 1000
            # The assigners learn which splits exist before any row moves the watermark, so a
            # split that has not delivered rows yet holds it back.
            for aid in self.assigners[sid]:
                op = self.operators[aid]
                status = getattr(op, "split_status", None)
                if status is not None:
                    mark = status(done, now, tuple(polled.splits))
                    if mark is not None:
                        self._watermark_from(aid, mark)
            if polled.batch is not None and polled.batch.num_rows:
                batch = polled.batch
                split = batch.schema.get_field_index("_split")
                if split >= 0 and not self.assigners[sid]:
                    batch = batch.remove_column(split)  # only assigners read it
                self._push(sid, [batch])
            if polled.end_of_input:
                self.finished.add(sid)
                self._watermark_from(sid, MAX_WATERMARK)
        self._processing_time()
        return len(self.finished) < len(self.sources)

    def _processing_time(self) -> None:
        """Fire processing-time timers (PROCTIME() windows) up to the clock's time."""
        now = None
        for op_id, op in self.operators.items():
            if hasattr(op, "on_processing_time"):
                now = self.clock() if now is None else now
                self._handle(op_id, self._call(op_id, "on_processing_time", now))

    def run(self, *, checkpoint_every: int | None = None, max_steps: int | None = None) -> None:
        steps = 0
        while self.step():
            steps += 1
            if checkpoint_every and steps % checkpoint_every == 0:
                self.checkpoint()
            if max_steps is not None and steps >= max_steps:
                return

    # -- checkpoints ----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """A consistent cut (call between steps): picklable, detached from live state."""
        payload = {
            "checkpoint_id": self.checkpoint_id,
            "operators": {k: op.snapshot() for k, op in self.operators.items()},
            "sources": {k: src.position() for k, src in self.sources.items()},
            "wm_in": self.wm_in,
            "wm_combined": self.wm_combined,
            "finished": sorted(self.finished),
            "seen_splits": self.seen_splits,
        }
        return pickle.loads(pickle.dumps(payload))

    def checkpoint(self) -> int:
        self.checkpoint_id += 1
        cp = self.checkpoint_id
        payload = self.snapshot()
        for sink in self.sinks.values():
            sink.prepare(cp, {str(k): v for k, v in payload["sources"].items()})
        if self.store is not None:
            self.store.save(cp, payload)
        for sink in self.sinks.values():
            sink.commit(cp)
        return cp

    def _restore(self, payload: Mapping[str, Any]) -> dict[int, Any]:
        payload = pickle.loads(pickle.dumps(dict(payload)))
        self.checkpoint_id = payload["checkpoint_id"]
        for k, state in payload["operators"].items():
            self.operators[k].restore(state)
        self.wm_in = payload["wm_in"]
        self.wm_combined = payload["wm_combined"]
        self.finished = set(payload["finished"])
        self.seen_splits = payload["seen_splits"]
        return dict(payload["sources"])

    # -- results --------------------------------------------------------------------------
    def metrics(self) -> dict[int, Mapping[str, int | float]]:
        return {k: op.metrics() for k, op in self.operators.items()}

    def output(self, root: int) -> pa.Table | None:
        """The change stream a root (collect or sink) received, when it is a CollectSink."""
        sink = self.sinks[self.graph.roots[root]]
        return sink.table() if isinstance(sink, CollectSink) else None

    def close(self) -> None:
        for src in self.sources.values():
            src.close()
        for sink in self.sinks.values():
            sink.close()


def run_graph(
    graph: JobGraph,
    *,
    tables: Mapping[str, pa.Table] | None = None,
    batch_size: int = 8192,
    time_zone: str = "UTC",
    udfs: Mapping[str, str] | None = None,
) -> list[pa.Table | None]:
    """Run a bounded job to the end in deterministic mode; the change stream of every root.
    `udfs`: the script's Python functions, canonical name -> 'module.attr'."""
    ex = Executor(graph, tables=tables, batch_size=batch_size, time_zone=time_zone, udfs=udfs)
    try:
        ex.run()
        return [ex.output(i) for i in range(len(graph.roots))]
    finally:
        ex.close()
