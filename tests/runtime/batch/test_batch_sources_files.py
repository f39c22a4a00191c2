"""Batch bounded reads from files: the raw format, malformed JSON (fail naming the file, or skip
and count), hidden/_SUCCESS files, and Hive-native tables (parquet, orc, json, csv, textfile;
partitioned) declared with `connector = hive`, `location` and `storage-format`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from nrtg.catalog.errors import ExecutionError
from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.duckdb import lower_to_duckdb
from nrtg.runtime.batch import BatchSession
from nrtg.runtime.batch.sources import skipped_records


def _run(script: str) -> tuple[list[dict[str, Any]], list[tuple[str, int]]]:
    """The last query's rows and the skipped-record tally."""
    job = compile_sql(script)
    session = BatchSession()
    try:
        table = session.run(lower_to_duckdb(job.optimized[-1])).table
        return table.to_pylist(), skipped_records(session.con)
    finally:
        session.close()


def test_raw_format_reads_one_row_per_line(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_text('first line\n{"not": "parsed"}\nthird, with a comma\n')
    rows, _ = _run(
        f"CREATE TABLE logs (line STRING) WITH ('connector' = 'filesystem', 'path' = '{path}', "
        "'format' = 'raw'); SELECT line, CHAR_LENGTH(line) AS n FROM logs;"
    )
    assert rows == [
        {"line": "first line", "n": 10},
        {"line": '{"not": "parsed"}', "n": 17},
        {"line": "third, with a comma", "n": 19},
    ]


def test_raw_format_needs_one_column(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("a\n")
    with pytest.raises(ExecutionError, match="exactly one physical column"):
        _run(
            f"CREATE TABLE logs (a STRING, b STRING) WITH ('connector' = 'filesystem', "
            f"'path' = '{tmp_path}', 'format' = 'raw'); SELECT * FROM logs;"
        )


BAD_JSON = (
    '{"id": 1, "name": "a"}\n'
    '{"id": oops}\n'  # not JSON
    '{"id": "two", "name": "b"}\n'  # id of the wrong type: Flink fails the record
    '{"id": 3, "name": null}\n'
    "\n"
    '{"id": 4}\n'  # a missing field is NULL, not an error
)


def _json_table(path: Path, lenient: bool) -> str:
    extra = ", 'json.ignore-parse-errors' = 'true'" if lenient else ""
    return (
        f"CREATE TABLE people (id BIGINT, name STRING) WITH ('connector' = 'filesystem', "
        f"'path' = '{path}', 'format' = 'json'{extra});"
    )


def test_malformed_json_fails_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    path.write_text(BAD_JSON)
    with pytest.raises(ExecutionError) as err:
        _run(_json_table(path, lenient=False) + "SELECT * FROM people;")
    assert "people.json" in str(err.value)
    assert "Malformed JSON" in str(err.value)


def test_malformed_json_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    path.write_text(BAD_JSON)
    rows, skipped = _run(_json_table(path, lenient=True) + "SELECT * FROM people;")
    assert sorted(rows, key=lambda r: r["id"]) == [
        {"id": 1, "name": "a"},
        {"id": 3, "name": None},
        {"id": 4, "name": None},
    ]
    assert skipped == [("default.people", 2)]


def test_malformed_csv_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("1;a;2024-01-01 10:00:00\nx;b;2024-01-01 10:00:01\n3;c;not a time\n"
                    "4;d;2024-01-01 10:00:02;extra\n5;e;2024-01-01 10:00:03\n")  # fmt: skip
    rows, skipped = _run(
        f"CREATE TABLE people (id BIGINT, name STRING, ts TIMESTAMP(3)) WITH ("
        f"'connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv', "
        "'csv.field-delimiter' = ';', 'csv.ignore-parse-errors' = 'true'); "
        "SELECT id, name FROM people;"
    )
    assert sorted((r["id"], r["name"]) for r in rows) == [(1, "a"), (5, "e")]
    # a BIGINT that is not a number, a TIMESTAMP that is not a time, a fourth column
    assert skipped == [("default.people", 3)]


def test_malformed_debezium_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "rates.json"
    path.write_text(
        '{"before": null, "after": {"currency": "EUR", "rate": 100}, "op": "c"}\n'
        "not json\n"
        '{"before": null, "after": {"currency": "USD", "rate": "x"}, "op": "c"}\n'
        '{"before": {"currency": "EUR", "rate": 100}, "after": {"currency": "EUR", "rate": 110},'
        ' "op": "u"}\n'
    )
    rows, skipped = _run(
        f"CREATE TABLE rates (currency STRING, rate INT, PRIMARY KEY (currency) NOT ENFORCED) "
        f"WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'debezium-json', "
        "'debezium-json.ignore-parse-errors' = 'true'); SELECT * FROM rates;"
    )
    # the bad USD record is skipped whole (DuckDB alone would insert USD with a NULL rate)
    assert rows == [{"currency": "EUR", "rate": 110}]
    assert skipped == [("default.rates", 2)]


def test_nrtg_run_reports_the_skipped_count(tmp_path: Path) -> None:
    from nrtg.cli import main

    path = tmp_path / "people.json"
    path.write_text(BAD_JSON)
    script = tmp_path / "job.sql"
    script.write_text(_json_table(path, lenient=True) + "SELECT COUNT(*) AS n FROM people;")
    result = CliRunner().invoke(
        main, ["run", str(script), "--mode", "batch", "--format", "csv", "--catalog", "memory://"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "n\n3\n"
    assert "skipped malformed records (ignore-parse-errors): 2 in default.people" in (result.stderr)


def test_directories_skip_hidden_and_marker_files(tmp_path: Path) -> None:
    (tmp_path / ".part-1.json.inprogress").write_text("garbage")
    (tmp_path / "_SUCCESS").write_text("")
    for i, day in ((1, "2026-01-01"), (2, "2026-01-02")):
        sub = tmp_path / f"dt={day}"
        sub.mkdir()
        (sub / "part-0.json").write_text(f'{{"id": {i}, "name": "{"ab"[i - 1]}"}}\n')
        (sub / "_SUCCESS").write_text("")
        (sub / ".part-0.json.inprogress").write_text("{broken")
    rows, _ = _run(
        f"CREATE TABLE people (id BIGINT, name STRING, dt STRING) PARTITIONED BY (dt) WITH ("
        f"'connector' = 'filesystem', 'path' = '{tmp_path}', 'format' = 'json');"
        "SELECT * FROM people;"
    )
    assert sorted(rows, key=lambda r: r["id"]) == [
        {"id": 1, "name": "a", "dt": "2026-01-01"},
        {"id": 2, "name": "b", "dt": "2026-01-02"},
    ]


# -- Hive-native tables ---------------------------------------------------------------------

EXPECTED = [
    {"id": 1, "name": "ann", "score": 1.5, "dt": "2026-01-01"},
    {"id": 2, "name": None, "score": None, "dt": "2026-01-01"},
    {"id": 3, "name": "cy", "score": 3.0, "dt": "2026-01-02"},
]
DATA = {
    "2026-01-01": pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "name": ["ann", None],
            "score": pa.array([1.5, None], pa.float64()),
        }
    ),
    "2026-01-02": pa.table(
        {"id": pa.array([3], pa.int64()), "name": ["cy"], "score": pa.array([3.0], pa.float64())}
    ),
}
TEXT = {  # (file name, the partition's text) per format
    "json": (
        "000000_0",
        {
            "2026-01-01": '{"id": 1, "name": "ann", "score": 1.5}\n{"id": 2}\n',
            "2026-01-02": '{"id": 3, "name": "cy", "score": 3.0}\n',
        },
    ),
    "csv": (
        "000000_0",
        {"2026-01-01": '1,"ann",1.5\n2,,\n', "2026-01-02": '3,"cy",3.0\n'},
    ),
    "textfile": (
        "000000_0",
        {"2026-01-01": "1\x01ann\x011.5\n2\x01\\N\x01\\N\n", "2026-01-02": "3\x01cy\x013.0\n"},
    ),
}


def _write_hive(location: Path, fmt: str) -> None:
    for dt, table in DATA.items():
        part = location / f"dt={dt}"
        part.mkdir(parents=True)
        if fmt == "parquet":
            pq.write_table(table, part / "000000_0")
        elif fmt == "orc":
            orc.write_table(table, str(part / "000000_0"))
        else:
            name, texts = TEXT[fmt]
            (part / name).write_text(texts[dt])
    (location / "_SUCCESS").write_text("")


@pytest.mark.parametrize("fmt", ["parquet", "orc", "json", "csv", "textfile"])
def test_hive_native_table(tmp_path: Path, fmt: str) -> None:
    location = tmp_path / "warehouse" / "scores"
    _write_hive(location, fmt)
    rows, _ = _run(
        "CREATE TABLE scores (id BIGINT, name STRING, score DOUBLE, dt STRING) "
        f"PARTITIONED BY (dt) WITH ('connector' = 'hive', 'location' = 'file:{location}', "
        f"'storage-format' = '{fmt}');"
        "SELECT id, name, score, dt FROM scores;"
    )
    if fmt == "csv":  # OpenCSVSerde has no NULL: an empty field is the empty string
        for r in rows:
            r["name"] = r["name"] or None
    assert sorted(rows, key=lambda r: r["id"]) == EXPECTED


def test_hive_table_without_location_fails(tmp_path: Path) -> None:
    with pytest.raises(ExecutionError, match="no location"):
        _run(
            "CREATE TABLE t (id BIGINT) WITH ('connector' = 'hive', 'storage-format' = 'orc');"
            "SELECT * FROM t;"
        )


def test_hive_table_from_the_catalog(tmp_path: Path) -> None:
    from nrtg.catalog import types as t
    from nrtg.catalog.memory import MemoryCatalog
    from nrtg.catalog.schema import Column, Ident, TableDef

    location = tmp_path / "scores"
    _write_hive(location, "parquet")
    catalog = MemoryCatalog()
    catalog.create_table(
        TableDef(
            ident=Ident("default", "scores"),
            columns=(
                Column("id", t.bigint()),
                Column("name", t.string()),
                Column("score", t.double()),
                Column("dt", t.string()),
            ),
            options={"connector": "hive"},
            partition_keys=("dt",),
            location=str(location),
            storage_format="parquet",
        )
    )
    job = compile_sql("SELECT id, name, score, dt FROM scores;", catalog)
    session = BatchSession()
    try:
        rows = session.run(lower_to_duckdb(job.optimized[-1])).table.to_pylist()
    finally:
        session.close()
    assert sorted(rows, key=lambda r: r["id"]) == EXPECTED
