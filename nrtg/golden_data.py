"""Golden RESULTS: a case's input data, its batch run, and the result as stable text.

A case has a result when it has input data:

- `-- catalog: nexmark` cases whose target is batch or both read seeded Nexmark events that the
  runner generates into a temporary directory (`NEXMARK`: events, seed, rate; no data files in
  the repository). `${NEXMARK_PATH}` becomes that directory; `${NEXMARK_OUT}` and
  `${SIDE_INPUT}` become temporary paths too, so no case ever writes into the repository.
- other cases with a `golden/data/<case-stem>/` directory: one `<table>.jsonl` file per source
  table (JSON lines in the table's column names; TIMESTAMP as `YYYY-MM-DD HH:MM:SS[.fff]`;
  a changelog table's rows may carry `"$op"`: I, UB, UA, D, in order). A case without sources
  (VALUES) marks itself with an empty `NONE` file there.

The result is what the batch target computes (for an INSERT or a statement set: the rows each
sink receives), rendered one row per line with Flink's text forms (TIMESTAMP
`YYYY-MM-DD HH:MM:SS.fff`, DECIMAL exact at its scale, DOUBLE as Java prints it, NULL), the lines
sorted so that the text does not depend on the engine's row order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from nrtg.compiler.lower.duckdb import BatchQuery
    from nrtg.compiler.plan.nodes import TableScan
    from nrtg.golden import Case


@dataclass(frozen=True)
class NexmarkSpec:
    """The seeded input of every Nexmark golden result (`rate` events per second of event
    time: 2 000 events span 40 s, so 2 s hops and 10 s tumbles close several windows; the
    streaming parity harness uses the same input)."""

    events: int = 2000
    seed: int = 7
    rate: int = 50

    def describe(self) -> str:
        return f"nexmark events={self.events} seed={self.seed} rate={self.rate}"


NEXMARK = NexmarkSpec()
OP = "$op"
_COUNT = re.compile(r"\(\d+ rows?\)")


def has_result(case: Case) -> bool:
    if case.target not in ("batch", "both") or "expect-error" in case.headers:
        return False
    if case.headers.get("catalog") == "nexmark":
        return True
    return case.data_dir.is_dir()


def write_nexmark(directory: Path, spec: NexmarkSpec = NEXMARK) -> Path:
    """Generate the spec's events (JSON lines) into `directory`."""
    from nrtg.runtime.nexmark.config import NexmarkConfig
    from nrtg.runtime.nexmark.sinks import write_directory

    config = NexmarkConfig(events=spec.events, seed=spec.seed, rate=spec.rate)
    write_directory(config, directory)
    return directory


def substitute(script: str, work: Path, nexmark: Path | None) -> str:
    """The case script with its path placeholders pointing into `work` (a temporary dir)."""
    paths = {
        "${NEXMARK_PATH}": str(nexmark if nexmark is not None else work / "nexmark"),
        "${NEXMARK_OUT}": str(work / "out"),
        "${SIDE_INPUT}": str(work / "side_input.csv"),
    }
    for key, value in paths.items():
        script = script.replace(key, value)
    return script


def result_text(case: Case) -> str:
    """The `== result ==` section of a case that `has_result`."""
    with tempfile.TemporaryDirectory(prefix="nrtg-golden-") as tmp:
        work = Path(tmp)
        nexmark = None
        header = f"-- data: golden/data/{case.path.stem}/"
        if case.headers.get("catalog") == "nexmark":
            nexmark = write_nexmark(work / "nexmark")
            header = f"-- data: {NEXMARK.describe()}"
        return header + "\n" + run_case(case, work, nexmark)


def run_case(case: Case, work: Path, nexmark: Path | None) -> str:
    """Compile the case with its placeholders substituted, run every root in batch (a sink's
    rows are computed, not written), and render each result. Without Nexmark data, the
    sources are the case's `golden/data/` files."""
    from nrtg.compiler.api import compile_sql
    from nrtg.compiler.lower.duckdb import lower_to_duckdb
    from nrtg.runtime.batch import BatchSession

    job = compile_sql(substitute(case.script(), work, nexmark))
    queries = [lower_to_duckdb(root, udfs=job.bound.udfs) for root in job.optimized]
    tables = _data_tables(case, queries) if nexmark is None else {}
    session = BatchSession(tables=tables)
    parts: list[str] = []
    try:
        for query in queries:
            result = session.run(dataclasses.replace(query, sink=None))
            text = render_table(result.table)
            if len(queries) > 1 or query.sink is not None:
                sink = str(query.sink.table) if query.sink is not None else "query"
                text = f"-- rows into {sink}\n{text}"
            parts.append(text)
    finally:
        session.close()
    return "".join(parts)


def _data_tables(case: Case, queries: Iterable[BatchQuery]) -> dict[str, pa.Table]:
    """`golden/data/<stem>/<table>.jsonl` as Arrow tables typed like the scans that read them."""
    scans: dict[str, list[TableScan]] = {}
    for q in queries:
        for s in q.sources:
            scans.setdefault(s.scan.table.name, []).append(s.scan)
    out: dict[str, pa.Table] = {}
    for name, found in scans.items():
        path = case.data_dir / f"{name}.jsonl"
        if path.exists():
            out[name] = read_jsonl(path, found)
    return out


def read_jsonl(path: Path, scans: list[TableScan]) -> pa.Table:
    """Rows of a data file with the union of the scans' columns, cast to their types."""
    import duckdb

    from nrtg.compiler.lower.duckdb_types import duck_type_text

    columns: dict[str, str] = {}
    for scan in scans:
        for f in scan.fields:
            columns.setdefault(f.name, duck_type_text(f.type))
    text = path.read_text()
    first = next((line for line in text.splitlines() if line.strip()), "{}")
    if OP in json.loads(first):
        columns[OP] = "VARCHAR"
    spec = "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in columns.items()) + "}"
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        sql = (
            f"SELECT * FROM read_json({_lit(str(path))}, format = 'newline_delimited', "
            f"columns = {spec})"
        )
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# -- rendering -------------------------------------------------------------------------------


def render_table(table: pa.Table) -> str:
    """A header line (column names), the rows sorted, then the row count."""
    names = table.column_names
    columns = [c.to_pylist() for c in table.columns]
    lines = sorted(render_row(row) for row in zip(*columns, strict=True)) if columns else []
    count = len(lines)
    body = "".join(line + "\n" for line in lines)
    return f"{' | '.join(names)}\n{body}({count} row{'' if count == 1 else 's'})\n"


def render_row(values: Iterable[Any]) -> str:
    return " | ".join(render_value(v) for v in values)


def render_value(v: Any) -> str:
    """Flink's text form of one value (the SQL client's, with TIMESTAMP at millisecond)."""
    from nrtg.runtime.batch.functions import java_double_to_string

    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return java_double_to_string(v)
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(dt.UTC).replace(tzinfo=None)
        return f"{v:%Y-%m-%d %H:%M:%S}.{v.microsecond // 1000:03d}"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return f"{v:%H:%M:%S}.{v.microsecond // 1000:03d}"
    if isinstance(v, dt.timedelta):
        return _interval(v)
    if isinstance(v, bytes):
        return "x'" + v.hex() + "'"
    if hasattr(v, "nanoseconds") and hasattr(v, "months"):  # pyarrow MonthDayNano
        if v.months:
            sign = "-" if v.months < 0 else "+"
            years, months = divmod(abs(v.months), 12)
            return f"{sign}{years}-{months:02d}"
        return _interval(dt.timedelta(days=v.days, microseconds=v.nanoseconds // 1000))
    if isinstance(v, list | tuple):
        return "[" + ", ".join(render_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "(" + ", ".join(f"{k}={render_value(x)}" for k, x in v.items()) + ")"
    return str(v).replace("\\", "\\\\").replace("\n", "\\n")


def _interval(v: dt.timedelta) -> str:
    # Flink's INTERVAL DAY TO SECOND text: `+D HH:MM:SS.fff`.
    ms = round(v.total_seconds() * 1000)
    sign = "-" if ms < 0 else "+"
    ms = abs(ms)
    days, ms = divmod(ms, 86_400_000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds, ms = divmod(ms, 1000)
    return f"{sign}{days} {hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"


def result_rows(section: str) -> list[str]:
    """The row lines of a `== result ==` section (header, count and comments dropped)."""
    lines = [x for x in section.splitlines() if x and not x.startswith("-- ")]
    return [x for x in lines[1:] if not _COUNT.fullmatch(x)]


def section(out_text: str, name: str) -> str | None:
    """The body of section `== name ==` of a `.out` file's text."""
    marker = f"== {name} ==\n"
    start = out_text.find(marker)
    if start < 0:
        return None
    body = out_text[start + len(marker) :]
    end = body.find("\n== ")
    return body if end < 0 else body[: end + 1]
