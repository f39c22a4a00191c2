"""Object-store paths of the filesystem connector: `s3://bucket/key` (and Flink's `s3a://`
spelling of the same store), read and written through pyarrow's S3 client.

DuckDB's own S3 support (the httpfs extension) is downloaded on first use, which fails on
machines without access to extensions.duckdb.org; pyarrow ships its S3 client. DuckDB reads
through it as an fsspec filesystem registered on the connection (`register`), and directories
are listed here (`listing`) like the local walk in formats.py: recursively, sorted, names
starting with `.` or `_` skipped, `k=v/` directories giving the partition keys. The sinks
(batch sinks.py, stream file_sink.py) write files locally and upload finished ones (`upload`):
S3 makes an object visible only when its upload completes, so no reader sees a partly written
file.

The client is configured from the standard AWS environment variables: AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION / AWS_DEFAULT_REGION and
AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (an S3-compatible server, addressed path-style). Unset
credentials fall back to the AWS SDK's own chain (~/.aws, instance metadata).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nrtg.catalog.errors import ExecutionError

if TYPE_CHECKING:
    import duckdb
    import pyarrow.fs as pafs

SCHEMES = ("s3", "s3a")  # one store; the first is the name DuckDB lists the filesystem under
_UPLOADS = 8  # objects uploaded at once (each upload waits on the network, not on the CPU)


def is_remote(path: str) -> bool:
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def _key(path: str) -> str:
    """`s3://bucket/dir/` -> `bucket/dir`, the path pyarrow's client takes."""
    return path.partition("://")[2].rstrip("/")


@contextmanager
def _failing(table: str, action: str, path: str) -> Iterator[None]:
    """The client's OSError (a refused connection, bad credentials, a missing bucket) as the
    run's error, naming the table and the path."""
    try:
        yield
    except OSError as e:
        raise ExecutionError(f"table {table}: {action} {path!r} failed: {e}") from e


@dataclass(frozen=True)
class Listing:
    """The data files under a remote path, as URLs with the path's own scheme."""

    files: tuple[str, ...]
    partition_keys: frozenset[str]


def listing(path: str, table: str) -> Listing:
    """The files of `path` (an object, or every object under it), in the local walk's order:
    a directory's files before its subdirectories, each sorted by name. Raises ExecutionError,
    worded as for a local path, when nothing is there."""
    import pyarrow.fs as pafs

    scheme, key = path.partition("://")[0], _key(path)
    fs = filesystem()
    with _failing(table, "listing", path):
        info = fs.get_file_info(key)
        if info.type == pafs.FileType.File:
            return Listing((path,), frozenset())
        if info.type == pafs.FileType.NotFound:
            raise ExecutionError(f"table {table}: path {path!r} does not exist")
        entries = fs.get_file_info(pafs.FileSelector(key, recursive=True))
    found: list[tuple[list[tuple[int, str]], str]] = []
    keys: set[str] = set()
    for entry in entries:
        if entry.type != pafs.FileType.File:
            continue
        *dirs, name = entry.path[len(key) + 1 :].split("/")
        if any(part.startswith((".", "_")) for part in (*dirs, name)):
            continue
        keys.update(d.split("=", 1)[0] for d in dirs if "=" in d)
        # files (0) sort before subdirectories (1) of the same directory, as os.walk yields them
        found.append(([*((1, d) for d in dirs), (0, name)], entry.path))
    if not found:
        raise ExecutionError(f"table {table}: directory {path!r} has no data files")
    files = tuple(f"{scheme}://{p}" for _, p in sorted(found))
    return Listing(files, frozenset(keys))


def objects(path: str, table: str, recursive: bool = True) -> list[str]:
    """Every object under the directory `path` (hidden ones too), sorted, as paths relative to
    it; none when nothing is there yet (a sink's directory before its first file). A missing
    bucket is an error: a sink fails before it writes anything."""
    import pyarrow.fs as pafs

    key = _key(path)
    fs = filesystem()
    selector = pafs.FileSelector(key, allow_not_found=True, recursive=recursive)
    with _failing(table, "listing", path):
        entries = fs.get_file_info(selector)
        bucket = key.split("/", 1)[0]
        if not entries and fs.get_file_info(bucket).type == pafs.FileType.NotFound:
            raise ExecutionError(f"table {table}: path {path!r}: bucket {bucket!r} does not exist")
    return sorted(e.path[len(key) + 1 :] for e in entries if e.type == pafs.FileType.File)


def upload(local: str, path: str, table: str) -> None:
    """Copies the local file `local` to the object `path`, or each file under the local
    directory `local` to the object of the same relative path under `path` (a few at a time).
    Each object is made by one upload, which S3 makes visible only once complete: a failed
    upload leaves no object (an object already there keeps its content)."""
    import pyarrow as pa

    root = Path(local)
    key = _key(path)
    targets = (
        [(root, key)]
        if root.is_file()
        else [
            (f, f"{key}/{f.relative_to(root).as_posix()}") for f in root.rglob("*") if f.is_file()
        ]
    )
    fs = filesystem()

    def put(source: Path, target: str) -> None:
        # One write of the mapped file: no Python code runs while the object is half sent, so
        # no exception can stop it there and have the stream's close publish a partial object.
        # (pyarrow's copy_files would also make empty directory-marker objects.)
        with pa.memory_map(str(source)) as data, fs.open_output_stream(target) as out:
            out.write(data.read_buffer())

    with _failing(table, "writing", path), ThreadPoolExecutor(_UPLOADS) as pool:
        for done in [pool.submit(put, source, target) for source, target in targets]:
            done.result()


def rename(path: str, old: str, new: str, table: str) -> None:
    """Renames the object `old` in the directory `path` to `new`: S3 copies it on the server
    (no data goes through this process) and deletes `old`. Repeating a rename whose copy
    succeeded but whose delete did not gives the same object again."""
    with _failing(table, "writing", path):
        filesystem().move(f"{_key(path)}/{old}", f"{_key(path)}/{new}")


def delete(path: str, names: Iterable[str], table: str) -> None:
    """Deletes the objects `names` (relative to the directory `path`); missing ones are no
    error."""
    fs = filesystem()
    with _failing(table, "deleting from", path):
        for name in names:
            try:
                fs.delete_file(f"{_key(path)}/{name}")
            except FileNotFoundError:
                continue


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Lets DuckDB read `s3://` and `s3a://` paths on `con` (once per connection)."""
    if SCHEMES[0] in con.list_filesystems():
        return
    from fsspec.implementations.arrow import ArrowFSWrapper

    class S3(ArrowFSWrapper):  # type: ignore[misc]  # fsspec is untyped
        protocol = SCHEMES

    con.register_filesystem(S3(filesystem()))


def filesystem() -> pafs.S3FileSystem:
    env = os.environ
    return _filesystem(
        env.get("AWS_ACCESS_KEY_ID"),
        env.get("AWS_SECRET_ACCESS_KEY"),
        env.get("AWS_SESSION_TOKEN"),
        env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
        env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL"),
    )


@functools.cache  # one client per configuration: it keeps its connections
def _filesystem(
    access_key: str | None,
    secret_key: str | None,
    session_token: str | None,
    region: str | None,
    endpoint: str | None,
) -> pafs.S3FileSystem:
    import pyarrow.fs as pafs

    options: dict[str, object] = {}
    if access_key and secret_key:
        options.update(access_key=access_key, secret_key=secret_key)
        if session_token:
            options["session_token"] = session_token
    if endpoint:
        # S3-compatible servers take path-style requests and ignore the region, but the
        # client must not look the bucket's region up on AWS
        options.update(endpoint_override=endpoint, force_virtual_addressing=False)
        region = region or "us-east-1"
    if region:
        options["region"] = region
    return pafs.S3FileSystem(**options)
