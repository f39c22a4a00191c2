"""Catalog latency: `get_table` through the embedded store and over Thrift to our server on
loopback (server in its own process, as deployed), and what compiling a query whose tables live
in the metastore adds over the in-memory catalog.

    .venv/bin/python bench/catalog.py [--n 2000]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from nrtg.catalog.base import Catalog
from nrtg.catalog.schema import Ident
from nrtg.catalog.uri import open_catalog
from nrtg.persist import apply_changes

ROOT = Path(__file__).resolve().parent.parent
NEXMARK = ROOT / "golden" / "catalogs" / "nexmark.sql"
QUERY = """
SELECT B.auction, B.price, B.bidder, B.`dateTime`
FROM bid B
JOIN (
  SELECT MAX(B1.price) AS maxprice, TUMBLE_ROWTIME(B1.`dateTime`, INTERVAL '10' SECOND) AS dt
  FROM bid B1
  GROUP BY TUMBLE(B1.`dateTime`, INTERVAL '10' SECOND)
) B1 ON B.price = B1.maxprice
WHERE B.`dateTime` BETWEEN B1.dt - INTERVAL '10' SECOND AND B1.dt
"""


def _median_ms(fn: Callable[[], object], n: int) -> tuple[float, float]:
    for _ in range(min(50, n)):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def _paired_compile(
    compile_sql: Callable[..., object], memory: Catalog, remote: Catalog, n: int
) -> tuple[float, float, float]:
    """Medians of compiling against each catalog, alternating runs so that machine load hits
    both alike; the difference is the median of the paired differences."""
    base, hms, diff = [], [], []
    for _ in range(n):
        start = time.perf_counter()
        compile_sql(QUERY, memory)
        mid = time.perf_counter()
        compile_sql(QUERY, remote)
        end = time.perf_counter()
        base.append((mid - start) * 1000.0)
        hms.append((end - mid) * 1000.0)
        diff.append(hms[-1] - base[-1])
    return statistics.median(base), statistics.median(hms), statistics.median(diff)


def _load(cat: Catalog) -> None:
    ddl = NEXMARK.read_text().replace("${NEXMARK_PATH}", "/tmp/nexmark")
    from nrtg.compiler.api import compile_sql

    apply_changes(cat, compile_sql(ddl, cat).bound.changes)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    from nrtg.compiler.api import compile_sql

    ident = Ident("default", "nexmark")
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        memory = open_catalog("memory://")
        _load(memory)
        embedded = open_catalog(str(Path(tmp) / "embedded.db"))
        _load(embedded)
        store = Path(tmp) / "served.db"
        port = _free_port()
        cmd = [sys.executable, "-m", "nrtg.cli", "catalog", "serve", "--store", str(store)]
        server = subprocess.Popen([*cmd, "--port", str(port)], stderr=subprocess.DEVNULL)
        try:
            _wait(port)
            remote = open_catalog(f"thrift://127.0.0.1:{port}")
            _load(remote)
            for name, cat, target in (
                ("memory", memory, ""),
                ("embedded (sqlite)", embedded, "<= 0.2 ms"),
                ("thrift loopback", remote, "<= 2 ms"),
            ):
                med, p99 = _median_ms(lambda c=cat: c.get_table(ident), args.n)
                rows.append((f"get_table {name}", med, p99, target))
            base, hms, diff = _paired_compile(compile_sql, memory, remote, max(30, args.n // 20))
            rows.append(("compile (memory catalog)", base, float("nan"), ""))
            rows.append(("compile (thrift catalog)", hms, float("nan"), ""))
            rows.append(("  added by the metastore", diff, float("nan"), "<= 5 ms"))
            remote.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
        embedded.close()

    print(f"{'measure':34} {'median ms':>10} {'p99 ms':>9}  target")
    for name, med, p99, target in rows:
        tail = "-" if p99 != p99 else f"{p99:.3f}"  # NaN: no meaningful p99 for a difference
        print(f"{name:34} {med:10.3f} {tail:>9}  {target}")


if __name__ == "__main__":
    main()
