"""Compile-time benchmark (issue 2): per Nexmark query, in-process after warm-up, the median
and max of parse -> bind -> optimize (the Nexmark tables and views live in an in-memory
catalog, as they would in a metastore; the query's own DDL, if any, is compiled with it); and
the wall time of cold `nrtg --help` and `nrtg compile q5.sql` processes (q5 with its DDL).

    .venv/bin/python bench/compile.py [--runs 50]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "golden" / "cases" / "nexmark"


def _compile_once(source: str, catalog: object) -> None:
    from nrtg.catalog.errors import NrtgError
    from nrtg.compiler.api import compile_sql

    # q6 is refused by design: refusing it is part of compiling it.
    with contextlib.suppress(NrtgError):
        compile_sql(source, catalog).optimized  # type: ignore[arg-type]  # noqa: B018


def _nexmark_catalog() -> object:
    from nrtg import golden
    from nrtg.catalog.memory import MemoryCatalog
    from nrtg.compiler.api import compile_sql
    from nrtg.persist import apply_changes

    catalog = MemoryCatalog()
    ddl = (golden.ROOT / "catalogs" / "nexmark.sql").read_text()
    apply_changes(catalog, compile_sql(ddl, catalog).bound.changes)
    return catalog


def in_process(runs: int) -> list[tuple[str, float, float]]:
    from nrtg import golden

    catalog = _nexmark_catalog()
    rows = []
    for path in sorted(CASES.glob("q*.sql"), key=lambda p: int(p.stem[1:])):
        source = golden.load_case(path).body
        for _ in range(3):
            _compile_once(source, catalog)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            _compile_once(source, catalog)
            times.append((time.perf_counter() - start) * 1000)
        rows.append((path.stem, statistics.median(times), max(times)))
    return rows


def cold(args: list[str], repeat: int = 5) -> float:
    nrtg = str(Path(sys.executable).parent / "nrtg")
    best = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([nrtg, *args], check=False, capture_output=True)
        best.append((time.perf_counter() - start) * 1000)
    return statistics.median(best)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    opts = parser.parse_args()
    rows = in_process(opts.runs)
    print("| query | median ms | max ms |")
    print("|---|---:|---:|")
    for name, med, worst in rows:
        print(f"| {name} | {med:.2f} | {worst:.2f} |")
    medians = [r[1] for r in rows]
    maxes = [r[2] for r in rows]
    print(
        f"\nall queries: median of medians {statistics.median(medians):.2f} ms, "
        f"worst median {max(medians):.2f} ms, worst max {max(maxes):.2f} ms"
    )
    from nrtg import golden

    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(golden.load_case(CASES / "q5.sql").script())
        q5 = f.name
    print(f"cold `nrtg --help`: {cold(['--help']):.0f} ms (median of 5)")
    print(f"cold `nrtg compile q5.sql`: {cold(['compile', q5]):.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
