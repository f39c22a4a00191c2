"""Flink SQL hints: dynamic table options (`t /*+ OPTIONS(...) */`, also on an INSERT's sink),
join-strategy query hints (accepted, ignored), the hints nrtg refuses, and malformed hints; the
same rows on both targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from nrtg.catalog.schema import TableDef
from nrtg.compiler.api import compile_sql
from nrtg.compiler.errors import (
    BindError,
    NrtgError,
    ParseError,
    PlanValidationError,
    UnsupportedError,
)
from nrtg.compiler.parse import statements as st
from nrtg.compiler.parse.parse import parse_query, parse_script, to_flink_sql
from nrtg.compiler.plan import nodes as n
from tests.runtime.stream._parity import run_parity

DDL = (
    "CREATE TEMPORARY TABLE src (a INT, b STRING) WITH ('connector' = 'filesystem', "
    "'path' = '{path}', 'format' = 'json');\n"
    "CREATE TEMPORARY TABLE out1 (a INT, b STRING) WITH ('connector' = 'print');\n"
    "CREATE TEMPORARY VIEW v AS SELECT * FROM src;\n"
)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text('{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n')
    two.write_text('{"a": 10, "b": "z"}\n')
    return one, two


def _scans(plan: n.Plan) -> list[n.TableScan]:
    found = [plan] if isinstance(plan, n.TableScan) else []
    for child in plan.children:
        found += _scans(child)
    return found


def test_options_follow_the_table_name_and_print_back() -> None:
    sql = (
        "SELECT * FROM src /*+ OPTIONS('a' = '1', 'b' = '2') */ AS s\n"
        "JOIN u\n  /*+ OPTIONS('c'='3'), OPTIONS('c'='4') */ u2 ON s.x = u2.x"
    )
    q = parse_query(sql)
    tables = [q.args["from_"].this, q.args["joins"][0].this]
    assert [t.meta["options"] for t in tables] == [(("a", "1"), ("b", "2")), (("c", "4"),)]
    printed = to_flink_sql(q)
    assert printed == (
        "SELECT * FROM src /*+ OPTIONS('a' = '1', 'b' = '2') */ AS s "
        "JOIN u /*+ OPTIONS('c' = '4') */ AS u2 ON s.x = u2.x"
    )
    again = parse_query(printed)
    assert [t.meta["options"] for t in [again.args["from_"].this]] == [tables[0].meta["options"]]


def test_insert_options_print_back() -> None:
    (stmt,) = parse_script(
        "INSERT INTO s /*+ OPTIONS('sink.parallelism'='1') */ SELECT 1"
    ).statements
    assert isinstance(stmt, st.Insert) and stmt.options == (("sink.parallelism", "1"),)
    assert to_flink_sql(stmt).startswith("INSERT INTO s /*+ OPTIONS('sink.parallelism' = '1') */")


def test_options_merge_over_the_table_for_one_reference(files: tuple[Path, Path]) -> None:
    one, two = files
    job = compile_sql(
        DDL.format(path=one) + "SELECT s1.a, s2.a AS a2, s2.b FROM src AS s1 "
        f"JOIN src /*+ OPTIONS('path' = '{two}') */ AS s2 ON s1.a < s2.a;"
    )
    (plan,) = job.optimized
    paths = sorted(dict(s.options)["path"] for s in _scans(plan))
    assert paths == sorted([str(one), str(two)])
    table = job.session.lookup(job.session.ident(("src",)))
    assert isinstance(table, TableDef) and table.options["path"] == str(one)  # unchanged
    batch, stream = run_parity(plan)
    assert batch == stream
    assert set(batch) == {(1, 10, "z"), (2, 10, "z")}


def test_insert_options_merge_over_the_sink(files: tuple[Path, Path]) -> None:
    job = compile_sql(
        DDL.format(path=files[0])
        + "INSERT INTO out1 /*+ OPTIONS('print-identifier' = 'P') */ SELECT * FROM src;"
    )
    (sink,) = job.optimized
    assert isinstance(sink, n.Sink)
    assert dict(sink.options) == {"connector": "print", "print-identifier": "P"}


def test_join_hints_are_accepted_and_change_nothing(files: tuple[Path, Path]) -> None:
    query = "SELECT {hint} s1.a, s2.b FROM src AS s1 JOIN src AS s2 ON s1.a = s2.a;"
    ddl = DDL.format(path=files[0])
    plain = compile_sql(ddl + query.format(hint="")).explain("optimized")
    for hint in (
        "BROADCAST(s2)",
        "SHUFFLE_HASH(s1, s2), SHUFFLE_MERGE(s1)",
        "NEST_LOOP(src)",
        "LOOKUP('table' = 's2', 'async' = 'true', 'output-mode' = 'allow_unordered')",
    ):
        hinted = compile_sql(ddl + query.format(hint=f"/*+ {hint} */"))
        assert hinted.explain("optimized") == plain


@pytest.mark.parametrize(
    ("statement", "error", "words", "where"),
    [
        ("SELECT * FROM v /*+ OPTIONS('k'='v') */", BindError, "is a view", "/*+"),
        (
            "WITH c AS (SELECT 1 AS a) SELECT * FROM c /*+ OPTIONS('k'='v') */",
            BindError,
            "WITH query",
            "/*+",
        ),
        (
            "SET 'table.dynamic-table-options.enabled' = 'false';\n"
            "SELECT * FROM src /*+ OPTIONS('k'='v') */",
            PlanValidationError,
            "disabled",
            "/*+",
        ),
        (
            "SELECT /*+ BROADCAST(zz) */ * FROM src AS s1 JOIN src AS s2 ON s1.a = s2.a",
            BindError,
            "'zz' names no table",
            "BROADCAST(zz)",
        ),
        ("SELECT /*+ STATE_TTL('src' = '1d') */ * FROM src", UnsupportedError, "STATE_TTL", "S"),
        (
            "SELECT /*+ LOOKUP('table' = 'src', 'max-attempts' = '3') */ * FROM src",
            UnsupportedError,
            "never retry",
            "LOOKUP",
        ),
        ("SELECT /*+ LOOKUP('table' = 'src', 'x' = '1') */ * FROM src", ParseError, "'x'", "L"),
        ("SELECT /*+ LOOKUP('async' = 'true') */ * FROM src", ParseError, "'table'", "LOOKUP"),
        ("SELECT /*+ FOO(src) */ * FROM src", ParseError, "unknown query hint FOO", "FOO"),
        ("SELECT /*+ OPTIONS('k'='v') */ * FROM src", ParseError, "table hint", "OPTIONS"),
        ("SELECT /*+ BROADCAST */ * FROM src", ParseError, "takes the names", "BROADCAST"),
        ("SELECT * FROM src /*+ BROADCAST(src) */", ParseError, "unknown table hint", "BROAD"),
        ("SELECT * FROM src /*+ OPTIONS() */", ParseError, "'key' = 'value' pairs", "OPT"),
        ("SELECT * FROM src /*+ OPTIONS('k' = 1) */", ParseError, "quoted string", "1"),
        ("SELECT * FROM src /*+ OPTIONS('k'='v' */", ParseError, "the hint's options", "*/"),
        ("SELECT * FROM src /*+ OPTIONS('k'='v') x */", ParseError, "between hints", "x"),
        ("SELECT * FROM src /*+ OPTIONS('k'='v', 'k'='w') */", ParseError, "twice", "'k'"),
        ("SELECT * FROM src WHERE /*+ OPTIONS('k'='v') */ a > 1", ParseError, "right after", "/*+"),
    ],
)
def test_refused(
    files: tuple[Path, Path], statement: str, error: type[NrtgError], words: str, where: str
) -> None:
    sql = DDL.format(path=files[0]) + statement + ";"
    with pytest.raises(error, match=words) as info:
        compile_sql(sql).optimized  # noqa: B018
    span = info.value.span  # offsets into the whole script
    assert span is not None and sql[span.start :].startswith(where)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT a, '/*+ OPTIONS(x) */' AS s FROM src",  # in a string literal
        "SELECT a AS `/*+ x */` FROM src",  # in a quoted name
        "SELECT a FROM src -- not a hint: /*+ OPTIONS(x) */\nWHERE a > 1",  # in comments
        "SELECT a /* plain comment, /*+ x */ FROM src",
    ],
)
def test_hint_text_outside_a_comment_of_its_own_is_text(
    files: tuple[Path, Path], statement: str
) -> None:
    sql = DDL.format(path=files[0]) + statement + ";"
    assert compile_sql(sql).optimized  # no stray-hint error
