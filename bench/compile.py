"""Compile-time benchmark (issue 2): per Nexmark query, in-process after warm-up, the median
and max wall time of parse -> bind -> optimize -> validate (the Nexmark tables and views live
in an in-memory catalog, as they would in a metastore; the query's own DDL, if any, is
compiled with it), and the median process CPU time, which other work on the machine disturbs
less; the wall time of cold `nrtg --help` and `nrtg compile q5.sql` processes (q5 with its
DDL; nrtg's bytecode written first, as an installed package has it); and, for the queries
named by --stages, the median CPU time of each stage.

    .venv/bin/python bench/compile.py [--runs 50] [--stages q5,q9]
"""

from __future__ import annotations

import argparse
import contextlib
import os
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


def in_process(runs: int, catalog: object) -> list[tuple[str, float, float, float]]:
    from nrtg import golden

    rows = []
    for path in sorted(CASES.glob("q*.sql"), key=lambda p: int(p.stem[1:])):
        source = golden.load_case(path).body
        for _ in range(3):
            _compile_once(source, catalog)
        times, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            _compile_once(source, catalog)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        rows.append((path.stem, statistics.median(times), max(times), statistics.median(cpu)))
    return rows


def stages(query: str, runs: int, catalog: object) -> dict[str, float]:
    """Median CPU ms of each stage of compiling `query`, as compile_sql runs them."""
    from nrtg import golden
    from nrtg.catalog.errors import NrtgError
    from nrtg.compiler.bind.binder import bind_script
    from nrtg.compiler.bind.session import Session
    from nrtg.compiler.optimizer.driver import RuleContext, optimize
    from nrtg.compiler.parse.parse import parse_script
    from nrtg.compiler.validate import validate

    source = golden.load_case(CASES / f"{query}.sql").body
    samples: dict[str, list[float]] = {"parse": [], "bind": [], "optimize": [], "validate": []}
    for i in range(runs + 3):
        clock = [time.process_time()]
        script = parse_script(source)
        clock.append(time.process_time())
        session = Session(catalog=catalog)  # type: ignore[arg-type]
        bound = bind_script(script, session)
        clock.append(time.process_time())
        plans = optimize(bound.roots, ctx=RuleContext(dict(session.options)))
        clock.append(time.process_time())
        with contextlib.suppress(NrtgError):  # q6 is refused here
            validate(plans, "stream")
        clock.append(time.process_time())
        if i >= 3:
            for name, a, b in zip(samples, clock, clock[1:], strict=False):
                samples[name].append((b - a) * 1000)
    return {name: statistics.median(v) for name, v in samples.items()}


def cold(args: list[str], repeat: int = 5) -> float:
    """Median wall ms of `nrtg ARGS`, run in an empty directory without $NRTG_CATALOG: a
    `.nrtg/catalog.db` in the working directory would be read (and its tables would clash
    with the script's DDL), so the process must fail loudly rather than time an error.
    A first, untimed run may write the bytecode of nrtg's modules, as installing a package
    does: with $PYTHONDONTWRITEBYTECODE set and no bytecode yet, every timed process would
    compile nrtg's sources again (~170 ms), which no installed nrtg does."""
    nrtg = str(Path(sys.executable).parent / "nrtg")
    env = {k: v for k, v in os.environ.items() if k != "NRTG_CATALOG"}
    writes_bytecode = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    best = []
    with tempfile.TemporaryDirectory() as cwd:
        subprocess.run([nrtg, *args], check=True, capture_output=True, cwd=cwd, env=writes_bytecode)
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run([nrtg, *args], check=True, capture_output=True, cwd=cwd, env=env)
            best.append((time.perf_counter() - start) * 1000)
    return statistics.median(best)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--stages", default="", help="queries to break down, e.g. q5,q9")
    opts = parser.parse_args()
    catalog = _nexmark_catalog()
    rows = in_process(opts.runs, catalog)
    print("| query | median ms | max ms | CPU median ms |")
    print("|---|---:|---:|---:|")
    for name, med, worst, cpu in rows:
        print(f"| {name} | {med:.2f} | {worst:.2f} | {cpu:.2f} |")
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
    for query in filter(None, opts.stages.split(",")):
        parts = stages(query, opts.runs, catalog)
        text = ", ".join(f"{name} {ms:.2f}" for name, ms in parts.items())
        print(f"{query} CPU ms per stage (median): {text}")


if __name__ == "__main__":
    main()
