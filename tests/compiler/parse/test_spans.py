"""span_of: every node of a parsed script points at its own source text (script offsets)."""

from __future__ import annotations

import pytest
from sqlglot import exp

from nrtg.compiler.parse import statements as st
from nrtg.compiler.parse.nodes import WindowTVF
from nrtg.compiler.parse.parse import parse_expression, parse_script, span_of

SCRIPT = """-- leading comment
SET 'pipeline.name' = 'q';
/* block
   comment */
SELECT t.person.name, DATE_FORMAT(ts, 'yyyy') AS d, COUNT(*) FILTER (WHERE x > 1),
  CAST(p AS DECIMAL(10, 2)), INTERVAL '1' SECOND, SUM(x) OVER (PARTITION BY k ORDER BY ts),
  CASE WHEN a THEN 1 END, (a + b) * 2, ARRAY[1, 2], NULL, TRUE, arr[1], -x, MOD(a, 2), *
FROM db.bid AS b CROSS JOIN UNNEST(b.arr) AS u(x),
  TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND)) AS w
JOIN r FOR SYSTEM_TIME AS OF b.ts AS r2 ON b.k = r2.k
WHERE x IN (SELECT y FROM z) GROUP BY TUMBLE(ts, INTERVAL '1' HOUR);
INSERT INTO sink SELECT LOWER(name) FROM bid
"""


def _text(node: exp.Expression, source: str = SCRIPT) -> str:
    span = span_of(node)
    assert span is not None, repr(node)
    return source[span.start : span.end]


@pytest.fixture(scope="module")
def query() -> exp.Expression:
    stmt = parse_script(SCRIPT).statements[1]
    assert isinstance(stmt, st.Query)
    return stmt.query


def _first(root: exp.Expression, cls: type[exp.Expression]) -> exp.Expression:
    found = root.find(cls)
    assert found is not None, cls
    return found


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        (exp.Column, "t.person.name"),
        (exp.Alias, "DATE_FORMAT(ts, 'yyyy') AS d"),
        (exp.Anonymous, "DATE_FORMAT(ts, 'yyyy')"),
        (exp.Filter, "COUNT(*) FILTER (WHERE x > 1)"),
        (exp.Count, "COUNT(*)"),
        (exp.Cast, "CAST(p AS DECIMAL(10, 2))"),
        (exp.DataType, "DECIMAL(10, 2)"),
        (exp.Interval, "INTERVAL '1' SECOND"),
        (exp.Window, "SUM(x) OVER (PARTITION BY k ORDER BY ts)"),
        (exp.Sum, "SUM(x)"),
        (exp.Case, "CASE WHEN a THEN 1 END"),
        (exp.Mul, "(a + b) * 2"),
        (exp.Paren, "(a + b)"),
        (exp.Array, "ARRAY[1, 2]"),
        (exp.Null, "NULL"),
        (exp.Boolean, "TRUE"),
        (exp.Bracket, "arr[1]"),
        (exp.Neg, "-x"),
        (exp.Mod, "MOD(a, 2)"),
        (exp.Star, "*"),
        (exp.From, "FROM db.bid AS b"),
        (exp.Table, "db.bid AS b"),
        (exp.Unnest, "UNNEST(b.arr) AS u(x)"),
        (WindowTVF, "TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND)) AS w"),
        (exp.Version, "FOR SYSTEM_TIME AS OF b.ts"),
        (exp.EQ, "b.k = r2.k"),
        (exp.Where, "WHERE x IN (SELECT y FROM z)"),
        (exp.In, "x IN (SELECT y FROM z)"),
        (exp.Group, "GROUP BY TUMBLE(ts, INTERVAL '1' HOUR)"),
    ],
)
def test_first_node_of_each_kind(query: exp.Expression, cls: type, expected: str) -> None:
    assert _text(_first(query, cls)) == expected


def test_every_leaf_and_call_has_a_span(query: exp.Expression) -> None:
    kinds = (exp.Column, exp.Identifier, exp.Literal, exp.Func, exp.Table, exp.Star, WindowTVF)
    for node in query.walk():
        if isinstance(node, kinds):
            span = span_of(node)
            assert span is not None and span.start < span.end, repr(node)


def test_columns_and_literals_point_at_their_text(query: exp.Expression) -> None:
    columns = {_text(c) for c in query.find_all(exp.Column)}
    assert {"t.person.name", "ts", "x", "p", "k", "a", "b", "b.arr", "b.k", "r2.k"} <= columns
    literals = [_text(lit) for lit in query.find_all(exp.Literal)]
    assert "'yyyy'" in literals and "'10'" in literals and "2" in literals
    tvf = _first(query, WindowTVF)
    assert _text(tvf.args["descriptor"]) == "ts"
    assert _text(tvf.args["size"]) == "INTERVAL '10' SECOND"
    assert _text(tvf.this) == "bid"


def test_statement_spans_and_text() -> None:
    script = parse_script(SCRIPT)
    set_stmt, query, insert = script.statements
    assert set_stmt.text == "SET 'pipeline.name' = 'q'"
    assert query.text.startswith("SELECT t.person.name") and query.text.endswith("HOUR)")
    assert insert.text == "INSERT INTO sink SELECT LOWER(name) FROM bid"
    assert [s.span.stmt for s in script.statements] == [0, 1, 2]
    assert isinstance(insert, st.Insert)
    assert _text(_first(insert.query, exp.Lower)) == "LOWER(name)"
    assert SCRIPT[insert.target.span.start : insert.target.span.end] == "sink"


def test_ddl_spans() -> None:
    sql = "CREATE TABLE t (\n  a INT,\n  b AS a + 1,\n  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND\n)"
    (stmt,) = parse_script(sql).statements
    assert isinstance(stmt, st.CreateTable)
    a, b = stmt.columns
    assert sql[a.span.start : a.span.end] == "a INT"
    assert sql[b.span.start : b.span.end] == "b AS a + 1"
    assert b.expr is not None and _text(b.expr, sql) == "a + 1"
    (wm,) = stmt.watermarks
    assert _text(wm.expr, sql) == "ts - INTERVAL '1' SECOND"


def test_parse_expression_spans() -> None:
    sql = "CAST(`dateTime` AS TIMESTAMP(3)) - INTERVAL '4' SECOND"
    node = parse_expression(sql)
    assert _text(node, sql) == sql
    assert _text(_first(node, exp.Column), sql) == "`dateTime`"


def test_spans_use_sqlglot_end_inclusive_meta() -> None:
    # the parser stores sqlglot's convention (end inclusive); span_of returns [start, end)
    node = parse_expression("abc")
    assert node.meta["start"] == 0 and node.meta["end"] == 2
    assert span_of(node) == span_of(node.this)
