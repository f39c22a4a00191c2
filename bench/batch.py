"""Batch benchmark (issue 4): nrtg's batch target vs a hand-written DuckDB query, side by side
in one run on the same Nexmark files (JSON lines and Parquet), for q0 q1 q2 q3 q4 q5 q7 q8 q9.

Per query and format: the median of `--runs` wall times (and process CPU times) of
  * nrtg: `BatchSession.run(lower_to_duckdb(plan))` on a fresh session (registers the sources,
    runs the lowered SQL, returns the Arrow result), and
  * hand: the same question written directly in DuckDB SQL (Flink's semantics spelled out) on a
    fresh connection, also materialized as an Arrow table;
their ratio (target: nrtg <= 1.2x hand), and compile + lowering time (SQL text -> optimized plan
-> DuckDB SQL, the Nexmark tables and views in an in-memory catalog; median of 30 thread CPU
times, target <= 5 ms). The runs alternate between the two sides and which goes first,
and the CPU ratio is printed next to the wall-time one: on a machine shared with other work
wall time follows the load, CPU time much less. Data is generated once per event count into
`.cache/bench/` (`--cache`).

    .venv/bin/python bench/batch.py --events 10000000            # the recorded run
    .venv/bin/python bench/batch.py --events 200000 --runs 1     # a quick look
    .venv/bin/python bench/batch.py --explain q5 --events 200000  # EXPLAIN ANALYZE, both sides
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ("q0", "q1", "q2", "q3", "q4", "q5", "q7", "q8", "q9")
FILES = 8  # files per format: DuckDB reads them in parallel

# The hand-written queries, over views `bid`, `auction`, `person` (the struct fields of the
# one-table layout, selected by event_type), with Flink's semantics spelled out.
HAND: dict[str, str] = {
    "q0": "SELECT auction, bidder, price, dateTime, extra FROM bid",
    "q1": "SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid",
    "q2": "SELECT auction, price FROM bid WHERE auction % 123 = 0",
    "q3": """SELECT p.name, p.city, p.state, a.id FROM auction a JOIN person p ON a.seller = p.id
             WHERE a.category = 10 AND p.state IN ('OR', 'ID', 'CA')""",
    "q4": """SELECT category, sum(final) // count(final) AS avg_final FROM (
               SELECT max(b.price) AS final, a.category FROM auction a JOIN bid b
               ON a.id = b.auction AND b.dateTime BETWEEN a.dateTime AND a.expires
               GROUP BY a.id, a.category) GROUP BY category""",
    "q5": """WITH hop AS (
               SELECT auction, time_bucket(INTERVAL 2 SECOND, dateTime)
                        - INTERVAL (k * 2) SECOND AS ws
               FROM bid, range(5) r(k)),
             c AS (SELECT auction, ws, count(*) AS n FROM hop GROUP BY auction, ws),
             m AS (SELECT ws, max(n) AS mx FROM c GROUP BY ws)
             SELECT c.auction, c.n FROM c JOIN m ON c.ws = m.ws AND c.n >= m.mx""",
    "q7": """WITH m AS (SELECT max(price) AS mp,
                    time_bucket(INTERVAL 10 SECOND, dateTime) + INTERVAL 10 SECOND AS we
                    FROM bid GROUP BY 2)
             SELECT b.auction, b.price, b.bidder, b.dateTime, b.extra FROM bid b JOIN m
             ON b.price = m.mp WHERE b.dateTime BETWEEN m.we - INTERVAL 10 SECOND AND m.we""",
    "q8": """WITH p AS (SELECT DISTINCT id, name, time_bucket(INTERVAL 10 SECOND, dateTime) AS s
                       FROM person),
                  a AS (SELECT DISTINCT seller, time_bucket(INTERVAL 10 SECOND, dateTime) AS s
                       FROM auction)
             SELECT p.id, p.name, p.s FROM p JOIN a ON p.id = a.seller AND p.s = a.s""",
    "q9": """SELECT * EXCLUDE (rn) FROM (
               SELECT a.*, b.auction, b.bidder, b.price, b.dateTime AS bid_dateTime,
                      b.extra AS bid_extra,
                      row_number() OVER (PARTITION BY a.id ORDER BY b.price DESC, b.dateTime) AS rn
               FROM auction a JOIN bid b
               ON a.id = b.auction AND b.dateTime BETWEEN a.dateTime AND a.expires)
             WHERE rn = 1""",
}


# -- data -------------------------------------------------------------------------------------


def ensure_data(cache: Path, events: int, fmt: str) -> Path:
    """`cache/nexmark-<events>/<fmt>/`: seeded events (seed 1, rate 10 000/s), made once."""
    from nrtg.runtime.nexmark.config import NexmarkConfig
    from nrtg.runtime.nexmark.sinks import write_directory

    out = cache / f"nexmark-{events}" / fmt
    done = out / "_COMPLETE"
    if done.exists():
        return out
    started = time.perf_counter()
    print(f"generating {events} events as {fmt} into {out} ...", file=sys.stderr, flush=True)
    write_directory(
        NexmarkConfig(events=events, seed=1),
        out,
        fmt="parquet" if fmt == "parquet" else "json",
        files=FILES,
    )
    done.write_text("")
    print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return out


def _files(directory: Path) -> str:
    names = sorted(p for p in directory.iterdir() if p.name.startswith("events"))
    return "[" + ", ".join(f"'{p}'" for p in names) + "]"


def hand_views(con: Any, directory: Path, fmt: str) -> None:
    """The views the hand-written queries use, over the same files."""
    from nrtg.compiler.lower.duckdb_types import duck_type_text

    if fmt == "json":
        scan = _catalog_scan()
        spec = ", ".join(f"'{f.name}': '{duck_type_text(f.type)}'" for f in scan.fields)
        src = f"read_json({_files(directory)}, format = 'newline_delimited', columns = {{{spec}}})"
    else:
        src = f"read_parquet({_files(directory)})"
    for kind, view in enumerate(("person", "auction", "bid")):
        con.execute(f"CREATE VIEW {view} AS SELECT {view}.* FROM {src} WHERE event_type = {kind}")


def _catalog_scan() -> Any:
    from nrtg.compiler.api import compile_sql
    from nrtg.compiler.plan import nodes as n

    ddl = (ROOT / "golden" / "catalogs" / "nexmark.sql").read_text()
    job = compile_sql(ddl + "\nSELECT * FROM nexmark;")
    node = job.logical[0]
    while not isinstance(node, n.TableScan):
        node = node.children[0]
    return node


# -- nrtg -------------------------------------------------------------------------------------


def nexmark_catalog(directory: Path, fmt: str) -> Any:
    from nrtg.catalog.memory import MemoryCatalog
    from nrtg.compiler.api import compile_sql
    from nrtg.persist import apply_changes

    ddl = (ROOT / "golden" / "catalogs" / "nexmark.sql").read_text()
    ddl = ddl.replace("${NEXMARK_PATH}", str(directory))
    if fmt == "parquet":
        ddl = ddl.replace("'format' = 'json',", "'format' = 'parquet',").replace(
            ",\n    'json.timestamp-format.standard' = 'SQL'", ""
        )
    catalog = MemoryCatalog()
    apply_changes(catalog, compile_sql(ddl, catalog).bound.changes)
    return catalog


def query_text(name: str) -> str:
    from nrtg import golden

    return golden.load_case(ROOT / "golden" / "cases" / "nexmark" / f"{name}.sql").body


def lowered(name: str, catalog: Any) -> Any:
    from nrtg.compiler.api import compile_sql
    from nrtg.compiler.lower.duckdb import lower_to_duckdb

    job = compile_sql(query_text(name), catalog)
    (plan,) = job.optimized
    return lower_to_duckdb(plan, udfs=job.bound.udfs)


def compile_ms(name: str, catalog: Any, runs: int = 30) -> tuple[float, float]:
    """Medians (ms) of compile (parse, bind, optimize) and of lowering to DuckDB SQL."""
    from nrtg.compiler.api import compile_sql
    from nrtg.compiler.lower.duckdb import lower_to_duckdb

    for _ in range(3):
        lowered(name, catalog)
    text = query_text(name)
    compiles, lowers = [], []
    for _ in range(runs):
        # This thread's CPU time: the work is single-threaded Python, and neither other
        # processes nor DuckDB's threads (still busy after a query) count.
        start = time.thread_time()
        job = compile_sql(text, catalog)
        (plan,) = job.optimized
        middle = time.thread_time()
        lower_to_duckdb(plan, udfs=job.bound.udfs)
        end = time.thread_time()
        compiles.append((middle - start) * 1000)
        lowers.append((end - middle) * 1000)
    return statistics.median(compiles), statistics.median(lowers)


def run_nrtg(query: Any) -> int:
    from nrtg.runtime.batch import BatchSession

    session = BatchSession()
    try:
        return int(session.run(query).table.num_rows)
    finally:
        session.close()


def run_hand(sql: str, directory: Path, fmt: str) -> int:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        hand_views(con, directory, fmt)
        return int(con.sql(sql).to_arrow_table().num_rows)
    finally:
        con.close()


Timing = tuple[float, float, int]  # median wall s, median process CPU s, rows


def timed_pair(
    ours: Callable[[], int], hand: Callable[[], int], runs: int
) -> tuple[Timing, Timing]:
    """Median wall and CPU time and the row count of each. The runs alternate, and so does
    which side goes first (nrtg-hand, hand-nrtg, ...), so that load from elsewhere on the
    machine and any warm-up left by the previous run fall on both alike."""
    walls: tuple[list[float], list[float]] = ([], [])
    cpus: tuple[list[float], list[float]] = ([], [])
    rows = [0, 0]
    fns = (ours, hand)
    for run in range(runs):
        for i in (0, 1) if run % 2 == 0 else (1, 0):
            start, cpu = time.perf_counter(), time.process_time()
            rows[i] = fns[i]()
            cpus[i].append(time.process_time() - cpu)
            walls[i].append(time.perf_counter() - start)
    return (
        (statistics.median(walls[0]), statistics.median(cpus[0]), rows[0]),
        (statistics.median(walls[1]), statistics.median(cpus[1]), rows[1]),
    )


# -- report -----------------------------------------------------------------------------------


def bench(events: int, runs: int, cache: Path, formats: list[str], queries: list[str]) -> str:
    _warm_up()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"{events:,} Nexmark events (seed 1), {FILES} files per format; median of {runs} "
        f"alternating runs; compile + lowering: median of 30; load average at start {load}.",
        "",
        "| query | format | rows | nrtg s | hand-written s | ratio | nrtg CPU s | hand CPU s "
        "| CPU ratio | compile ms | lower ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fmt in formats:
        directory = ensure_data(cache, events, fmt)
        catalog = nexmark_catalog(directory, fmt)
        for name in queries:
            query = lowered(name, catalog)
            compile_t, lower_t = compile_ms(name, catalog)
            (ours, ours_cpu, n_ours), (hand, hand_cpu, n_hand) = timed_pair(
                lambda q=query: run_nrtg(q),  # type: ignore[misc]
                lambda s=HAND[name], d=directory, f=fmt: run_hand(s, d, f),  # type: ignore[misc]
                runs,
            )
            ok = "" if n_ours == n_hand else f" (rows differ: hand {n_hand})"
            line = (
                f"| {name} | {fmt} | {n_ours:,}{ok} | {ours:.2f} | {hand:.2f} | "
                f"{ours / hand:.2f} | {ours_cpu:.2f} | {hand_cpu:.2f} | {ours_cpu / hand_cpu:.2f} | "
                f"{compile_t:.2f} | {lower_t:.2f} |"
            )
            lines.append(line)
            print(line, file=sys.stderr, flush=True)
    return "\n".join(lines) + "\n"


def _warm_up() -> None:
    """Import what the timed runs use, so that the first run does not pay for it."""
    import duckdb
    import pyarrow  # noqa: F401 (Arrow results)

    from nrtg.runtime.batch import BatchSession
    from nrtg.runtime.batch.sources import register_source  # noqa: F401

    BatchSession().close()
    duckdb.connect().close()


def explain(name: str, events: int, cache: Path, fmt: str) -> None:
    import duckdb

    from nrtg.runtime.batch import BatchSession

    directory = ensure_data(cache, events, fmt)
    query = lowered(name, nexmark_catalog(directory, fmt))
    session = BatchSession()
    try:
        session.run(query)  # registers the sources (and warms the cache)
        print("== nrtg ==")
        print(session.con.sql("EXPLAIN ANALYZE " + query.sql).fetchall()[0][1])
    finally:
        session.close()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    hand_views(con, directory, fmt)
    print("== hand-written ==")
    print(con.sql("EXPLAIN ANALYZE " + HAND[name]).fetchall()[0][1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--formats", default="parquet,json")
    parser.add_argument("--queries", default=",".join(QUERIES))
    parser.add_argument("--explain", metavar="QUERY", help="EXPLAIN ANALYZE one query, both sides")
    opts = parser.parse_args()
    formats = [f for f in opts.formats.split(",") if f]
    if opts.explain:
        explain(opts.explain, opts.events, opts.cache, formats[0])
        return
    queries = [q for q in opts.queries.split(",") if q]
    print(bench(opts.events, opts.runs, opts.cache, formats, queries), end="")


if __name__ == "__main__":
    main()
