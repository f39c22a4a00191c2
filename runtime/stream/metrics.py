"""Job metrics: records in/out and late rows per operator, watermark and lag per source, records
per sink, state size and checkpoint duration; exposed as Prometheus text on
`http://127.0.0.1:<--metrics-port>/metrics` and as a live console table (`--progress`).

The job's loop calls `tick()`; at most every `refresh_s` it renders a fresh snapshot (text and
rows) that the HTTP thread and the console only read, so no lock guards executor state.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from nrtg.compiler.lower.graph import JobGraph
from nrtg.compiler.plan import nodes as n

from .api import MAX_WATERMARK, MIN_WATERMARK

if TYPE_CHECKING:
    from .job import JobRun

PREFIX = "nrtg"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass
class Sample:
    name: str
    labels: dict[str, str]
    value: float
    kind: str = "gauge"
    help: str = ""


@dataclass
class Snapshot:
    samples: list[Sample] = field(default_factory=list)
    text: str = ""
    at: float = 0.0


class JobMetrics:
    def __init__(self, graph: JobGraph, refresh_s: float = 0.5) -> None:
        self.graph = graph
        self.refresh_s = refresh_s
        self.run: JobRun | None = None
        self.last_tick = 0.0
        self.started = time.monotonic()
        self.checkpoints = 0
        self.last_checkpoint_id = 0
        self.last_checkpoint_s = 0.0
        self.max_checkpoint_s = 0.0
        self.state_bytes = 0
        self.restarts = 0
        self.snapshot = Snapshot(text=self._render([]))
        self.listeners: list[Any] = []

    # -- feeding --------------------------------------------------------------------------
    def attach(self, run: JobRun) -> None:
        if self.run is not None:
            self.restarts += 1
        self.run = run
        self.refresh()

    def detach(self) -> None:
        if self.run is not None:
            self.refresh()

    def checkpointed(self, checkpoint_id: int, seconds: float, size: int) -> None:
        self.checkpoints += 1
        self.last_checkpoint_id = checkpoint_id
        self.last_checkpoint_s = seconds
        self.max_checkpoint_s = max(self.max_checkpoint_s, seconds)
        self.state_bytes = size

    def tick(self, now: float) -> None:
        if now - self.last_tick >= self.refresh_s:
            self.last_tick = now
            self.refresh()

    def refresh(self) -> None:
        samples = list(self._collect())
        self.snapshot = Snapshot(samples, self._render(samples), time.monotonic())
        for listener in self.listeners:
            listener(self.snapshot)

    # -- collecting -----------------------------------------------------------------------
    def _name(self, op_id: int) -> str:
        spec = self.graph.operator(op_id)
        node = spec.node
        if isinstance(node, n.TableScan | n.Sink):
            return f"{spec.kind}:{node.table}"
        return f"{spec.id}:{spec.kind}"

    def _collect(self) -> Iterator[Sample]:
        run = self.run
        yield Sample("uptime_seconds", {}, time.monotonic() - self.started)
        yield Sample("restarts_total", {}, self.restarts, "counter")
        yield Sample("checkpoints_total", {}, self.checkpoints, "counter")
        yield Sample("checkpoint_id", {}, self.last_checkpoint_id)
        yield Sample("checkpoint_duration_seconds", {}, self.last_checkpoint_s)
        yield Sample("checkpoint_duration_max_seconds", {}, self.max_checkpoint_s)
        yield Sample("state_size_bytes", {}, self.state_bytes)
        if run is None:
            return
        ex = run.executor
        for op_id, op in ex.operators.items():
            labels = {"operator": self._name(op_id)}
            values = op.metrics()
            for key in ("records_in", "records_out", "late_records_dropped"):
                yield Sample(f"operator_{key}_total", labels, float(values.get(key, 0)), "counter")
            yield Sample("operator_state_rows", labels, float(values.get("state_rows", 0)))
        for sid, src in ex.sources.items():
            labels = {"source": self._name(sid)}
            source_metrics = getattr(src, "metrics", None)
            if source_metrics is not None:
                values = source_metrics()
                yield Sample("source_records_in_total", labels, values["records_in"], "counter")
                yield Sample(
                    "source_records_skipped_total", labels, values["records_skipped"], "counter"
                )
                yield Sample("source_lag_records", labels, values["lag"])
            marks = [getattr(ex.operators[a], "current", MIN_WATERMARK) for a in ex.assigners[sid]]
            if marks:
                mark = min(marks)
                if MIN_WATERMARK < mark < MAX_WATERMARK:
                    yield Sample("source_watermark_ms", labels, float(mark))
        for kid, sink in ex.sinks.items():
            labels = {"sink": self._name(kid)}
            sink_metrics = getattr(sink, "metrics", None)
            count = (
                sink_metrics()["records_in"] if sink_metrics else len(getattr(sink, "batches", []))
            )
            yield Sample("sink_records_in_total", labels, float(count), "counter")

    def _render(self, samples: list[Sample]) -> str:
        lines: list[str] = []
        typed: set[str] = set()
        for s in samples:
            name = f"{PREFIX}_{s.name}"
            if name not in typed:
                typed.add(name)
                lines.append(f"# TYPE {name} {s.kind}")
            labels = ",".join(f'{k}="{_label(v)}"' for k, v in s.labels.items())
            value = repr(float(s.value)) if not float(s.value).is_integer() else str(int(s.value))
            lines.append(f"{name}{{{labels}}} {value}" if labels else f"{name} {value}")
        return "\n".join(lines) + "\n"

    def summary(self) -> list[str]:
        self.refresh()
        out = []
        for s in self.snapshot.samples:
            if s.name == "sink_records_in_total":
                out.append(f"{s.labels['sink']}: {int(s.value)} rows")
            if s.name == "source_records_skipped_total" and s.value:
                out.append(f"{s.labels['source']}: {int(s.value)} malformed records skipped")
            if s.name == "operator_late_records_dropped_total" and s.value:
                out.append(f"{s.labels['operator']}: {int(s.value)} late rows dropped")
        out.append(
            f"checkpoints: {self.checkpoints} (last {self.last_checkpoint_s * 1000:.0f} ms, "
            f"state {self.state_bytes} bytes), restarts: {self.restarts}"
        )
        return out

    # -- outputs --------------------------------------------------------------------------
    def serve(self, port: int, host: str = "127.0.0.1") -> MetricsServer:
        return MetricsServer(self, host, port)

    def console(self) -> ConsoleView:
        return ConsoleView(self)


class MetricsServer:
    """Prometheus text exposition on a loopback port, served from a daemon thread."""

    def __init__(self, metrics: JobMetrics, host: str, port: int) -> None:
        owner = metrics

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] not in ("/metrics", "/"):
                    self.send_error(404)
                    return
                body = owner.snapshot.text.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class ConsoleView:
    """A rich live table on stderr: per operator in/out/late/state, per source lag and
    watermark, checkpoint numbers."""

    def __init__(self, metrics: JobMetrics) -> None:
        from rich.console import Console
        from rich.live import Live

        self.metrics = metrics
        self.live = Live(
            self._table(metrics.snapshot), console=Console(stderr=True), refresh_per_second=2
        )
        self.live.start()
        metrics.listeners.append(self._update)

    def _table(self, snap: Snapshot) -> Any:
        from rich.table import Table

        rows: dict[str, dict[str, float]] = {}
        other: dict[str, float] = {}
        for s in snap.samples:
            name = s.labels.get("operator") or s.labels.get("source") or s.labels.get("sink")
            if name is None:
                other[s.name] = s.value
                continue
            rows.setdefault(name, {})[s.name] = s.value
        m = self.metrics
        table = Table(
            title=(
                f"nrtg job: checkpoint {m.last_checkpoint_id} "
                f"({m.last_checkpoint_s * 1000:.0f} ms, {m.state_bytes / 1e6:.1f} MB state), "
                f"restarts {m.restarts}, up {other.get('uptime_seconds', 0):.0f} s"
            )
        )
        for col in ("node", "in", "out", "late", "state rows", "lag", "watermark"):
            table.add_column(col, justify="left" if col == "node" else "right")
        for name, v in rows.items():
            records_in = v.get(
                "operator_records_in_total",
                v.get("source_records_in_total", v.get("sink_records_in_total", 0)),
            )
            mark = v.get("source_watermark_ms")
            table.add_row(
                name,
                f"{int(records_in):,}",
                f"{int(v.get('operator_records_out_total', 0)):,}",
                f"{int(v.get('operator_late_records_dropped_total', 0)):,}",
                f"{int(v.get('operator_state_rows', 0)):,}",
                f"{int(v['source_lag_records']):,}" if "source_lag_records" in v else "",
                time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(mark / 1000)) if mark else "",
            )
        return table

    def _update(self, snap: Snapshot) -> None:
        self.live.update(self._table(snap))

    def stop(self) -> None:
        if self._update in self.metrics.listeners:
            self.metrics.listeners.remove(self._update)
        self.live.stop()
