"""Metrics and a clean stop: `nrtg run --mode stream --metrics-port P` over an unbounded Kafka
source serves Prometheus text (records per operator/source/sink, watermark, lag, checkpoints,
state size); SIGINT (Ctrl-C) stops the job with a final checkpoint and prints the folded
result; the console view renders the same numbers."""

from __future__ import annotations

import io
import json
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.runtime.stream.metrics import JobMetrics

from ...services import make_topic
from ._kafka import NRTG, produce

pytestmark = pytest.mark.kafka


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _script(topic: str, bootstrap: str, cp: Path) -> str:
    return (
        f"SET 'execution.checkpointing.dir' = '{cp}';\n"
        "SET 'execution.checkpointing.interval' = '200 ms';\n"
        "CREATE TABLE s (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)"
        f" WITH ('connector' = 'kafka', 'topic' = '{topic}', "
        f"'properties.bootstrap.servers' = '{bootstrap}', 'format' = 'json', "
        "'scan.startup.mode' = 'earliest-offset');\n"
        "SELECT MOD(id, 3) AS k, COUNT(*) AS n FROM s GROUP BY MOD(id, 3);\n"
    )


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        assert r.headers["Content-Type"].startswith("text/plain")
        return r.read().decode()


def _value(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        m = re.match(r"^(\w+)(\{(.*)\})? (\S+)$", line)
        assert m is not None, f"not Prometheus text: {line!r}"
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(3) or ""))
        if m.group(1) == name and all(got.get(k) == v for k, v in labels.items()):
            return float(m.group(4))
    return None


def test_metrics_endpoint_and_ctrl_c(kafka_bootstrap: str, tmp_path: Path) -> None:
    topic = make_topic(kafka_bootstrap, "metrics", 2)
    rows = [
        json.dumps({"id": i, "ts": f"2026-01-01 00:00:{i:02d}.000"}).encode() for i in range(30)
    ]
    produce(kafka_bootstrap, topic, rows[:15], partition=0)
    produce(kafka_bootstrap, topic, rows[15:], partition=1)
    script = tmp_path / "job.sql"
    script.write_text(_script(topic, kafka_bootstrap, tmp_path / "cp"))
    port = _free_port()
    proc = subprocess.Popen(
        [
            NRTG,
            "run",
            "--mode",
            "stream",
            "--format",
            "jsonl",
            "--catalog",
            "memory://",
            "--metrics-port",
            str(port),
            str(script),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        text = ""
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()[1].decode()[-3000:]
            try:
                text = _scrape(port)
            except OSError:
                time.sleep(0.2)
                continue
            done = _value(text, "nrtg_source_records_in_total", source="source:default.s")
            if done == 30 and (_value(text, "nrtg_checkpoints_total") or 0) >= 2:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"metrics never showed 30 records:\n{text}")
        assert _value(text, "nrtg_source_lag_records", source="source:default.s") == 0
        # the last row of each partition is at 00:00:14 / 00:00:29: watermark = min - 1 s
        assert _value(text, "nrtg_source_watermark_ms", source="source:default.s") == (
            1767225600000 + 13_000
        )
        ops = [
            line for line in text.splitlines() if line.startswith("nrtg_operator_records_in_total")
        ]
        assert ops and all(float(line.rsplit(" ", 1)[1]) >= 30 for line in ops[:1])
        assert _value(text, "nrtg_checkpoint_duration_seconds") is not None
        assert (_value(text, "nrtg_state_size_bytes") or 0) > 0
        assert "# TYPE nrtg_operator_late_records_dropped_total counter" in text
        proc.send_signal(signal.SIGINT)  # Ctrl-C: clean stop, final checkpoint, result
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err.decode()[-3000:]
    result = sorted(
        (json.loads(line)["k"], json.loads(line)["n"]) for line in out.decode().splitlines()
    )
    assert result == [(0, 10), (1, 10), (2, 10)]
    assert "checkpoints:" in err.decode()


def test_console_view_renders(kafka_bootstrap: str) -> None:
    from rich.console import Console

    sql = (
        "CREATE TABLE s (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 't', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', 'format' = 'json');\n"
        "SELECT id FROM s WHERE id > 1;"
    )
    graph = lower_to_stream(tuple(compile_sql(sql, None, target="stream").optimized))
    metrics = JobMetrics(graph)
    metrics.checkpointed(7, 0.012, 2048)
    view = metrics.console()
    try:
        buf = io.StringIO()
        Console(file=buf, width=150).print(view._table(metrics.snapshot))
    finally:
        view.stop()
    assert "checkpoint 7" in buf.getvalue()
    assert "nrtg_checkpoint_id 7" in metrics._render(list(metrics._collect()))
