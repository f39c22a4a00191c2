"""The `filesystem` sink (formats json, csv, raw, debezium-json), exactly-once by renames.

Rows go to a hidden in-progress file `.part-<run>-<n>.inprogress` in `path`. At checkpoint N
`prepare` flushes, fsyncs and renames it to `.part-<run>-<n>.cp-N.pending`; `commit(N)` renames
pending files to their final visible name `part-<run>-<n>.<ext>`. Checkpoint N is written
between the two, so on restore from N (`open(N)`) the files pending for checkpoints <= N are
committed (their rows are in the restored state's past) and every other pending or in-progress
file is deleted (its rows will be produced again). Readers that skip hidden files (Flink's and
nrtg's filesystem sources do) see each row once.

On S3 (`s3://` or `s3a://` paths) the same protocol runs with objects: the in-progress file is
written in a local staging directory (its rows are produced again after a crash, so it need not
outlive the process); `prepare(N)` uploads it whole as the hidden object
`.part-<run>-<n>.<ext>.cp-N.pending` next to the table's files, before checkpoint N is written,
so a restore finds it wherever the job restarts; `commit(N)` and the restore rename pending
objects to their final key (a copy on the server and a delete: repeated after a crash between
the two, it makes the same object again, since both names are deterministic). An object appears
only once complete, so readers never see a partial file; a commit renames one object after
another, so a reader listing the table during a commit may see some of that checkpoint's files.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
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
        # the S3 directory of the table's files, None for a local one
        self.url = path if remote.is_remote(path) else None
        self.run = uuid.uuid4().hex[:12]
        # where files are written: the table's directory, or a staging directory for S3
        self.directory = (
            Path(path.removeprefix("file://"))
            if self.url is None
            else Path(tempfile.gettempdir()) / f"nrtg-sink-{self.run}"
        )
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
        self.counter = 0
        self.current: IO[bytes] | None = None
        self.current_name = ""
        self.pending: list[tuple[int, str]] = []  # (checkpoint, pending file's name)
        self.records_in = 0

    def open(self, restored_checkpoint: int | None) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)  # for S3 the staging directory
        entries = (
            os.listdir(self.directory)
            if self.url is None
            else remote.objects(self.url, self.table, recursive=False)
        )
        for entry in sorted(entries):
            m = _PENDING.match(entry)
            if m and restored_checkpoint is not None and int(m.group(2)) <= restored_checkpoint:
                self._rename(entry, m.group(1))
            elif m or entry.endswith(".inprogress"):
                self._delete(entry)

    def _rename(self, old: str, new: str) -> None:
        if self.url is None:
            os.replace(self.directory / old, self.directory / new)
        else:
            remote.rename(self.url, old, new, self.table)

    def _delete(self, name: str) -> None:
        if self.url is None:
            (self.directory / name).unlink(missing_ok=True)
        else:
            remote.delete(self.url, [name], self.table)

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
        in_progress = self.directory / f".{self.current_name}.inprogress"
        pending = f".{self.current_name}.cp-{checkpoint_id}.pending"
        if self.url is None:
            os.fsync(self.current.fileno())  # the renamed file must hold the rows after a crash
            self.current.close()
            os.replace(in_progress, self.directory / pending)
        else:
            self.current.close()
            remote.upload(str(in_progress), f"{self.url.rstrip('/')}/{pending}", self.table)
            in_progress.unlink()
        self.current = None
        self.pending.append((checkpoint_id, pending))

    def commit(self, checkpoint_id: int) -> None:
        keep: list[tuple[int, str]] = []
        for cp, name in self.pending:
            if cp <= checkpoint_id:
                m = _PENDING.match(name)
                assert m is not None
                self._rename(name, m.group(1))
            else:
                keep.append((cp, name))
        self.pending = keep

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None
        if self.url is not None:  # the staging directory holds only in-progress files
            shutil.rmtree(self.directory, ignore_errors=True)

    def metrics(self) -> Mapping[str, int | float]:
        return {"records_in": self.records_in}
