"""The filesystem connector on `s3://` (and `s3a://`) paths, against the project's S3-API server
(scripts/s3.sh): JSON lines, CSV and partitioned Parquet read from a bucket give the same rows
as the same files read from a local directory, on the batch target and through the stream
target's file source; a missing path, lenient JSON and sinks behave as documented. The client
is configured from the AWS environment variables, set here for each test."""

from __future__ import annotations

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
from nrtg.compiler.plan import nodes as n
from nrtg.runtime.batch import BatchSession
from nrtg.runtime.batch.sources import skipped_records
from nrtg.runtime.stream.connectors.file_sink import FileSink

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
    fs.delete_dir(bucket)


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


def test_filesystem_sink_on_s3_is_refused(tmp_path: Path, s3: Upload) -> None:
    url = s3(_people(tmp_path))
    script = (
        _table("people", PEOPLE, url, "json")
        + _table("out", "id BIGINT", url.replace("s3://", "s3a://") + "/out", "json")
        + "INSERT INTO out SELECT id FROM people;"
    )
    with pytest.raises(ExecutionError, match="s3 sinks are not supported yet"):
        _run(script)
    sink = compile_sql(script).optimized[-1]
    assert isinstance(sink, n.Sink)
    with pytest.raises(ExecutionError, match="s3 sinks are not supported yet"):
        FileSink(sink)  # the stream target's sink, before it makes any directory


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
