"""CREATE TABLE ... AS SELECT (CTAS): a catalog create with the query's schema, then an INSERT
of the query's rows, in one job; the column-list form of Flink 2.0; what Flink refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from nrtg.catalog import types as t
from nrtg.catalog.errors import CatalogError
from nrtg.catalog.schema import Ident, TableDef
from nrtg.compiler.api import compile_sql
from nrtg.compiler.errors import ParseError, TypeCheckError, UnsupportedError
from nrtg.compiler.parse import statements as st
from nrtg.compiler.parse.parse import parse_script, to_flink_sql
from nrtg.compiler.plan import nodes as n

SRC = (
    "CREATE TEMPORARY TABLE src (id BIGINT, name STRING, ts TIMESTAMP(3), "
    "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'kafka', 'topic' = 's');\n"
)
SINK = "WITH ('connector' = 'blackhole')"


def _created(job: object) -> TableDef:
    (change,) = [c for c in job.bound.changes if c.op == "create_table"]  # type: ignore[attr-defined]
    assert isinstance(change.target, TableDef)
    return change.target


def test_parse_and_print_back() -> None:
    sql = f"CREATE TABLE IF NOT EXISTS db.t {SINK} AS SELECT id FROM src WHERE id > 1"
    (stmt,) = parse_script(sql).statements
    assert isinstance(stmt, st.CreateTable) and stmt.query is not None and stmt.if_not_exists
    again = parse_script(to_flink_sql(stmt)).statements[0]
    assert isinstance(again, st.CreateTable) and again.query == stmt.query


def test_table_takes_the_query_schema_without_watermark() -> None:
    job = compile_sql(SRC + f"CREATE TABLE t {SINK} AS SELECT id, UPPER(name) AS n, ts FROM src;")
    table = _created(job)
    assert [(c.name, c.type) for c in table.columns] == [
        ("id", t.bigint()),
        ("n", t.string()),
        ("ts", t.timestamp(3)),
    ]
    assert table.watermarks == () and dict(table.options) == {"connector": "blackhole"}
    (sink,) = job.logical
    assert isinstance(sink, n.Sink) and str(sink.table) == "default.t"
    assert [f.name for f in sink.fields] == ["id", "n", "ts"]


def test_column_list_new_columns_first_redeclared_keep_their_place() -> None:
    job = compile_sql(
        SRC + "CREATE TABLE t (note STRING, id DECIMAL(20, 0), PRIMARY KEY (name) NOT ENFORCED) "
        f"{SINK} AS SELECT id, name FROM src;"
    )
    table = _created(job)
    assert [c.name for c in table.columns] == ["note", "id", "name"]
    assert table.columns[1].type == t.decimal(20, 0)
    assert table.columns[2].type == t.string(nullable=False)  # a key column
    (sink,) = job.optimized
    assert isinstance(sink, n.Sink) and sink.primary_key == (2,)


def test_if_not_exists_inserts_into_the_existing_table() -> None:
    sql = SRC + "CREATE TABLE t (name STRING, id BIGINT) " + SINK + ";\n"
    job = compile_sql(sql + f"CREATE TABLE IF NOT EXISTS t {SINK} AS SELECT id, name FROM src;")
    assert [c.op for c in job.bound.changes] == ["create_table"]
    (sink,) = job.logical
    assert isinstance(sink, n.Sink) and [f.name for f in sink.fields] == ["name", "id"]
    with pytest.raises(CatalogError, match="already exists"):
        compile_sql(sql + f"CREATE TABLE t {SINK} AS SELECT id, name FROM src;")


@pytest.mark.parametrize(
    ("sql", "error", "message"),
    [
        (f"CREATE TEMPORARY TABLE t {SINK} AS SELECT id FROM src", ParseError, "TEMPORARY"),
        (f"CREATE TABLE t LIKE src {SINK} AS SELECT id FROM src", ParseError, "LIKE"),
        (f"CREATE TABLE t (x AS 1) {SINK} AS SELECT id FROM src", UnsupportedError, "physical"),
        (f"CREATE TABLE t (id ARRAY<INT>) {SINK} AS SELECT id FROM src", TypeCheckError, "id"),
        (f"CREATE TABLE t {SINK} AS SELECT id FROM src COMMENT 'c'", ParseError, "expected"),
    ],
)
def test_refused(sql: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as info:
        compile_sql(SRC + sql)
    assert info.value.span is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", ["batch", "stream"])
def test_run_creates_the_table_then_fills_it(tmp_path: Path, mode: str) -> None:
    from click.testing import CliRunner

    from nrtg.catalog.uri import open_catalog
    from nrtg.commands.run import run_cmd

    data = tmp_path / "in.jsonl"
    data.write_text('{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n{"id": 3, "name": "c"}\n')
    script = tmp_path / "job.sql"
    script.write_text(
        "CREATE TEMPORARY TABLE src (id BIGINT, name STRING) WITH ('connector' = "
        f"'filesystem', 'path' = '{data}', 'format' = 'json');\n"
        "CREATE TABLE picked WITH ('connector' = 'print') AS "
        "SELECT id * 10 AS id10, UPPER(name) AS name FROM src WHERE id > 1;\n"
    )
    uri = str(tmp_path / "cat.db")
    result = CliRunner().invoke(run_cmd, [str(script), "--mode", mode, "--catalog", uri])
    assert result.exit_code == 0, result.output
    assert sorted(x for x in result.output.splitlines() if x.startswith("+I")) == [
        "+I[20, B]",
        "+I[30, C]",
    ]
    catalog = open_catalog(uri)
    table = catalog.get_table(Ident("default", "picked"))
    assert isinstance(table, TableDef)
    assert [(c.name, c.type) for c in table.columns] == [("id10", t.bigint()), ("name", t.string())]
