"""Streaming benchmark on the project's Kafka broker (issue 5): Nexmark JSON events in a
4-partition topic, one job process, queries q0, q1, q2, q5, q7, q8.

    scripts/kafka.sh start
    .venv/bin/python bench/stream.py --events 5000000          # the recorded run
    .venv/bin/python bench/stream.py --events 200000 --queries q0,q5   # a quick look
    .venv/bin/python bench/stream.py --events 5000000 --no-latency --flink   # nrtg/Flink ratio

Two phases per query, each in this one process (librdkafka's threads included in its CPU time):

1. Throughput: the job reads the whole pre-filled topic (bounded at the end offsets seen at
   start: consume + JSON decode + operators) into a blackhole sink. Reported: events/s of wall
   time and events per CPU second of the process ("per core used"; the machine is shared, so
   CPU time is the stable number).
2. Latency at half the measured maximum rate: a paced producer (another process) writes fresh
   events at rate/2 into a new topic while the job runs unbounded into an at-least-once Kafka
   sink. A record's latency runs from its produce call (its Kafka CreateTime) to the moment its
   output is handed to the sink producer. For q0-q2 each input record is a sample; for the
   windowed queries each output row is a sample, measured from the input record whose watermark
   advance emitted it (the bounded out-of-orderness delay itself is not counted). Reported:
   p50/p99 over the run after a 2 s warm-up.

With --flink, Apache Flink then runs the same queries on the same topic (bench/flink_stream.py
through scripts/flink.sh: PyFlink's local mini-cluster, start-up subtracted) and the report
gives the nrtg/Flink ratios; --flink-rows also checks that both produce as many result rows.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "golden" / "cases" / "nexmark"
NRTG = str(Path(sys.executable).parent / "nrtg")
STATELESS = ("q0", "q1", "q2")
DEFAULT_QUERIES = ("q0", "q1", "q2", "q5", "q7", "q8")


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def make_topic(bootstrap: str, name: str, partitions: int) -> str:
    from confluent_kafka.admin import AdminClient, NewTopic

    topic = f"{name}-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    new = NewTopic(topic, num_partitions=partitions, replication_factor=1)
    admin.create_topics([new], operation_timeout=30)[topic].result(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        meta = admin.list_topics(topic=topic, timeout=10).topics.get(topic)
        if meta is not None and meta.error is None and len(meta.partitions) == partitions:
            return topic
        time.sleep(0.1)
    raise RuntimeError(f"topic {topic} did not come up")


def drop_topics(bootstrap: str, *topics: str) -> None:
    """The broker keeps data forever: drop what the benchmark made (best effort)."""
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.delete_topics(list(topics), operation_timeout=30).values():
        with contextlib.suppress(Exception):
            future.result(timeout=60)


def nexmark_ddl(topic: str, bootstrap: str, bounded: bool) -> str:
    text = (ROOT / "golden" / "catalogs" / "nexmark.sql").read_text()
    options = (
        "'connector' = 'kafka',\n"
        f"    'topic' = '{topic}',\n"
        f"    'properties.bootstrap.servers' = '{bootstrap}',\n"
        "    'scan.startup.mode' = 'earliest-offset',\n"
        + ("    'scan.bounded.mode' = 'latest-offset',\n" if bounded else "")
    )
    return text.replace("'connector' = 'filesystem',\n    'path' = '${NEXMARK_PATH}',\n", options)


def query_sql(name: str) -> str:
    lines = (CASES / f"{name}.sql").read_text().splitlines()
    return "\n".join(line for line in lines if not line.startswith("--")).strip().rstrip(";")


def job_graph(query: str, topic: str, bootstrap: str, bounded: bool, sink: dict[str, str]) -> Any:
    """The query compiled for the stream target, its result written to a sink table."""
    from nrtg.catalog.schema import Ident
    from nrtg.compiler.api import compile_sql
    from nrtg.compiler.lower.stream import lower_to_stream
    from nrtg.compiler.plan import nodes as n

    job = compile_sql(nexmark_ddl(topic, bootstrap, bounded) + query_sql(query) + ";", None)
    plan = job.optimized[-1]
    root = n.Sink(
        input=plan,
        table=Ident("bench", f"{query}_out"),
        fields=plan.schema.fields,
        options=tuple(sorted(sink.items())),
    )
    return lower_to_stream((root,))


# -- phase 1: throughput --------------------------------------------------------------------
def throughput(query: str, topic: str, bootstrap: str, events: int, batch: int) -> dict[str, float]:
    from nrtg.runtime.stream.job import JobRun, Settings

    graph = job_graph(query, topic, bootstrap, True, {"connector": "blackhole"})
    settings = Settings(checkpoint_interval_ms=10_000, batch_size=batch)
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    run = JobRun(graph, settings, bounded=True)
    try:
        run.run(lambda: False)
        records = sum(src.records_in for src in run.kafka_sources.values())
        rows = sum(sink.records_in for sink in run.executor.sinks.values())
    finally:
        run.close()
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    if records != events:
        raise RuntimeError(f"{query}: read {records} records, expected {events}")
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "eps": events / wall,
        "eps_core": events / cpu,
        "rows_out": rows,
    }


# -- phase 2: latency at a fixed rate -------------------------------------------------------
def paced_producer(bootstrap: str, topic: str, path: str, rate: float, seconds: float) -> None:
    """Writes the events of `path` (one JSON per line) at `rate` events/s for `seconds`,
    event n to partition n mod 4, with CreateTime = now (librdkafka's default)."""
    from confluent_kafka import Producer

    producer = Producer(
        {"bootstrap.servers": bootstrap, "linger.ms": 1, "queue.buffering.max.messages": 2_000_000}
    )
    with open(path, "rb") as f:
        lines = f.read().splitlines()
    total = min(len(lines), int(rate * seconds))
    start = time.monotonic()
    sent = 0
    tick = 0.005
    while sent < total:
        due = min(total, int((time.monotonic() - start) * rate))
        while sent < due:
            try:
                producer.produce(topic, lines[sent], partition=sent % 4)
            except BufferError:
                producer.poll(0.01)
                continue
            sent += 1
        producer.poll(0)
        time.sleep(tick)
    producer.flush(60)


@dataclass
class LatencyProbe:
    stateless: bool
    inputs: list[int] = field(default_factory=list)  # this step's CreateTimes (ms)
    samples: list[float] = field(default_factory=list)
    warmup_until: float = 0.0

    def observe(self, msgs: list[Any]) -> None:
        self.inputs.extend(m.timestamp()[1] for m in msgs)

    def wrote(self, rows: int) -> None:
        if not self.inputs or time.time() < self.warmup_until:
            return
        now = time.time() * 1000
        if self.stateless:
            self.samples.extend(now - ts for ts in self.inputs[::10])
            self.inputs.clear()  # one sample per input record, not per write
        else:
            newest = max(self.inputs)
            self.samples.extend([now - newest] * rows)


def latency(
    query: str, bootstrap: str, events_file: str, rate: float, seconds: float, batch: int
) -> dict[str, float]:
    from nrtg.runtime.stream.job import JobRun, Settings

    topic = make_topic(bootstrap, f"bench-live-{query}", 4)
    out = make_topic(bootstrap, f"bench-out-{query}", 4)
    sink = {
        "connector": "kafka",
        "topic": out,
        "properties.bootstrap.servers": bootstrap,
        "format": "json",
        "sink.delivery-guarantee": "at-least-once",
    }
    graph = job_graph(query, topic, bootstrap, False, sink)
    run = JobRun(graph, Settings(checkpoint_interval_ms=2000, batch_size=batch), bounded=False)
    probe = LatencyProbe(query in STATELESS)
    for src in run.kafka_sources.values():
        src.observer = probe.observe
    for sink_obj in run.executor.sinks.values():
        original = sink_obj.write

        def write(b: Any, original: Any = original) -> None:
            original(b)
            probe.wrote(b.num_rows)

        setattr(sink_obj, "write", write)  # noqa: B010
    producer = multiprocessing.get_context("spawn").Process(
        target=paced_producer, args=(bootstrap, topic, events_file, rate, seconds)
    )
    producer.start()
    probe.warmup_until = time.time() + 2
    ex = run.executor
    last_cp = time.monotonic()
    try:
        while producer.is_alive() or time.monotonic() - last_cp < 1:
            probe.inputs.clear()  # samples relate outputs to this step's inputs
            ex.step()
            if time.monotonic() - last_cp > 2:
                run.checkpoint()
                last_cp = time.monotonic()
            if not producer.is_alive() and not any(
                src.lag().get(s, 0) for src in run.kafka_sources.values() for s in src.splits
            ):
                break
    finally:
        producer.join(timeout=60)
        run.close()
        drop_topics(bootstrap, topic, out)
    if len(probe.samples) < 2:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "samples": len(probe.samples)}
    qs = statistics.quantiles(probe.samples, n=100, method="inclusive")
    return {"p50_ms": qs[49], "p99_ms": qs[98], "samples": len(probe.samples)}


def fill_topic(bootstrap: str, events: int) -> str:
    topic = make_topic(bootstrap, "bench-nexmark", 4)
    started = time.perf_counter()
    subprocess.run(
        [
            NRTG,
            "nexmark",
            "generate",
            "--events",
            str(events),
            "--seed",
            "1",
            "--out",
            f"kafka://{bootstrap}/{topic}",
        ],
        check=True,
        capture_output=True,
    )
    print(
        f"filled {topic} with {events} events in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return topic


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--queries", default=",".join(DEFAULT_QUERIES))
    parser.add_argument("--bootstrap", default=f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")
    parser.add_argument("--topic", help="an existing Nexmark topic holding exactly --events events")
    parser.add_argument("--batch-size", type=int, default=32_768, help="records per poll")
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--flink", action="store_true", help="also run Apache Flink, report ratios")
    parser.add_argument("--flink-parallelism", default="1", help="e.g. 1,2")
    parser.add_argument("--flink-rows", action="store_true", help="compare result row counts")
    args = parser.parse_args()
    queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    topic = args.topic or fill_topic(args.bootstrap, args.events)
    results: dict[str, dict[str, float]] = {}
    flink: list[dict[str, Any]] = []
    try:
        run_all(args, queries, topic, results)
        if args.flink:
            flink = run_flink(args, queries, topic)
    finally:
        if not args.topic:
            drop_topics(args.bootstrap, topic)
    report(args, results)
    if flink:
        report_flink(results, flink)


def run_flink(args: argparse.Namespace, queries: list[str], topic: str) -> list[dict[str, Any]]:
    """bench/flink_stream.py's JSON lines: one per query and parallelism (and row counts)."""
    common = ["--topic", topic, "--events", str(args.events), "--queries", ",".join(queries)]
    common += ["--bootstrap", args.bootstrap]
    runs = [["--parallelism", p.strip()] for p in args.flink_parallelism.split(",")]
    runs += [["--count-rows"]] if args.flink_rows else []
    out: list[dict[str, Any]] = []
    for extra in runs:
        done = subprocess.run(
            [str(ROOT / "scripts" / "flink.sh"), "run", *common, *extra],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        out += [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return out


def run_all(
    args: argparse.Namespace, queries: list[str], topic: str, results: dict[str, dict[str, float]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        live_events = 0
        for q in queries:
            r = throughput(q, topic, args.bootstrap, args.events, args.batch_size)
            print(f"{q}: {r['eps']:,.0f} events/s, {r['eps_core']:,.0f} per core", file=sys.stderr)
            if not args.no_latency:
                rate = r["eps"] / 2
                need = int(rate * args.latency_seconds) + 1
                if need > live_events:
                    subprocess.run(
                        [
                            NRTG,
                            "nexmark",
                            "generate",
                            "--events",
                            str(need),
                            "--seed",
                            "2",
                            "--out",
                            tmp,
                        ],
                        check=True,
                        capture_output=True,
                    )
                    live_events = need
                events_file = str(Path(tmp) / "events.jsonl")
                r |= {"rate": rate}
                r |= latency(
                    q, args.bootstrap, events_file, rate, args.latency_seconds, args.batch_size
                )
                print(f"{q}: p99 {r['p99_ms']:.0f} ms at {rate:,.0f} events/s", file=sys.stderr)
            results[q] = r


def report(args: argparse.Namespace, results: dict[str, dict[str, float]]) -> None:
    print(
        f"\nNexmark on Kafka: {args.events:,} JSON events, 4 partitions, one process, "
        f"{args.batch_size} records per poll\n"
    )
    print(
        "| query | events/s | events/s per core | CPU s | p50 latency | p99 latency | at rate "
        "| latency samples |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for q, r in results.items():
        lat = (
            f"{r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['rate']:,.0f}/s | {r['samples']:,}"
            if "p99_ms" in r
            else "- | - | - | -"
        )
        print(f"| {q} | {r['eps']:,.0f} | {r['eps_core']:,.0f} | {r['cpu_s']:.1f} | {lat} |")
    print("\n" + json.dumps(results), file=sys.stderr)


def report_flink(results: dict[str, dict[str, float]], flink: list[dict[str, Any]]) -> None:
    print(
        "\nApache Flink on the same topic (PyFlink local mini-cluster, start-up subtracted; "
        "CPU of its JVM)\n"
    )
    print(
        "| query | Flink parallelism | Flink events/s | Flink per core | nrtg/Flink events/s "
        "| nrtg/Flink per core |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for f in (f for f in flink if "eps" in f):
        r = results[f["query"]]
        print(
            f"| {f['query']} | {f['parallelism']} | {f['eps']:,.0f} | {f['eps_core']:,.0f} "
            f"| {r['eps'] / f['eps']:.2f} | {r['eps_core'] / f['eps_core']:.2f} |"
        )
    for f in (f for f in flink if "rows" in f):
        nrtg_rows = results[f["query"]]["rows_out"]
        verdict = "same" if nrtg_rows == f["rows"] else "DIFFERENT"
        print(f"{f['query']}: result rows nrtg {nrtg_rows:,}, Flink {f['rows']:,} ({verdict})")
    print(json.dumps(flink), file=sys.stderr)


if __name__ == "__main__":
    main()
