"""Apache Flink on the streaming benchmark's Nexmark topic (issue 5): the same source DDL and
queries as bench/stream.py, run by PyFlink's local mini-cluster, for the nrtg/Flink ratio.

    scripts/flink.sh run --topic bench-nexmark-1234abcd --events 5000000 --queries q0,q5

(`scripts/flink.sh run` installs PyFlink into its own venv, fetches the Kafka connector jar and
runs this file with that venv's python; bench/stream.py --flink does all of it on its topic.)

Per query, in one JVM (PyFlink's gateway, which also hosts the per-job mini-cluster):
- the source is golden/catalogs/nexmark.sql with the Kafka connector, JSON, earliest offsets,
  bounded at the latest offsets (the job ends at the end of the topic), its watermark unchanged;
- the query is golden/cases/nexmark/qN.sql as it stands, into a `blackhole` sink;
- start-up is what the same job costs on the same topic bounded at offset 0 of every partition
  (mini-cluster, planning, code generation, Kafka metadata; no records); it is measured right
  before the full run and subtracted from its wall and CPU time;
- CPU is that of the JVM (all its threads: tasks, Kafka client, GC, JIT) plus this driver.
One warm-up job runs first, so that class loading is not charged to the first query.
Flink runs with its defaults otherwise: no checkpoints, heap state, no mini-batch.
Prints one JSON object per query on stdout.

With --count-rows, each query instead writes CSV into a temporary directory and its row count
is printed (to compare with nrtg's result on a small topic).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from stream import DEFAULT_QUERIES, nexmark_ddl, query_sql

BOUNDED = "'scan.bounded.mode' = 'latest-offset',\n"


def statements(script: str) -> list[str]:
    """The DDL script split into statements: each ends with a `;` at the end of a line."""
    text = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*$", text, flags=re.MULTILINE) if s.strip()]


def empty_bounds(partitions: int) -> str:
    offsets = ";".join(f"partition:{p},offset:0" for p in range(partitions))
    return (
        "'scan.bounded.mode' = 'specific-offsets',\n"
        f"    'scan.bounded.specific-offsets' = '{offsets}',\n"
    )


def jvm_pid() -> int:
    """PyFlink's gateway JVM: the `java` child of this process."""
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm_end = stat.rindex(")")
        ppid = stat[comm_end + 2 :].split()[1]
        if ppid == me and stat[stat.index("(") + 1 : comm_end] == "java":
            return int(entry.name)
    raise RuntimeError("no java child process: did PyFlink start its gateway?")


def cpu_seconds(pid: int) -> float:
    """CPU of the JVM (utime + stime of all its threads) and of this driver."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return ticks / os.sysconf("SC_CLK_TCK") + time.process_time()


class Flink:
    def __init__(self, jar: str, parallelism: int) -> None:
        from pyflink.table import EnvironmentSettings, TableEnvironment

        self.env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
        config = self.env.get_config()
        config.set("pipeline.jars", Path(jar).resolve().as_uri())
        config.set("parallelism.default", str(parallelism))
        self.pid = jvm_pid()

    def database(self, name: str, ddl: str) -> None:
        """The Nexmark table and views in a database of their own, so that one query text runs
        over either bounds."""
        self.env.execute_sql(f"CREATE DATABASE IF NOT EXISTS `{name}`")
        self.env.use_database(name)
        for stmt in statements(ddl):
            self.env.execute_sql(stmt)

    def run(self, database: str, query: str, sink: str) -> dict[str, float]:
        """Wall and CPU seconds of one job: `query` over `database` into a new `sink` table."""
        self.env.use_database(database)
        table = self.env.sql_query(query_sql(query))
        schema = table.get_schema()
        columns = ", ".join(
            f"`{name}` {dtype}"
            for name, dtype in zip(
                schema.get_field_names(), schema.get_field_data_types(), strict=True
            )
        )
        name = f"out_{database}_{query}_{time.monotonic_ns()}"
        self.env.execute_sql(f"CREATE TEMPORARY TABLE `{name}` ({columns}) WITH ({sink})")
        cpu0, wall0 = cpu_seconds(self.pid), time.perf_counter()
        table.execute_insert(name).wait()
        return {"wall_s": time.perf_counter() - wall0, "cpu_s": cpu_seconds(self.pid) - cpu0}


def throughput(flink: Flink, query: str, events: int) -> dict[str, Any]:
    blackhole = "'connector' = 'blackhole'"
    start = flink.run("empty", query, blackhole)
    full = flink.run("full", query, blackhole)
    wall = full["wall_s"] - start["wall_s"]
    cpu = full["cpu_s"] - start["cpu_s"]
    return {
        "query": query,
        "eps": events / wall,
        "eps_core": events / cpu,
        "wall_s": wall,
        "cpu_s": cpu,
        "gross_wall_s": full["wall_s"],
        "gross_cpu_s": full["cpu_s"],
        "startup_wall_s": start["wall_s"],
        "startup_cpu_s": start["cpu_s"],
    }


def count_rows(flink: Flink, query: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        sink = f"'connector' = 'filesystem', 'path' = 'file://{out}', 'format' = 'csv'"
        flink.run("full", query, sink)
        # part files may still carry their in-progress names without checkpoints: count all
        rows = sum(
            len(path.read_bytes().splitlines()) for path in Path(out).rglob("*") if path.is_file()
        )
    return {"query": query, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--topic", required=True, help="a Nexmark topic (bench/stream.py's)")
    parser.add_argument("--events", type=int, required=True, help="events in the topic")
    parser.add_argument("--queries", default=",".join(DEFAULT_QUERIES))
    parser.add_argument("--bootstrap", default=f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--parallelism", type=int, default=1)
    parser.add_argument("--jar", required=True, help="flink-sql-connector-kafka jar")
    parser.add_argument("--count-rows", action="store_true", help="count result rows instead")
    args = parser.parse_args()
    queries = [q.strip() for q in args.queries.split(",") if q.strip()]

    ddl = nexmark_ddl(args.topic, args.bootstrap, True)
    if BOUNDED not in ddl:
        raise RuntimeError("bench/stream.py's nexmark_ddl no longer bounds the source")
    flink = Flink(args.jar, args.parallelism)
    flink.database("full", ddl)
    flink.database("empty", ddl.replace(BOUNDED, empty_bounds(args.partitions)))
    if not args.count_rows:
        flink.run("empty", queries[0], "'connector' = 'blackhole'")  # warm-up
    for q in queries:
        result = count_rows(flink, q) if args.count_rows else throughput(flink, q, args.events)
        result["parallelism"] = args.parallelism
        print(json.dumps(result), flush=True)
        print(f"flink {q}: {result}", file=sys.stderr)


if __name__ == "__main__":
    main()
