"""`nrtg run --mode stream`: a compiled job on the streaming executor, with connectors,
periodic checkpoints, exactly-once Kafka output, restarts after failures, and metrics.

Settings (`SET 'key' = 'value'` in the script, or `--set`):
  execution.checkpointing.interval    how often to checkpoint (default 2 s)
  execution.checkpointing.dir         checkpoint directory (also `state.checkpoints.dir`);
                                      without one a restarted job starts afresh
  state.checkpoints.num-retained      checkpoints kept (default 3, at least 2)
  restart-strategy.fixed-delay.attempts / .delay
                                      in-process restarts after a failure (default 3, 1 s)
  table.exec.source.idle-timeout      idle-partition timeout (a table's
                                      `scan.watermark.idle-timeout` wins)
  nrtg.stream.batch-size              records per poll (default 8192)

Exactly-once protocol (Kafka source -> Kafka sink with `sink.delivery-guarantee` =
`exactly-once`). The executor is quiescent between steps, so checkpoint N is a consistent cut:
  1. snapshot every operator's state and every source's next offsets;
  2. `prepare(N)` on the sinks: the transactional producer flushes and adds to its open
     transaction the sources' offsets (metadata `nrtg-checkpoint=N`) and the marker offset N
     of its marker group;
  3. the checkpoint is written to the store (fsynced, atomic rename);
  4. `commit(N)`: the transaction commits (output rows + offsets + marker, atomically) and
     the next one begins.
On (re)start the job reads the marker group's committed offset: it names the last checkpoint
whose transaction committed (N, or N-1 when the process died between 3 and 4). That checkpoint
is restored (state, source offsets, watermarks) and newer ones are discarded; the new producer's
`init_transactions` aborts whatever the dead process left open. So the committed output is
that of an uninterrupted run: nothing lost, nothing twice. Non-transactional sinks (kafka
at-least-once/none, print) restore the newest checkpoint and may repeat the rows written after
it (at-least-once); the filesystem sink is exactly-once by renames (connectors/file_sink.py).
"""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from confluent_kafka import KafkaException, TopicPartition

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.lower.graph import JobGraph, OperatorSpec
from nrtg.compiler.plan import nodes as n

from .api import OP_COLUMN, Op, Sink, Source, SourcePosition
from .checkpoint import DirectoryCheckpointStore
from .connectors.kafka_sink import (
    KafkaSink,
    KafkaWriter,
    TransactionAborted,
    committed_marker,
    writer_for,
)
from .connectors.kafka_source import KafkaSource
from .connectors.options import Recoverable, duration_ms
from .connectors.projection import source_demand
from .metrics import JobMetrics

KAFKA = ("kafka", "upsert-kafka")


@dataclass(frozen=True)
class Settings:
    checkpoint_interval_ms: int = 2000
    checkpoint_dir: str | None = None
    retained: int = 3
    restart_attempts: int = 3
    restart_delay_ms: int = 1000
    idle_timeout_ms: int | None = None
    batch_size: int = 8192

    @staticmethod
    def of(options: Mapping[str, str], checkpoint_dir: str | None = None) -> Settings:
        def dur(key: str, default: int) -> int:
            value = options.get(key)
            return default if value is None else duration_ms(value, key)

        directory = (
            checkpoint_dir
            or options.get("execution.checkpointing.dir")
            or options.get("state.checkpoints.dir")
        )
        idle = options.get("table.exec.source.idle-timeout")
        return Settings(
            checkpoint_interval_ms=max(1, dur("execution.checkpointing.interval", 2000)),
            checkpoint_dir=directory.removeprefix("file://") if directory else None,
            retained=int(options.get("state.checkpoints.num-retained", "3")),
            restart_attempts=int(options.get("restart-strategy.fixed-delay.attempts", "3")),
            restart_delay_ms=dur("restart-strategy.fixed-delay.delay", 1000),
            idle_timeout_ms=duration_ms(idle, "idle timeout") if idle and idle != "0" else None,
            batch_size=int(options.get("nrtg.stream.batch-size", "8192")),
        )


class StopFlag:
    """Set by SIGINT/SIGTERM (or a caller) to stop the job cleanly at the next step."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def set(self) -> None:
        self.event.set()

    def __bool__(self) -> bool:
        return self.event.is_set()

    def __call__(self) -> bool:
        return self.event.is_set()


@contextmanager
def _signals(stop: StopFlag) -> Any:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, frame: Any) -> None:
        if stop:  # a second Ctrl-C: stop now
            signal.signal(signum, previous[signum])
            raise KeyboardInterrupt
        stop.set()

    for s in previous:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@contextmanager
def _young_gc_threshold(objects: int) -> Iterator[None]:
    """CPython collects its youngest generation whenever container allocations outnumber
    frees by 700. A Kafka poll allocates one Message object per record, tens of thousands
    that are freed together once the batch is decoded, so with the default a stateless job
    spent 3-5% of its CPU in collections that found nothing to free. While the job runs, the
    threshold is a few polls' worth (cycles are still collected, a few polls later)."""
    previous = gc.get_threshold()
    gc.set_threshold(max(previous[0], objects), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _uses_processing_time(graph: JobGraph) -> bool:
    """Whether an operator reacts to the wall clock (PROCTIME() windows, lookup joins)."""
    return any(spec.params.get("proctime") for spec in graph.operators)


def _no_processing_time() -> int:
    """The clock of a job without processing-time operators: it stands still (as in the
    executor's deterministic mode), so no operator ever sees wall-clock time as event time."""
    return 0


class JobRun:
    """One incarnation of a job: connectors, executor, restore. `run()` until end or stop."""

    def __init__(
        self,
        graph: JobGraph,
        settings: Settings,
        *,
        time_zone: str = "UTC",
        udfs: Mapping[str, str] | None = None,
        bounded: bool | None = None,
        metrics: JobMetrics | None = None,
        carried: Mapping[int, list[pa.RecordBatch]] | None = None,
    ) -> None:
        from .executor import Executor

        self.graph = graph
        self.settings = settings
        self.time_zone = time_zone
        self.bounded = bounded
        self.metrics = metrics
        self.kafka_sources: dict[int, KafkaSource] = {}
        self.writers: dict[tuple[str, str, str], KafkaWriter] = {}
        self.sink_objects: dict[int, Sink] = {}
        self.store = (
            DirectoryCheckpointStore(settings.checkpoint_dir, settings.retained)
            if settings.checkpoint_dir
            else None
        )
        for spec in graph.operators:  # writers first: restore needs their markers
            node = spec.node
            if isinstance(node, n.Sink) and (node.option("connector") or "") in KAFKA:
                writer = writer_for(node, self.writers, self._offsets)
                self.sink_objects[spec.id] = KafkaSink(node, writer)
        restore = self._restore_payload()
        self.restored_from = None if restore is None else int(restore["checkpoint_id"])
        idle = self._idle_timeout()
        self.executor = Executor(
            graph,
            source_factory=self._source,
            sink_factory=self._sink,
            batch_size=settings.batch_size,
            time_zone=time_zone,
            udfs=udfs,
            deterministic=False,
            idle_timeout_ms=idle,
            checkpoint_store=self.store,
            restore=restore,
            clock=None if _uses_processing_time(graph) else _no_processing_time,
        )
        if carried:
            for root_id, batches in carried.items():
                collect = self.executor.sinks.get(root_id)
                if collect is not None and hasattr(collect, "batches"):
                    collect.batches[:0] = batches  # output committed by the failed incarnation
        if metrics is not None:
            metrics.attach(self)

    # -- connectors -----------------------------------------------------------------------
    def _source(self, spec: OperatorSpec) -> Source:
        from .executor import default_source
        from .operators._duck import Env

        scan = spec.node
        assert isinstance(scan, n.TableScan)
        if (scan.option("connector") or "") in KAFKA:
            src = KafkaSource(scan, bounded=self.bounded, read=source_demand(self.graph, spec.id))
            self.kafka_sources[spec.id] = src
            return src
        return default_source(spec, {}, Env(self.time_zone, {}))

    def _sink(self, spec: OperatorSpec) -> Sink:
        made = self.sink_objects.get(spec.id)
        if made is not None:
            return made
        node = spec.node
        assert isinstance(node, n.Sink)
        connector = node.option("connector") or ""
        sink: Sink
        if connector == "filesystem":
            from .connectors.file_sink import FileSink

            sink = FileSink(node)
        elif connector == "print":
            from .connectors.simple_sinks import PrintSink

            sink = PrintSink(dict(node.options))
        elif connector == "blackhole":
            from .connectors.simple_sinks import BlackholeSink

            sink = BlackholeSink()
        else:
            raise ExecutionError(
                f"table {node.table}: connector {connector!r} is not supported as a stream sink "
                "(kafka, upsert-kafka, filesystem, print, blackhole)"
            )
        self.sink_objects[spec.id] = sink
        return sink

    def _idle_timeout(self) -> int | None:
        values = []
        for spec in self.graph.operators:
            if spec.kind == "source" and isinstance(spec.node, n.TableScan):
                text = spec.node.option("scan.watermark.idle-timeout")
                if text:
                    values.append(duration_ms(text, f"{spec.node.table} idle timeout"))
        if values:
            return min(values)
        return self.settings.idle_timeout_ms

    def _offsets(
        self, checkpoint_id: int, positions: Mapping[str, SourcePosition]
    ) -> list[tuple[Any, list[TopicPartition]]]:
        """Per consumer group: the Kafka sources' offsets to commit with checkpoint N."""
        groups: dict[str, tuple[Any, list[TopicPartition]]] = {}
        for sid, src in self.kafka_sources.items():
            position = positions.get(str(sid))
            if position is None:
                continue
            tps = src.kafka_offsets(position, f"nrtg-checkpoint={checkpoint_id}")
            entry = groups.setdefault(src.group_id, (src.group_metadata(), []))
            entry[1].extend(tps)
        return list(groups.values())

    # -- restore --------------------------------------------------------------------------
    def _restore_payload(self) -> Mapping[str, Any] | None:
        store = self.store
        if store is None:
            return None
        transactional = [w for w in self.writers.values() if w.transactional]
        if transactional:
            w = transactional[0]
            assert w.marker_topic is not None
            try:
                committed = committed_marker(w.servers, w.transactional_id, w.marker_topic)
            except KafkaException as e:
                raise TransactionAborted(f"cannot read the committed checkpoint marker: {e}") from e
            store.discard_after(committed or 0)
            if committed is None:
                return None
            payload = store.load(committed)
            if payload is None:
                raise ExecutionError(
                    f"checkpoint {committed} committed its Kafka transaction but is missing from "
                    f"{store.directory}; the job cannot resume exactly once (delete the "
                    "sink topic's committed output or use another sink.transactional-id-prefix)"
                )
            return payload
        latest = store.latest()
        return None if latest is None else latest[1]

    # -- running --------------------------------------------------------------------------
    def checkpoint(self) -> int:
        started = time.perf_counter()
        cp = self.executor.checkpoint()
        if self.metrics is not None:
            size = self.store.last_size if self.store is not None else 0
            self.metrics.checkpointed(cp, time.perf_counter() - started, size)
        if not any(w.transactional for w in self.writers.values()):
            self._commit_groups(cp)
        return cp

    def _commit_groups(self, cp: int) -> None:
        """Non-transactional jobs commit source offsets to their groups after a checkpoint
        (visibility and `group-offsets` restarts)."""
        for sid, src in self.kafka_sources.items():
            # best effort: the checkpoint store has the positions
            with contextlib.suppress(KafkaException):
                src.commit(self.executor.sources[sid].position(), f"nrtg-checkpoint={cp}")

    def run(self, stop: StopFlag | Callable[[], bool]) -> None:
        interval = self.settings.checkpoint_interval_ms / 1000
        last = time.monotonic()
        ex = self.executor
        with _young_gc_threshold(4 * self.settings.batch_size):
            while not stop():
                more = ex.step()
                now = time.monotonic()
                if self.metrics is not None:
                    self.metrics.tick(now)
                if not more:
                    break
                if now - last >= interval:
                    self.checkpoint()
                    last = time.monotonic()
        self.checkpoint()  # commits the tail: end of input or a clean stop

    def close(self) -> None:
        self.executor.close()


def _with_op_names(table: pa.Table) -> pa.Table:
    """A change stream with `op` ('+I', '-U', '+U', '-D') first instead of `_op`."""
    if OP_COLUMN in table.column_names:
        codes = table.column(OP_COLUMN).to_pylist()
        table = table.drop_columns([OP_COLUMN])
    else:
        codes = [0] * table.num_rows
    ops = pa.array([Op(c).short for c in codes], type=pa.string())
    return table.add_column(0, "op", ops)


def _result(run: JobRun, changelog: bool) -> pa.Table | None:
    from .fold import fold_table
    from .operators._rows import arrow_schema

    graph = run.graph
    last: pa.Table | None = None
    for i, root in enumerate(graph.roots):
        spec = graph.operator(root)
        if spec.kind != "collect":
            continue
        changes = run.executor.output(i)
        schema = arrow_schema(spec.schema)
        if changelog:
            if changes is None:
                changes = arrow_schema(spec.schema, with_op=True).empty_table()
            last = _with_op_names(changes)
        else:
            last = fold_table(changes, schema)
    return last


def run_graph_job(
    graph: JobGraph,
    *,
    options: Mapping[str, str] | None = None,
    changelog: bool = False,
    time_zone: str = "UTC",
    udfs: Mapping[str, str] | None = None,
    checkpoint_dir: str | None = None,
    bounded: bool | None = None,
    metrics: JobMetrics | None = None,
    stop: StopFlag | None = None,
    log: Callable[[str], None] | None = None,
) -> pa.Table | None:
    """Run a job graph until its bounded sources end or `stop` is set; restart in-process from
    the last committed checkpoint after a failure (up to the restart strategy's attempts)."""
    settings = Settings.of(options or {}, checkpoint_dir)
    stop = stop if stop is not None else StopFlag()
    say = log or (lambda text: print(text, file=sys.stderr))
    attempt = 0
    carried: dict[int, list[pa.RecordBatch]] = {}
    while True:
        run: JobRun | None = None
        try:
            run = JobRun(
                graph,
                settings,
                time_zone=time_zone,
                udfs=udfs,
                bounded=bounded,
                metrics=metrics,
                carried=carried,
            )
            if run.restored_from is not None:
                say(f"restored checkpoint {run.restored_from}")
            with _signals(stop):
                run.run(stop)
            return _result(run, changelog)
        except (Recoverable, KafkaException) as e:
            attempt += 1
            if attempt > settings.restart_attempts:
                raise ExecutionError(f"the job failed {attempt} times; last error: {e}") from e
            say(
                f"job failed ({e}); restarting from the last checkpoint ({attempt}/"
                f"{settings.restart_attempts})"
            )
            if run is not None:
                carried = _committed_collect(run)
            time.sleep(settings.restart_delay_ms / 1000)
        finally:
            if run is not None:
                run.close()
            if metrics is not None:
                metrics.detach()


def _committed_collect(run: JobRun) -> dict[int, list[pa.RecordBatch]]:
    out: dict[int, list[pa.RecordBatch]] = {}
    for root in run.graph.roots:
        sink = run.executor.sinks.get(root)
        batches = getattr(sink, "batches", None)
        committed = getattr(sink, "committed", None)
        if batches is not None and committed is not None:
            out[root] = list(batches[:committed])
    return out


def run_stream_job(
    job: Any,
    roots: tuple[n.Plan, ...],
    *,
    changelog: bool = False,
    time_zone: str = "UTC",
    metrics_port: int | None = None,
    progress: bool = False,
    checkpoint_dir: str | None = None,
    bounded: bool | None = None,
) -> pa.Table | None:
    """`nrtg run --mode stream`: lower the optimized roots, run, and return the last query's
    folded result (or its change stream with an `op` column), None when there is no query."""
    from nrtg.compiler.lower.stream import lower_to_stream

    graph = lower_to_stream(tuple(roots))
    options = dict(getattr(job.session, "options", {}) or {})
    udfs = {k: f.class_name for k, f in (getattr(job.bound, "udfs", {}) or {}).items()}
    metrics = JobMetrics(graph)
    server = metrics.serve(metrics_port) if metrics_port is not None else None
    view = metrics.console() if progress else None
    try:
        result = run_graph_job(
            graph,
            options=options,
            changelog=changelog,
            time_zone=time_zone,
            udfs=udfs,
            checkpoint_dir=checkpoint_dir,
            bounded=bounded,
            metrics=metrics,
        )
    finally:
        if view is not None:
            view.stop()
            print(file=sys.stderr)
        if server is not None:
            server.stop()
    for line in metrics.summary():
        print(line, file=sys.stderr)
    return result
