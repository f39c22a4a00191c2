"""The stream target's filesystem sink on `s3://` paths, against the project's S3-API server
(scripts/s3.sh): a job that checkpoints, dies and restarts (once after a prepared checkpoint
that never became durable, once after a durable one whose commit never ran) leaves every row in
the bucket exactly once, in visible part files only; an unreachable store fails the sink's open
with the table and path."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs
import pytest

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.duckdb import lower_to_duckdb
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.compiler.plan import nodes as n
from nrtg.runtime.batch import BatchSession
from nrtg.runtime.stream.connectors.file_sink import FileSink
from nrtg.runtime.stream.job import JobRun, Settings

from ... import services
from ..batch.test_batch_s3 import Upload, s3  # noqa: F401 (the fixture)

pytestmark = pytest.mark.s3

ROWS = 3000


def _script(data: Path, url: str) -> str:
    return (
        "CREATE TABLE s (id BIGINT) WITH "
        f"('connector' = 'filesystem', 'path' = '{data}', 'format' = 'json');\n"
        "CREATE TABLE d (id BIGINT, tag STRING) WITH "
        f"('connector' = 'filesystem', 'path' = '{url}', 'format' = 'csv');\n"
        "INSERT INTO d SELECT id, 'x' FROM s;"
    )


@pytest.fixture
def job(tmp_path: Path, s3: Upload) -> Iterator[tuple[str, str]]:  # noqa: F811
    """(the script, the sink's s3 URL): 3 000 ids in three local JSON files into a bucket."""
    data = tmp_path / "in"
    data.mkdir()
    for part in range(3):
        lines = [json.dumps({"id": i}) for i in range(part * 1000, part * 1000 + 1000)]
        (data / f"part-{part}.json").write_text("\n".join(lines) + "\n")
    marker = tmp_path / "bucket"
    marker.mkdir()
    (marker / "_keep").write_text("")
    url = s3(marker) + "/out"  # a fresh bucket (its only object is hidden)
    yield _script(data, url), url


def _objects(url: str) -> dict[str, bytes]:
    fs = pafs.S3FileSystem(
        access_key=services.S3_ACCESS_KEY,
        secret_key=services.S3_SECRET_KEY,
        endpoint_override=os.environ["AWS_ENDPOINT_URL_S3"],
        region="us-east-1",
    )
    key = url.split("://", 1)[1]
    out = {}
    for e in fs.get_file_info(pafs.FileSelector(key, allow_not_found=True)):
        with fs.open_input_stream(e.path) as f:
            out[e.path[len(key) + 1 :]] = f.read()
    return out


def _ids(url: str) -> list[int]:
    """The ids of the visible part files (what readers see), in no particular order."""
    ids = []
    for name, data in _objects(url).items():
        if not name.startswith("."):
            assert name.startswith("part-") and name.endswith(".csv")
            ids += [int(line.split(",")[0]) for line in data.decode().splitlines()]
    return ids


def _prepare(run: JobRun) -> tuple[int, Mapping[str, Any]]:
    """Checkpoint steps 1-2 (snapshot, the sinks' prepare) without writing the checkpoint."""
    ex = run.executor
    ex.checkpoint_id += 1
    payload = ex.snapshot()
    for sink in ex.sinks.values():
        sink.prepare(ex.checkpoint_id, {str(k): v for k, v in payload["sources"].items()})
    return ex.checkpoint_id, payload


def test_restarts_leave_every_row_once(tmp_path: Path, job: tuple[str, str]) -> None:
    script, url = job
    graph = lower_to_stream(tuple(compile_sql(script, None, target="stream").optimized))
    settings = Settings(checkpoint_dir=str(tmp_path / "cp"), batch_size=100)

    first = JobRun(graph, settings, bounded=True)
    try:
        for _ in range(5):
            first.executor.step()
        assert first.checkpoint() == 1
        committed = sorted(_ids(url))
        assert committed == list(range(len(committed))) and 0 < len(committed) < ROWS
        for _ in range(5):
            first.executor.step()
        assert _prepare(first)[0] == 2  # uploaded as a pending object; checkpoint 2 never written
        pending = [name for name in _objects(url) if name.endswith(".cp-2.pending")]
        assert len(pending) == 1
        first.executor.step()  # an in-progress file, local only
    finally:
        first.close()
    assert sorted(_ids(url)) == committed

    second = JobRun(graph, settings, bounded=True)
    try:
        assert second.restored_from == 1  # the pending object of 2 is deleted
        assert not [name for name in _objects(url) if name.startswith(".")]
        for _ in range(5):
            second.executor.step()
        assert second.checkpoint() == 2
        second.executor.step()
        cp, payload = _prepare(second)
        assert second.store is not None
        second.store.save(cp, payload)  # durable, but the process dies before the commit
    finally:
        second.close()

    third = JobRun(graph, settings, bounded=True)
    try:
        assert third.restored_from == cp  # its pending object becomes a part file
        third.run(lambda: False)
    finally:
        third.close()
    assert sorted(_ids(url)) == list(range(ROWS))  # nothing lost, nothing twice
    assert not [name for name in _objects(url) if name.startswith(".")]
    for run in (first, second, third):  # the local staging directories are gone
        sink = next(iter(run.executor.sinks.values()))
        assert isinstance(sink, FileSink) and not sink.directory.exists()

    # a reader: nrtg's batch target over the same path
    session = BatchSession()
    try:
        query = compile_sql(
            script.split("\n")[1] + "SELECT count(*) AS n, count(DISTINCT id) AS k FROM d;"
        ).optimized[-1]
        assert session.run(lower_to_duckdb(query)).table.to_pylist() == [{"n": ROWS, "k": ROWS}]
    finally:
        session.close()


def test_unreachable_store_fails_open(
    job: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    script, url = job
    sink = compile_sql(script).optimized[-1]
    assert isinstance(sink, n.Sink)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1")  # nothing listens there
    with pytest.raises(ExecutionError, match=rf"table default\.d: listing '{url}' failed"):
        FileSink(sink).open(None)
