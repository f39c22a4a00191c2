"""The filesystem connector on `s3://` (and `s3a://`) paths, against the project's S3-API server
(scripts/s3.sh): JSON lines, CSV and partitioned Parquet read from a bucket give the same rows
as the same files read from a local directory, on the batch target and through the stream
target's file source; a missing path and lenient JSON behave as documented. Batch sinks write
the local sink's files (names and bytes) as objects, all or none of them. The client
is configured from the AWS environment variables, set here for each test."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.duckdb import lower_to_duckdb
from nrtg.runtime.batch import BatchSession
from nrtg.runtime.batch.sources import skipped_records

from ... import services
from ..stream._parity import run_parity

pytestmark = pytest.mark.s3

Upload = Callable[[Path], str]  # a local directory -> the s3:// URL of its copy


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Upload]:
    """Points the AWS variables at the test server and gives an uploader into a fresh bucket
    (deleted after the test)."""
    for var in ("AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", services.S3_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", services.S3_SECRET_KEY)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    fs = pafs.S3FileSystem(
        access_key=services.S3_ACCESS_KEY,
        secret_key=services.S3_SECRET_KEY,
        endpoint_override=s3_endpoint,
        region="us-east-1",
        allow_bucket_creation=True,
        allow_bucket_deletion=True,
    )
    bucket = f"nrtg-{uuid.uuid4().hex[:12]}"
    fs.create_dir(bucket)

    def upload(local: Path) -> str:
        for f in sorted(local.rglob("*")):
            if f.is_file():
                with fs.open_output_stream(f"{bucket}/{local.name}/{f.relative_to(local)}") as out:
                    out.write(f.read_bytes())
        return f"s3://{bucket}/{local.name}"

    yield upload
    try:
        fs.delete_dir(bucket)
    except OSError:
        # S3Proxy's file-system store sometimes keeps an emptied directory (here `out/dt=b`
        # after a failed upload's objects were deleted) and refuses to drop the bucket; that
        # is no object, so only leftover objects fail the test
        left = fs.get_file_info(pafs.FileSelector(bucket, recursive=True))
        assert not [i.path for i in left if i.type == pafs.FileType.File]


def _run(script: str) -> tuple[list[dict[str, Any]], list[tuple[str, int]]]:
    """The last query's rows and the skipped-record tally."""
    job = compile_sql(script)
    session = BatchSession()
    try:
        table = session.run(lower_to_duckdb(job.optimized[-1])).table
        return table.to_pylist(), skipped_records(session.con)
    finally:
        session.close()


def _table(name: str, columns: str, path: str, fmt: str, extra: str = "") -> str:
    return (
        f"CREATE TABLE {name} ({columns}) {extra}WITH ('connector' = 'filesystem', "
        f"'path' = '{path}', 'format' = '{fmt}');"
    )


PEOPLE = "id BIGINT, name STRING, score DOUBLE"


def _people(root: Path) -> Path:
    """Two JSON-lines files, a `_SUCCESS` marker and an in-progress file (both skipped)."""
    d = root / "people"
    d.mkdir()
    (d / "part-0.json").write_text(
        '{"id": 1, "name": "ann", "score": 1.5}\n{"id": 2, "name": "bob", "score": null}\n'
    )
    (d / "part-1.json").write_text('{"id": 3, "name": "cy", "score": 4.25}\n')
    (d / "_SUCCESS").write_text("")
    (d / ".part-2.json.inprogress").write_text("{broken")
    return d


def test_json_directory_reads_like_local(tmp_path: Path, s3: Upload) -> None:
    local = _people(tmp_path)
    query = "SELECT id, name, score FROM people;"
    want, _ = _run(_table("people", PEOPLE, str(local), "json") + query)
    got, _ = _run(_table("people", PEOPLE, s3(local), "json") + query)
    assert got == want
    assert [r["id"] for r in got] == [1, 2, 3]


def test_s3a_is_the_same_store(tmp_path: Path, s3: Upload) -> None:
    url = s3(_people(tmp_path)).replace("s3://", "s3a://", 1)
    rows, _ = _run(_table("people", PEOPLE, url, "json") + "SELECT count(*) AS n FROM people;")
    assert rows == [{"n": 3}]
    one, _ = _run(
        _table("people", PEOPLE, url + "/part-1.json", "json") + "SELECT name FROM people;"
    )
    assert one == [{"name": "cy"}]


def test_csv_file_and_glob_read_like_local(tmp_path: Path, s3: Upload) -> None:
    d = tmp_path / "rates"
    d.mkdir()
    (d / "rates.csv").write_text("EUR;110;\nUSD;;x\n'JPY;X';1;y\n")
    cols = "currency STRING, rate INT, note STRING"
    opts = "'csv.field-delimiter' = ';', 'csv.quote-character' = ''''"
    query = "SELECT * FROM rates;"

    def script(path: str) -> str:
        return (
            f"CREATE TABLE rates ({cols}) WITH ('connector' = 'filesystem', 'path' = '{path}', "
            f"'format' = 'csv', {opts});{query}"
        )

    want, _ = _run(script(str(d / "rates.csv")))
    url = s3(d)
    assert _run(script(url + "/rates.csv"))[0] == want
    assert _run(script(url + "/*.csv"))[0] == want
    assert want[2] == {"currency": "JPY;X", "rate": 1, "note": "y"}


def _sales(root: Path) -> Path:
    """A `dt=.../` partitioned Parquet table."""
    d = root / "sales"
    for day, ids in (("2026-01-01", [1, 2]), ("2026-01-02", [3])):
        (d / f"dt={day}").mkdir(parents=True)
        table = pa.table({"id": pa.array(ids, pa.int64()), "amount": [10.0 * i for i in ids]})
        pq.write_table(table, d / f"dt={day}" / "part-0.parquet")
    (d / "_SUCCESS").write_text("")
    return d


SALES = "id BIGINT, amount DOUBLE, dt STRING"


def test_partitioned_parquet_reads_like_local(tmp_path: Path, s3: Upload) -> None:
    local = _sales(tmp_path)
    query = "SELECT dt, count(*) AS n, sum(amount) AS total FROM sales GROUP BY dt ORDER BY dt;"
    parted = "PARTITIONED BY (dt) "
    want, _ = _run(_table("sales", SALES, str(local), "parquet", parted) + query)
    got, _ = _run(_table("sales", SALES, s3(local), "parquet", parted) + query)
    assert (
        got
        == want
        == [
            {"dt": "2026-01-01", "n": 2, "total": 30.0},
            {"dt": "2026-01-02", "n": 1, "total": 30.0},
        ]
    )


def test_missing_path_is_a_clear_error(tmp_path: Path, s3: Upload) -> None:
    url = s3(_people(tmp_path))
    for path in (url + "/nothing-here", url.replace(url.split("/")[2], "no-such-bucket")):
        with pytest.raises(ExecutionError, match=r"table default\.t: path .* does not exist"):
            _run(_table("t", PEOPLE, path, "json") + "SELECT * FROM t;")
    (tmp_path / "hidden").mkdir()
    (tmp_path / "hidden" / "_SUCCESS").write_text("")
    with pytest.raises(ExecutionError, match="has no data files"):
        _run(_table("t", PEOPLE, s3(tmp_path / "hidden"), "json") + "SELECT * FROM t;")


BAD_JSON = (
    '{"id": 1, "name": "a"}\n'
    '{"id": oops}\n'  # not JSON
    '{"id": "two", "name": "b"}\n'  # id of the wrong type: Flink fails the record
    '{"id": 3, "name": "c"}\n'
)


def _lenient(path: str) -> str:
    return (
        "CREATE TABLE people (id BIGINT, name STRING) WITH ('connector' = 'filesystem', "
        f"'path' = '{path}', 'format' = 'json', 'json.ignore-parse-errors' = 'true');"
    )


def test_lenient_json_skips_and_counts_like_local(tmp_path: Path, s3: Upload) -> None:
    d = tmp_path / "bad"
    d.mkdir()
    (d / "people.json").write_text(BAD_JSON)
    query = "SELECT id, name FROM people ORDER BY id;"
    want = _run(_lenient(str(d)) + query)
    assert want == ([{"id": 1, "name": "a"}, {"id": 3, "name": "c"}], [("default.people", 2)])
    assert _run(_lenient(s3(d)) + query) == want


def _insert(script: str) -> None:
    """Runs every statement of `script` (its INSERTs) on one batch session."""
    session = BatchSession()
    try:
        for plan in compile_sql(script).optimized:
            session.run(lower_to_duckdb(plan))
    finally:
        session.close()


def _objects(url: str) -> dict[str, bytes]:
    """The objects under `url`, read with pyarrow's client (not nrtg's): relative path -> bytes."""
    fs = _client()
    key = url.split("://", 1)[1]
    entries = fs.get_file_info(pafs.FileSelector(key, recursive=True, allow_not_found=True))
    out = {}
    for e in entries:
        if e.type == pafs.FileType.File:
            with fs.open_input_stream(e.path) as f:
                out[e.path[len(key) + 1 :]] = f.read()
    return out


def _client() -> pafs.S3FileSystem:
    return pafs.S3FileSystem(
        access_key=services.S3_ACCESS_KEY,
        secret_key=services.S3_SECRET_KEY,
        endpoint_override=os.environ["AWS_ENDPOINT_URL_S3"],
        region="us-east-1",
    )


def _local_files(root: Path) -> dict[str, bytes]:
    return {f.relative_to(root).as_posix(): f.read_bytes() for f in root.rglob("*") if f.is_file()}


OUT = "id BIGINT, name STRING, dt STRING"


def _out_script(path: str, fmt: str, parted: str, verb: str, rows: str) -> str:
    return _table("out", OUT, path, fmt, parted) + f"{verb} out VALUES {rows};"


FIRST = "(1, 'ann', 'a'), (2, 'bob', 'b'), (3, 'cy', 'a')"
SECOND = "(4, 'dee', 'b')"


@pytest.mark.parametrize(
    ("fmt", "parted"),
    [("json", ""), ("csv", "PARTITIONED BY (dt) "), ("parquet", "PARTITIONED BY (dt) ")],
)
def test_insert_writes_the_local_sinks_files(
    tmp_path: Path, s3: Upload, fmt: str, parted: str
) -> None:
    """Two INSERT INTOs write the same objects (names and bytes) as the local sink writes files;
    nrtg and pyarrow read the rows back."""
    local = tmp_path / "out"
    url = s3(_people(tmp_path)).rsplit("/", 1)[0] + "/out"
    for path in (str(local), url):
        _insert(_out_script(path, fmt, parted, "INSERT INTO", FIRST))
        _insert(_out_script(path, fmt, parted, "INSERT INTO", SECOND))
    written = _objects(url)
    assert written == _local_files(local)
    assert len(written) == (2 if not parted else 3)  # part-0*, part-1* (SECOND is one partition)
    query = "SELECT id, name, dt FROM out ORDER BY id;"
    rows, _ = _run(_table("out", OUT, url, fmt, parted) + query)
    assert [(r["id"], r["name"], r["dt"]) for r in rows] == [
        (1, "ann", "a"),
        (2, "bob", "b"),
        (3, "cy", "a"),
        (4, "dee", "b"),
    ]
    if fmt == "parquet":  # the independent witness: pyarrow's dataset reader on the bucket
        import pyarrow.dataset as ds

        key = url.split("://", 1)[1]
        data = ds.dataset(key, filesystem=_client(), format="parquet", partitioning="hive")
        assert sorted(data.to_table().to_pylist(), key=lambda r: r["id"]) == [
            {"id": 1, "name": "ann", "dt": "a"},
            {"id": 2, "name": "bob", "dt": "b"},
            {"id": 3, "name": "cy", "dt": "a"},
            {"id": 4, "name": "dee", "dt": "b"},
        ]


def test_insert_overwrite_replaces_the_part_files(tmp_path: Path, s3: Upload) -> None:
    url = s3(_people(tmp_path)).replace("s3://", "s3a://", 1).rsplit("/", 1)[0] + "/out"
    parted = "PARTITIONED BY (dt) "
    _insert(_out_script(url, "json", parted, "INSERT INTO", FIRST))
    _insert(_out_script(url, "json", parted, "INSERT INTO", SECOND))
    _insert(_out_script(url, "json", parted, "INSERT OVERWRITE", "(7, 'eve', 'c')"))
    # new names first (the old files are deleted only once the new ones are there)
    assert _objects(url) == {"dt=c/part-2-0.json": b'{"id":7,"name":"eve"}\n'}
    rows, _ = _run(_table("out", OUT, url, "json", parted) + "SELECT * FROM out;")
    assert rows == [{"id": 7, "name": "eve", "dt": "c"}]


def test_failed_upload_takes_its_files_back(
    tmp_path: Path, s3: Upload, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upload that fails after some objects were made: those are deleted, the table keeps
    its earlier files (also under INSERT OVERWRITE)."""
    from nrtg.runtime.batch import remote

    url = s3(_people(tmp_path)).rsplit("/", 1)[0] + "/out"
    parted = "PARTITIONED BY (dt) "
    _insert(_out_script(url, "json", parted, "INSERT INTO", SECOND))
    before = _objects(url)
    upload = remote.upload

    def failing(local: str, path: str, table: str) -> None:
        upload(local, path, table)  # every object made, then the job fails
        raise ExecutionError(f"table {table}: writing {path!r} failed: connection reset")

    monkeypatch.setattr(remote, "upload", failing)
    for verb in ("INSERT INTO", "INSERT OVERWRITE"):
        with pytest.raises(ExecutionError, match="connection reset"):
            _insert(_out_script(url, "json", parted, verb, FIRST))
        assert _objects(url) == before


def test_unreachable_store_names_table_and_path(
    tmp_path: Path, s3: Upload, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = s3(_people(tmp_path))
    missing = url.replace(url.split("/")[2], "no-such-bucket") + "/out"
    with pytest.raises(
        ExecutionError, match=r"table default\.out: path .*: bucket 'no-such-bucket' does not"
    ):
        _insert(_out_script(missing, "json", "", "INSERT INTO", SECOND))
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1")  # nothing listens there
    with pytest.raises(
        ExecutionError, match=rf"table default\.out: listing '{url}/out' failed: .*connect"
    ):
        _insert(_out_script(url + "/out", "json", "", "INSERT INTO", SECOND))


def test_stream_file_source_reads_s3_like_batch(tmp_path: Path, s3: Upload) -> None:
    local = _people(tmp_path)
    query = "SELECT name, count(*) AS n, sum(score) AS total FROM people GROUP BY name;"
    results = []
    for path in (str(local), s3(local)):
        plan = compile_sql(_table("people", PEOPLE, path, "json") + query).optimized[-1]
        results.append(run_parity(plan))
    (batch, stream), (local_batch, _) = results[1], results[0]
    assert stream == batch == local_batch
    assert batch == Counter({("ann", 1, 1.5): 1, ("bob", 1, None): 1, ("cy", 1, 4.25): 1})


def test_nrtg_run_batch_reads_s3(tmp_path: Path, s3: Upload) -> None:
    from nrtg.cli import main

    url = s3(_sales(tmp_path))
    script = tmp_path / "job.sql"
    script.write_text(
        _table("sales", SALES, url, "parquet", "PARTITIONED BY (dt) ")
        + "SELECT dt, sum(amount) AS total FROM sales GROUP BY dt ORDER BY dt;"
    )
    result = CliRunner().invoke(
        main, ["run", str(script), "--mode", "batch", "--format", "csv", "--catalog", "memory://"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "dt,total\n2026-01-01,30.0\n2026-01-02,30.0\n"
