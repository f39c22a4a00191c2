"""The `filesystem` sink (formats json, csv, raw, debezium-json), exactly-once by renames.

Rows go to a hidden in-progress file `.part-<run>-<n>.inprogress` in `path`. At checkpoint N
`prepare` flushes, fsyncs and renames it to `.part-<run>-<n>.cp-N.pending`; `commit(N)` renames
pending files to their final visible name `part-<run>-<n>.<ext>`. Checkpoint N is written
between the two, so on restore from N (`open(N)`) the files pending for checkpoints <= N are
committed (their rows are in the restored state's past) and every other pending or in-progress
file is deleted (its rows will be produced again). Readers that skip hidden files (Flink's and
nrtg's filesystem sources do) see each row once.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc

from nrtg.catalog.errors import ExecutionError
from nrtg.catalog.type_mapping import to_arrow_type
from nrtg.compiler.plan import nodes as n
from nrtg.runtime.batch import remote

from ..api import OP_COLUMN, SourcePosition
from ..formats import Encoder, format_options, make_encoder

_PENDING = re.compile(r"^\.(part-.+)\.cp-(\d+)\.pending$")
_SUFFIX = {"json": "json", "csv": "csv", "raw": "txt", "debezium-json": "json"}


class FileSink:
    def __init__(self, sink: n.Sink) -> None:
        opts = dict(sink.options)
        self.table = str(sink.table)
        path = opts.get("path")
        if not path:
            raise ExecutionError(f"table {self.table}: the filesystem sink needs a 'path'")
        if remote.is_remote(path):
            raise ExecutionError(remote.no_sink(self.table, path))
        self.directory = Path(path.removeprefix("file://"))
        fmt = opts.get("format", "")
        if fmt not in _SUFFIX:
            raise ExecutionError(
                f"table {self.table}: the filesystem sink writes {', '.join(_SUFFIX)}, not {fmt!r}"
            )
        self.changelog_format = fmt == "debezium-json"
        self.suffix = _SUFFIX[fmt]
        schema = pa.schema([pa.field(f.name, to_arrow_type(f.type)) for f in sink.fields])
        self.width = len(schema)
        self.encoder: Encoder = make_encoder(fmt, schema, format_options(opts, "", fmt), self.table)
        self.run = uuid.uuid4().hex[:12]
        self.counter = 0
        self.current: IO[bytes] | None = None
        self.current_name = ""
        self.pending: list[tuple[int, Path]] = []
        self.records_in = 0

    def open(self, restored_checkpoint: int | None) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        for entry in sorted(os.listdir(self.directory)):
            path = self.directory / entry
            m = _PENDING.match(entry)
            if m and restored_checkpoint is not None and int(m.group(2)) <= restored_checkpoint:
                os.replace(path, self.directory / m.group(1))
            elif m or entry.endswith(".inprogress"):
                path.unlink(missing_ok=True)

    def write(self, batch: pa.RecordBatch) -> None:
        op_index = batch.schema.get_field_index(OP_COLUMN)
        if (
            op_index >= 0
            and not self.changelog_format
            and pc.any(pc.not_equal(batch.column(op_index), 0)).as_py()
        ):
            raise ExecutionError(
                f"table {self.table}: the filesystem sink is append-only and received "
                "update changes"
            )
        self.records_in += batch.num_rows
        data = pa.RecordBatch.from_arrays(
            [batch.column(i) for i in range(self.width)]
            + ([batch.column(op_index)] if op_index >= 0 and self.changelog_format else []),
            names=list(batch.schema.names[: self.width])
            + ([OP_COLUMN] if op_index >= 0 and self.changelog_format else []),
        )
        lines = self.encoder.encode(data)
        if self.current is None:
            self.counter += 1
            self.current_name = f"part-{self.run}-{self.counter}.{self.suffix}"
            # closed in prepare() or close(): the file lives across write calls
            self.current = open(self.directory / f".{self.current_name}.inprogress", "wb")  # noqa: SIM115
        # one write per batch; the encoders hand out bytes (raw values may be None: no line)
        kept = [
            line.encode() if isinstance(line, str) else line for line in lines if line is not None
        ]
        if kept:
            kept.append(b"")
            self.current.write(b"\n".join(kept))

    def prepare(self, checkpoint_id: int, positions: Mapping[str, SourcePosition]) -> None:
        if self.current is None:
            return
        self.current.flush()
        os.fsync(self.current.fileno())
        self.current.close()
        self.current = None
        pending = self.directory / f".{self.current_name}.cp-{checkpoint_id}.pending"
        os.replace(self.directory / f".{self.current_name}.inprogress", pending)
        self.pending.append((checkpoint_id, pending))

    def commit(self, checkpoint_id: int) -> None:
        keep: list[tuple[int, Path]] = []
        for cp, path in self.pending:
            if cp <= checkpoint_id:
                m = _PENDING.match(path.name)
                assert m is not None
                os.replace(path, self.directory / m.group(1))
            else:
                keep.append((cp, path))
        self.pending = keep

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None

    def metrics(self) -> Mapping[str, int | float]:
        return {"records_in": self.records_in}
