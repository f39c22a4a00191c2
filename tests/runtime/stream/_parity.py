"""Parity harness: a golden case run by the batch runtime and by the stream executor (file
source replay), the stream's changelog folded and compared with the batch rows as multisets."""

from __future__ import annotations

import datetime as dt
import decimal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.compiler.plan import nodes as n
from nrtg.golden import Case
from nrtg.runtime.batch.executor import run_plan
from nrtg.runtime.stream.executor import run_graph
from nrtg.runtime.stream.fold import fold_multiset

NEXMARK_EVENTS = 2000
NEXMARK_RATE = 50  # events per second of event time: 2 000 events span 40 s


def generate_nexmark(out: Path, events: int = NEXMARK_EVENTS, files: int = 1) -> Path:
    cmd = [
        str(Path(sys.executable).parent / "nrtg"),
        "nexmark",
        "generate",
        "--events",
        str(events),
        "--seed",
        "7",
        "--rate",
        str(NEXMARK_RATE),
        "--files",
        str(files),
        "--out",
        str(out),
    ]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


def _norm(v: Any) -> Any:
    if isinstance(v, float):
        return float(f"{v:.9g}")
    if isinstance(v, decimal.Decimal):
        return v.normalize()
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None) if v.tzinfo is None else v
    if isinstance(v, dict):
        return tuple((k, _norm(x)) for k, x in v.items())
    if isinstance(v, list | tuple):
        return tuple(_norm(x) for x in v)
    return v


def normalize(rows: Counter[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for r, c in rows.items():
        out[tuple(_norm(v) for v in r)] += c
    return out


def batch_rows(table: pa.Table) -> Counter[tuple[Any, ...]]:
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return Counter(zip(*cols, strict=True)) if cols else Counter()


def query_plans(
    case: Case, nexmark_dir: Path | None, stage: str = "optimized"
) -> tuple[list[n.Plan], dict[str, Any]]:
    """The case's query plans at `stage` (a Sink's input stands for the sink) and its UDFs."""
    script = case.script()
    if nexmark_dir is not None:
        script = script.replace("${NEXMARK_PATH}", str(nexmark_dir))
    job = compile_sql(script)
    udfs = dict(getattr(job.bound, "udfs", {}) or {})
    roots = job.optimized if stage == "optimized" else job.logical
    return [r.input if isinstance(r, n.Sink) else r for r in roots], udfs


def run_parity(
    plan: n.Plan,
    tables: dict[str, pa.Table] | None = None,
    batch_size: int = 500,
    udfs: dict[str, Any] | None = None,
) -> tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]:
    """(batch rows, folded stream rows), normalized."""
    batch = run_plan(plan, tables=tables, udfs=udfs or None).table
    graph = lower_to_stream((plan,))
    names = {k: f.class_name for k, f in (udfs or {}).items()}
    (changes,) = run_graph(graph, tables=tables, batch_size=batch_size, udfs=names)
    return normalize(batch_rows(batch)), normalize(fold_multiset(changes))
