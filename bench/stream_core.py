"""Stream executor throughput on generated Nexmark data, without Kafka: the file source replays
a JSON-lines file (DuckDB's JSON reader, as batch) and the job runs in deterministic mode.

    .venv/bin/python bench/stream_core.py --events 200000 --queries q0,q1,q2,q5,q7

Reports, per query: events/s end to end (file decode included) and with the input already
decoded into Arrow (`MemorySource`), i.e. the executor and operators alone; wall-clock and per
core (events / CPU seconds of this process: the machine is shared, so CPU time is the stable
number). DuckDB runs with threads = 1 in the operators.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.compiler.plan import nodes as n
from nrtg.golden import ROOT, load_case
from nrtg.runtime.stream.executor import Executor
from nrtg.runtime.stream.operators.file_source import MemorySource, read_file


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--queries", default="q0,q1,q2,q5,q7")
    ap.add_argument("--batch-size", type=int, default=16_384)
    ap.add_argument("--data", type=Path, default=None, help="an existing generated directory")
    args = ap.parse_args()
    data = args.data
    if data is None:
        data = Path(tempfile.mkdtemp()) / "nexmark"
        nrtg = str(Path(sys.executable).parent / "nrtg")
        subprocess.run(
            [nrtg, "nexmark", "generate", "--events", str(args.events), "--out", str(data)],
            check=True,
            capture_output=True,
        )
    print(
        f"{'query':6} {'events':>8} {'wall ev/s':>10} {'ev/s/core':>10} "
        f"{'no-decode wall':>14} {'no-decode ev/s/core':>19}"
    )
    for q in args.queries.split(","):
        case = load_case(ROOT / "cases" / "nexmark" / f"{q}.sql")
        job = compile_sql(case.script().replace("${NEXMARK_PATH}", str(data)))
        plans = tuple(r.input if isinstance(r, n.Sink) else r for r in job.optimized)
        graph = lower_to_stream(plans)
        udfs = {name: f.class_name for name, f in job.bound.udfs.items()}
        t0, c0 = time.perf_counter(), cpu()
        ex = Executor(graph, batch_size=args.batch_size, udfs=udfs)
        ex.run()
        wall, used = time.perf_counter() - t0, cpu() - c0
        events = args.events
        # The same job over already-decoded Arrow rows.
        decoded = {}
        for spec in graph.sources:
            if isinstance(spec.node, n.TableScan):
                path = str(next(data.iterdir()))
                decoded[spec.id] = read_file(spec.node, path)
        t1, c1 = time.perf_counter(), cpu()
        ex2 = Executor(
            graph,
            batch_size=args.batch_size,
            udfs=udfs,
            source_factory=lambda spec, d=decoded: MemorySource(spec.node, [("0", d[spec.id])]),  # type: ignore[misc]
        )
        ex2.run()
        wall2, used2 = time.perf_counter() - t1, cpu() - c1
        print(
            f"{q:6} {events:>8} {events / wall:>10,.0f} {events / used:>10,.0f} "
            f"{events / wall2:>14,.0f} {events / used2:>19,.0f}"
        )


if __name__ == "__main__":
    main()
