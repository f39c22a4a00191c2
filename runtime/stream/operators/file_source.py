"""file_source: a filesystem table (json/csv/parquet) replayed as a bounded stream.

Files are read in name order, one split per file, each with the batch runtime's reader (the
same DuckDB `read_json`/`read_csv`/`read_parquet` call and casts, so both targets parse alike).
Rows carry `_split` (the file's name) for per-split watermarks; the position is the number of
rows consumed per split. `MemorySource` replays Arrow tables the same way (tests, notebooks)."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence

import pyarrow as pa

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.plan import nodes as n
from nrtg.runtime.batch import remote

from ..api import Polled, SourcePosition
from ._duck import DEFAULT_ENV, Env
from ._rows import SPLIT_COLUMN, arrow_schema, conform


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def list_files(path: str, table: str) -> list[str]:
    if remote.is_remote(path):
        return list(remote.listing(path, table).files)
    if os.path.isdir(path):
        found = []
        for root, dirs, files in os.walk(path):
            dirs.sort()
            found += [os.path.join(root, f) for f in sorted(files) if not f.startswith((".", "_"))]
        return found
    if os.path.exists(path):
        return [path]
    raise ExecutionError(f"filesystem source: {path} does not exist")


def _split_name(file: str, path: str) -> str:
    """A file's name below the table's directory (its base name when the path is the file)."""
    if remote.is_remote(file):
        return posixpath.basename(file) if file == path else file[len(path.rstrip("/")) + 1 :]
    return os.path.basename(file) if file == path else os.path.relpath(file, path)


def read_file(scan: n.TableScan, path: str, env: Env = DEFAULT_ENV) -> pa.Table:
    """One file of `scan`'s table, read by the batch runtime's source registration (the same
    reader, options and casts as batch)."""
    import duckdb

    from nrtg.compiler.lower.duckdb import Source
    from nrtg.runtime.batch.sources import register_source

    options = tuple((k, path if k == "path" else v) for k, v in scan.options)
    one_file = scan.replace(options=options)
    assert isinstance(one_file, n.TableScan)
    con = duckdb.connect()
    try:
        con.execute(f"SET TimeZone = '{env.time_zone}'")
        con.execute("SET threads = 1")
        register_source(con, Source("file", one_file), {})
        return con.sql('SELECT * FROM "file"').to_arrow_table()
    except duckdb.Error as e:
        raise ExecutionError(f"reading {path} for {scan.table} failed: {e}") from e
    finally:
        con.close()


class MemorySource:
    """Replays (split name, Arrow table) pairs as a bounded stream: one split after the other,
    or with `interleave` one batch of each in turn (like the partitions of a Kafka topic)."""

    def __init__(
        self, scan: n.TableScan, splits: Sequence[tuple[str, pa.Table]], interleave: bool = False
    ) -> None:
        self.schema = arrow_schema(scan.schema)
        self.interleave = interleave
        self.splits = list(splits)
        self.offsets = {name: 0 for name, _ in self.splits}
        self.current = 0
        self.batches: list[pa.RecordBatch] = []

    def open(self, position: SourcePosition | None) -> None:
        if position is not None:
            self.offsets.update(position.offsets)
        self.current = 0

    def _table(self, index: int) -> pa.Table:
        return self.splits[index][1]

    def poll(self, max_records: int, timeout_s: float) -> Polled:
        for _ in range(2 * len(self.splits) + 1):
            if self.current >= len(self.splits):
                if not self.interleave:
                    break
                self.current = 0
            name = self.splits[self.current][0]
            table = self._table(self.current)
            start = self.offsets[name]
            if start >= table.num_rows:
                self.current += 1
                continue
            part = table.slice(start, max_records).combine_chunks()
            self.offsets[name] = start + part.num_rows
            batch = part.to_batches()[0]
            names = batch.schema.names
            batch = pa.RecordBatch.from_arrays(
                [batch.column(names.index(f)) for f in self.schema.names],
                names=list(self.schema.names),
            )
            batch = conform(batch, self.schema)
            batch = batch.append_column(SPLIT_COLUMN, pa.array([name] * batch.num_rows))
            if self.interleave:
                self.current += 1
            return Polled(batch, splits=self.active(), end_of_input=False)
        return Polled(None, splits=(), end_of_input=True)

    def active(self) -> tuple[str, ...]:
        return tuple(
            name
            for i, (name, _) in enumerate(self.splits)
            if (self.interleave or i >= self.current)
            and self.offsets[name] < self._table(i).num_rows
        )

    def position(self) -> SourcePosition:
        return SourcePosition(dict(self.offsets))

    def close(self) -> None:
        self.splits = []


LEGACY_KEYS = {"connector.type": "connector", "connector.path": "path", "format.type": "format"}


def modern_options(scan: n.TableScan) -> n.TableScan:
    """Legacy `connector.type`/`connector.path`/`format.type` options (Nexmark q13's side
    input) under their current names."""
    if not any(k in LEGACY_KEYS for k, _ in scan.options):
        return scan
    options = tuple((LEGACY_KEYS.get(k, k), v) for k, v in scan.options)
    out = scan.replace(options=options)
    assert isinstance(out, n.TableScan)
    return out


def is_filesystem(scan: n.TableScan) -> bool:
    return modern_options(scan).option("connector") == "filesystem"


class FileSource(MemorySource):
    """The filesystem connector: each file is a split, read when the replay reaches it."""

    def __init__(self, scan: n.TableScan, env: Env = DEFAULT_ENV) -> None:
        scan = modern_options(scan)
        path = scan.option("path")
        if not path:
            raise ExecutionError(f"table {scan.table}: the filesystem connector needs a 'path'")
        self.scan = scan
        self.env = env
        files = list_files(path, str(scan.table))
        self.paths = files
        self.loaded: dict[int, pa.Table] = {}
        empty = pa.table({"x": pa.array([], type=pa.int8())})
        super().__init__(scan, [(_split_name(f, path), empty) for f in files])

    def _table(self, index: int) -> pa.Table:
        table = self.loaded.get(index)
        if table is None:
            self.loaded.clear()  # one file in memory at a time
            table = self.loaded[index] = read_file(self.scan, self.paths[index], self.env)
        return table

    def active(self) -> tuple[str, ...]:
        # The file being read: files not read yet do not hold the watermark back (one reader
        # reads them in order), finished ones no longer count.
        if self.current >= len(self.splits):
            return ()
        return (self.splits[self.current][0],)
