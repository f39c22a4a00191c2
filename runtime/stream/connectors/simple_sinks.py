"""The `print` and `blackhole` sinks. Print writes each row like Flink's print connector,
`[<print-identifier>> ]+I[v1, v2]`, to stdout (or stderr with `standard-error = true`); it has
no transactions, so after a restart rows since the last checkpoint print again (at-least-once).
Blackhole counts and discards."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, TextIO

import pyarrow as pa

from ..api import OP_COLUMN, Op, SourcePosition


def _text(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class PrintSink:
    def __init__(self, options: Mapping[str, str], out: TextIO | None = None) -> None:
        ident = options.get("print-identifier")
        self.prefix = f"{ident}> " if ident else ""
        err = options.get("standard-error", "false").lower() == "true"
        self.out = out if out is not None else (sys.stderr if err else sys.stdout)
        self.records_in = 0

    def open(self, restored_checkpoint: int | None) -> None:
        return None

    def write(self, batch: pa.RecordBatch) -> None:
        self.records_in += batch.num_rows
        op_index = batch.schema.get_field_index(OP_COLUMN)
        names = [c for c in batch.schema.names if not c.startswith("_")]
        ops = batch.column(op_index).to_pylist() if op_index >= 0 else [0] * batch.num_rows
        columns = [batch.column(c).to_pylist() for c in names]
        lines = [
            f"{self.prefix}{Op(op).short}[{', '.join(_text(v) for v in row)}]\n"
            for op, row in zip(ops, zip(*columns, strict=True), strict=True)
        ]
        self.out.write("".join(lines))

    def prepare(self, checkpoint_id: int, positions: Mapping[str, SourcePosition]) -> None:
        self.out.flush()

    def commit(self, checkpoint_id: int) -> None:
        return None

    def close(self) -> None:
        self.out.flush()

    def metrics(self) -> Mapping[str, int | float]:
        return {"records_in": self.records_in}


class BlackholeSink:
    def __init__(self) -> None:
        self.records_in = 0

    def open(self, restored_checkpoint: int | None) -> None:
        return None

    def write(self, batch: pa.RecordBatch) -> None:
        self.records_in += batch.num_rows

    def prepare(self, checkpoint_id: int, positions: Mapping[str, SourcePosition]) -> None:
        return None

    def commit(self, checkpoint_id: int) -> None:
        return None

    def close(self) -> None:
        return None

    def metrics(self) -> Mapping[str, int | float]:
        return {"records_in": self.records_in}
