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
    """The rows as a multiset, nested values (ARRAY_AGG's lists) frozen as the fold does."""
    return fold_multiset(table)


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


def optimized_plan(sql: str) -> n.Plan:
    """The optimized plan of a one-query script."""
    (root,) = compile_sql(sql).optimized
    return root


def column_per_id(expr: str, source: str) -> dict[Any, Any]:
    """`expr` for each row of `source` (a FROM item with an `id` column) by id, after checking
    that both targets give the same rows."""
    batch, stream = run_parity(optimized_plan(f"SELECT id, {expr} AS v FROM {source}"))
    assert batch == stream
    return {row[0]: row[1] for row in batch}


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


# -- insert -> empty delta -> retract (STYLE.md §5) ----------------------------------------
RETRACTING_KINDS = frozenset({"group_agg", "join", "rank"})


def as_changelog_sources(plan: n.Plan) -> n.Plan:
    """The plan with every table read as a retracting changelog (debezium-json), so that the
    operators above are the ones that handle retractions."""
    from nrtg.compiler.plan.walk import transform_up

    def go(node: n.Plan) -> n.Plan:
        if not isinstance(node, n.TableScan):
            return node
        options = tuple((k, v) for k, v in node.options if k not in ("format", "value.format"))
        return node.replace(options=(*options, ("format", "debezium-json")))

    return transform_up(plan, go)


def scan_tables(plan: n.Plan, tables: dict[str, pa.Table] | None) -> dict[str, pa.Table]:
    """Every table the plan reads, as Arrow: given ones, else its files read as batch does."""
    from nrtg.compiler.plan.walk import walk
    from nrtg.runtime.stream.operators.file_source import read_file

    out: dict[str, pa.Table] = {}
    for node in walk(plan):
        if not isinstance(node, n.TableScan) or node.table.name in out:
            continue
        given = (tables or {}).get(node.table.name)
        if given is None:
            files = sorted(Path(node.option("path") or "").iterdir())
            given = pa.concat_tables([read_file(node, str(f)) for f in files])
        out[node.table.name] = given
    return out


GOLDEN_OPS = {"I": 0, "UB": 1, "UA": 2, "D": 3}


class ChangelogSource:
    """Replays a table as a changelog source: `phases` of (rows, row kind) in order, each in
    batches (a zero-row phase is an empty delta). A `$op` column (golden/data changelog files:
    I, UB, UA, D) gives each row its kind."""

    def __init__(
        self, scan: n.TableScan, phases: list[tuple[pa.Table, int]], batch_size: int
    ) -> None:
        from nrtg.runtime.stream.operators._rows import arrow_schema

        schema = arrow_schema(scan.schema)
        self.batches: list[pa.Table] = []
        for table, op in phases:
            ops = (
                pa.array([GOLDEN_OPS[o] for o in table.column("$op").to_pylist()], pa.int8())
                if "$op" in table.column_names
                else None
            )
            data = table.select(schema.names).cast(schema).combine_chunks()
            if not data.num_rows:
                self.batches.append(data.append_column("_op", pa.array([], pa.int8())))
            for start in range(0, data.num_rows, batch_size):
                part = data.slice(start, batch_size)
                kinds = (
                    ops.slice(start, part.num_rows)
                    if ops is not None
                    else pa.array([op] * part.num_rows, pa.int8())
                )
                self.batches.append(part.append_column("_op", kinds))
        self.next = 0

    def open(self, position: Any) -> None:
        if position is not None:
            self.next = position.offsets.get("0", 0)

    def poll(self, max_records: int, timeout_s: float) -> Any:
        from nrtg.runtime.stream.api import Polled

        if self.next >= len(self.batches):
            return Polled(None, (), True)
        t = self.batches[self.next]
        self.next += 1
        batch = t.combine_chunks().to_batches()
        if not batch:
            return Polled(None, ("0",), False)
        b = batch[0].append_column("_split", pa.array(["0"] * t.num_rows, pa.string()))
        return Polled(b, ("0",), False)

    def position(self) -> Any:
        from nrtg.runtime.stream.api import SourcePosition

        return SourcePosition({"0": self.next})

    def close(self) -> None:
        return None


def insert_empty_retract(table: pa.Table) -> list[tuple[pa.Table, int]]:
    """Every row +I, an empty delta, then the rows at odd positions -D."""
    odd = table.take(pa.array(range(1, table.num_rows, 2), pa.int64()))
    return [(table, 0), (table.slice(0, 0), 0), (odd, 3)]


def run_retract_pattern(
    plan: n.Plan, tables: dict[str, pa.Table], udfs: dict[str, Any] | None = None
) -> tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]], set[str]]:
    """(batch rows over the rows that remain, folded stream rows, operator kinds) of the
    insert -> empty delta -> retract run."""
    from nrtg.runtime.stream.executor import Executor

    kept = {k: t.take(pa.array(range(0, t.num_rows, 2), pa.int64())) for k, t in tables.items()}
    batch = run_plan(plan, tables=kept, udfs=udfs or None).table
    graph = lower_to_stream((as_changelog_sources(plan),))
    kinds = {s.kind for s in graph.operators}
    names = {k: f.class_name for k, f in (udfs or {}).items()}

    def source(spec: Any) -> ChangelogSource:
        phases = insert_empty_retract(tables[spec.node.table.name])
        return ChangelogSource(spec.node, phases, 97)

    ex = Executor(graph, source_factory=source, udfs=names)
    try:
        ex.run()
        changes = ex.output(0)
    finally:
        ex.close()
    return normalize(batch_rows(batch)), normalize(fold_multiset(changes)), kinds


# -- the golden runner's view ----------------------------------------------------------------
def golden_parts(out_text: str) -> list[list[str]] | None:
    """The row lines of each root in a `.out` file's `== result ==` section (sorted), or None
    when the case has no result."""
    from nrtg.golden_data import section

    body = section(out_text, "result")
    if body is None:
        return None
    parts: list[list[str]] = []
    expect_header = True
    for line in body.splitlines():
        if not line or line.startswith("-- data:"):
            continue
        if line.startswith("-- rows into "):
            expect_header = True
            continue
        if expect_header:
            parts.append([])
            expect_header = False
            continue
        if line.startswith("(") and line.endswith(("row)", "rows)")):
            expect_header = True
            continue
        parts[-1].append(line)
    return [sorted(p) for p in parts]


def golden_tables(case: Case, plans: list[n.Plan]) -> dict[str, pa.Table]:
    """golden/data/<case>/<table>.jsonl as the golden runner reads them."""
    from nrtg.compiler.plan.walk import walk
    from nrtg.golden_data import read_jsonl

    scans: dict[str, list[n.TableScan]] = {}
    for plan in plans:
        for node in walk(plan):
            if isinstance(node, n.TableScan):
                scans.setdefault(node.table.name, []).append(node)
    out: dict[str, pa.Table] = {}
    for name, found in scans.items():
        path = case.data_dir / f"{name}.jsonl"
        if path.exists():
            out[name] = read_jsonl(path, found)
    return out


def stream_lines(plan: n.Plan, tables: dict[str, pa.Table], udfs: dict[str, Any]) -> list[str]:
    """The plan's stream run over `tables` (changelog files replayed with their row kinds;
    files otherwise), folded and rendered as the golden runner renders batch rows."""
    from nrtg.golden_data import render_row
    from nrtg.runtime.stream.executor import Executor, default_source
    from nrtg.runtime.stream.operators._duck import Env

    graph = lower_to_stream((plan,))
    names = {k: f.class_name for k, f in (udfs or {}).items()}

    def source(spec: Any) -> Any:
        table = tables.get(spec.node.table.name)
        if table is None:
            return default_source(spec, {}, Env("UTC", names))
        return ChangelogSource(spec.node, [(table, 0)], 7)

    # small batches over the small golden/data files; Nexmark files in batches of 500
    ex = Executor(graph, source_factory=source, udfs=names, batch_size=7 if tables else 500)
    try:
        ex.run()
        changes = ex.output(0)
    finally:
        ex.close()
    return sorted(render_row(r) for r in fold_multiset(changes).elements())
