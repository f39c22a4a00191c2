"""Result rows for people and pipes: a rich table, JSON lines or CSV, with Flink's text forms
(TIMESTAMP as `YYYY-MM-DD HH:MM:SS.fff`, DECIMAL exact, NULL as null / empty)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import pyarrow as pa


def text_value(v: Any) -> Any:
    """A JSON-ready value: timestamps and decimals as Flink prints them, the rest unchanged."""
    if isinstance(v, dt.datetime):
        base = v.strftime("%Y-%m-%d %H:%M:%S")
        text = f"{base}.{v.microsecond // 1000:03d}"
        if v.tzinfo is not None:
            text += "Z" if v.utcoffset() == dt.timedelta(0) else v.strftime("%z")
        return text
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.timedelta):
        return str(v)
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, dict):
        return {k: text_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [text_value(x) for x in v]
    return v


def _json_default(v: Any) -> Any:
    return str(v)


def render_rows(table: pa.Table, fmt: str, out: TextIO) -> None:
    import pyarrow as pa

    names = table.column_names
    rows = table.to_pylist()
    # Arrow hands MAP values over as lists of (key, value) pairs; show them as maps.
    maps = [f.name for f in table.schema if pa.types.is_map(f.type)]
    for row in rows:
        for name in maps:
            if row[name] is not None:
                row[name] = dict(row[name])
    if fmt == "jsonl":
        for row in rows:
            out.write(
                json.dumps({k: text_value(row[k]) for k in names}, default=_json_default) + "\n"
            )
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if row[k] is None else _cell(row[k]) for k in names])
        return
    from rich.console import Console
    from rich.table import Table

    view = Table(*names, show_lines=False)
    for row in rows:
        view.add_row(*("NULL" if row[k] is None else _cell(row[k]) for k in names))
    Console(file=out).print(view)
    out.write(f"{len(rows)} row{'s' if len(rows) != 1 else ''}\n")


def _cell(v: Any) -> str:
    value = text_value(v)
    if isinstance(value, dict | list):
        return json.dumps(value, default=_json_default)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)
