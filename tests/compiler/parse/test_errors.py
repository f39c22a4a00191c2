"""Malformed scripts give a ParseError (or UnsupportedError) at the offending token."""

from __future__ import annotations

import pytest

from nrtg.compiler.errors import NrtgError, ParseError, UnsupportedError
from nrtg.compiler.parse.parse import parse_expression, parse_query, parse_script

# (script, error class, line, column, words the message must contain)
CASES: list[tuple[str, type[NrtgError], int, int, str]] = [
    ("SELEC * FROM bid", ParseError, 1, 1, "unknown statement 'SELEC'; did you mean SELECT?"),
    ("SELECT * FORM bid", ParseError, 1, 15, "did you mean FROM instead of 'FORM'"),
    ("SELECT a,\n  FROM bid", ParseError, 2, 3, "expected an item after ','"),
    ("SELECT a FROM bid WHERE", ParseError, 1, 24, "expected an expression after 'WHERE'"),
    ("SELECT auction,\n  dateTime FROM bid", ParseError, 2, 3, "`dateTime` is a reserved word"),
    ("SELECT (a + 1 FROM bid", ParseError, 1, 15, "expected )"),
    ("SELECT 1;\nSELECT 'abc FROM bid", ParseError, 2, 8, "unterminated string"),
    ("SELECT a FROM t /* open", ParseError, 1, 17, "unterminated /* comment"),
    ("SELECT INTERVAL '1' MILLISECOND", ParseError, 1, 8, "INTERVAL '0.500' SECOND"),
    ("SELECT INTERVAL 10 SECOND", ParseError, 1, 8, "quoted string"),
    (
        "SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts)))",
        ParseError,
        1,
        21,
        "TUMBLE is missing its SIZE argument",
    ),
    (
        "SELECT * FROM TABLE(TUMBLE(TABLE bid, ts, INTERVAL '1' SECOND))",
        ParseError,
        1,
        39,
        "DESCRIPTOR(<column>)",
    ),
    (
        "SELECT * FROM TABLE(HOP(DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), "
        "SIZE => INTERVAL '1' SECOND, SLID => INTERVAL '1' SECOND))",
        ParseError,
        1,
        100,
        "HOP has no parameter SLID",
    ),
    (
        "SELECT * FROM TABLE(TUMBLE(DATA => TABLE bid, DESCRIPTOR(ts), INTERVAL '1' SECOND))",
        ParseError,
        1,
        47,
        "positional argument after named arguments",
    ),
    (
        "SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND, "
        "INTERVAL '1' SECOND, INTERVAL '1' SECOND))",
        ParseError,
        1,
        95,
        "TUMBLE takes at most 4 arguments",
    ),
    (
        "SELECT * FROM TABLE(TUMBLE(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' SECOND))",
        ParseError,
        1,
        28,
        "only allowed for SESSION",
    ),
    (
        "SELECT * FROM TABLE(TUMBLE(DATA => TABLE t, DATA => TABLE u))",
        ParseError,
        1,
        45,
        "parameter DATA of TUMBLE is given twice",
    ),
    (
        "SELECT * FROM TABLE(FOO(TABLE bid))",
        UnsupportedError,
        1,
        21,
        "TUMBLE, HOP, CUMULATE or SESSION",
    ),
    (
        "CREATE TABLE t (\n  a INT,\n  b STRING,\n  a BIGINT\n)",
        ParseError,
        4,
        3,
        "duplicate column name 'a'",
    ),
    (
        "CREATE TABLE t (a INT, PRIMARY KEY (a))",
        ParseError,
        1,
        24,
        "Flink doesn't support ENFORCED mode for PRIMARY KEY constraint",
    ),
    ("CREATE TABLE t (a INTT)", ParseError, 1, 19, "invalid type 'INTT'"),
    ("CREATE TABLE t (a INT) WITH (k = 'v')", ParseError, 1, 30, "option key"),
    ("CREATE TABLE t (dec INT)", ParseError, 1, 17, "`dec` is a reserved word"),
    ("INSERT sink SELECT 1", ParseError, 1, 8, "expected INTO"),
    ("SELECT CAST(a AS FOO) FROM t", ParseError, 1, 18, "invalid type 'FOO'"),
    ("SELECT a FROM t GROUP a", ParseError, 1, 23, "did you mean GROUP BY?"),
    ("SELECT a FROM t;\nSELECT b FRM u", ParseError, 2, 14, "did you mean FROM"),
    ("SELECT COUNT(*) FROM t GROUP BY", ParseError, 1, 32, "after GROUP BY"),
    ("SELECT * FROM t JOIN u", ParseError, 1, 17, "JOIN needs a condition"),
    ("SELECT * FROM t WHERE a = = 1", ParseError, 1, 27, "expected an expression"),
    ("BEGIN STATEMENT SET;\nSELECT 1;\nEND;", ParseError, 2, 1, "only INSERT statements"),
    ("SELECT a FROM t WHERE a IN ()", ParseError, 1, 29, "IN (...) needs at least one value"),
    ("SELECT x FROM t UNION SELECT", ParseError, 1, 29, "expected a column or expression"),
    ("CREATE VIEW v SELECT 1", ParseError, 1, 15, "expected AS"),
    (
        "SELECT *\nFROM t MATCH_RECOGNIZE (\n  PARTITION BY k ORDER BY ts\n  MEASURES A.x AS ax\n"
        "  ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW\n  PATTERN (A B+)\n"
        "  DEFINE A AS A.x > 1\n) AS m",
        UnsupportedError,
        2,
        8,
        "MATCH_RECOGNIZE is not supported yet",
    ),
    ("SHOW TABLES", UnsupportedError, 1, 1, "SHOW statements are not supported"),
    ("SELECT a AS FROM t", ParseError, 1, 13, "expected a name after AS"),
    ("SELECT INT '5'", ParseError, 1, 8, "unexpected 'INT'; expected an expression"),
    ("SELECT * FROM t LIMIT 1 WHERE x", ParseError, 1, 25, "WHERE must come before LIMIT"),
    ("SELECT a FROM t HAVING x GROUP BY a", ParseError, 1, 26, "GROUP BY must come before HAVING"),
    ("SELECT * FROM t WHERE a JOIN u ON TRUE", ParseError, 1, 25, "JOIN must come before WHERE"),
    ("SELECT * FROM t LIMIT 1, 2", ParseError, 1, 17, "Flink has no LIMIT offset, count"),
    ("SELECT * FROM t FETCH FIRST 2 ONLY", ParseError, 1, 17, "ROWS } ONLY"),
    ("SELECT a FROM t GROUP BY a GROUPING SETS ((a))", ParseError, 1, 17, "separated by commas"),
    ("SELECT a FROM t GROUP BY CUBE ()", ParseError, 1, 17, "CUBE needs at least one"),
    ("SELECT * FROM t AS (a, b)", ParseError, 1, 15, "needs a table alias"),
    (
        "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1 END;\nSELECT 2",
        ParseError,
        1,
        52,
        "expected ';' after the INSERT statement",
    ),
    ("SELECT 1 END", ParseError, 1, 10, "unexpected 'END'"),
    ("SELECT a FROM t GROUP BY a HAVNG COUNT(*) > 1", ParseError, 1, 28, "did you mean HAVING"),
    ("SELECT a FROM t ORDER a", ParseError, 1, 23, "did you mean ORDER BY?"),
    ("SELECT MAP['a', 1, 'b'] FROM t", ParseError, 1, 11, "key, value pairs"),
    ("DELETE FROM t WHERE a = 1", UnsupportedError, 1, 1, "DELETE statements are not supported"),
    ("ALTER VIEW v AS SELECT 1", UnsupportedError, 1, 1, "ALTER VIEW is not supported"),
    ("CREATE OR REPLACE TABLE t (a INT)", UnsupportedError, 1, 1, "CREATE OR REPLACE"),
    ("SELECT x::INT FROM t", ParseError, 1, 9, "unexpected '::'"),
    ("SELECT COUNT( FROM t", ParseError, 1, 15, "unexpected 'FROM'; expected )"),
    ("SELECT CASE WHEN a THEN 1 FROM t", ParseError, 1, 27, "expected END after CASE"),
    ("SELECT a FROM t JOIN u ON", ParseError, 1, 26, "expected a condition after ON"),
    ('SELECT "x" FROM t', ParseError, 1, 8, "backticks"),
    ("SELECT a.b. FROM t", ParseError, 1, 13, "unexpected 'FROM'"),
    (
        "SELECT *\nFROM t WHERE /*+ OPTIONS('k' = 'v') */ a",
        ParseError,
        2,
        14,
        "a hint goes right after SELECT",
    ),
    ("SELECT * FROM t CROSS JOIN UNNEST(a) AS (x)", ParseError, 1, 28, "give UNNEST a table alias"),
    ("CREATE TABLE t LIKE u AS SELECT 1", ParseError, 1, 16, "cannot also copy a table with LIKE"),
]


@pytest.mark.parametrize(("sql", "cls", "line", "col", "words"), CASES)
def test_error_position(sql: str, cls: type[NrtgError], line: int, col: int, words: str) -> None:
    with pytest.raises(cls) as info:
        parse_script(sql)
    err = info.value
    assert type(err) is cls
    assert words in err.message
    assert err.span is not None
    assert err.span.line_col(sql) == (line, col), err.render(sql)
    rendered = err.render(sql)
    assert rendered.startswith(f"error[{cls.kind}]: ")
    assert f"line {line}, column {col}" in rendered
    assert "Traceback" not in rendered and "sqlglot" not in err.message


def test_deep_nesting_is_a_parse_error() -> None:
    sql = "SELECT 1;\nSELECT " + "(" * 300 + "1" + ")" * 300
    with pytest.raises(ParseError) as info:
        parse_script(sql)
    assert "nests too deeply" in info.value.message
    assert info.value.span is not None and info.value.span.stmt == 1
    assert parse_script("SELECT " + "(" * 20 + "1" + ")" * 20).statements


def test_error_span_counts_the_statement() -> None:
    sql = "SELECT 1;\nSELECT 2;\nSELECT FROM"
    with pytest.raises(ParseError) as info:
        parse_script(sql)
    assert info.value.span is not None and info.value.span.stmt == 2


def test_render_shows_caret() -> None:
    sql = "SELECT * FORM bid"
    with pytest.raises(ParseError) as info:
        parse_script(sql)
    assert info.value.render(sql).splitlines()[-1].endswith("^^^")


@pytest.mark.parametrize(
    ("fn", "text"),
    [
        (parse_expression, "a +"),
        (parse_expression, "a b"),
        (parse_expression, ""),
        (parse_query, "SELECT"),
        (parse_query, "a + 1"),
        (parse_query, "SELECT 1; SELECT 2"),
    ],
)
def test_single_entry_points_raise_parse_errors(fn: object, text: str) -> None:
    assert callable(fn)
    with pytest.raises(ParseError):
        fn(text)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT",
        "SELECT (((",
        "SELECT * FROM",
        "CREATE",
        "CREATE TABLE",
        "CREATE TABLE t (",
        "INSERT INTO",
        "EXPLAIN",
        "EXECUTE STATEMENT SET BEGIN INSERT INTO t SELECT 1;",
        "ALTER TABLE t",
        "DROP",
        "SELECT CAST(",
        "SELECT * FROM TABLE(",
        "SELECT * FROM TABLE(TUMBLE(",
        "SELECT a FROM t WHERE a = 'x",
        "SELECT `a FROM t",
        "SELECT 1 +* 2",
        "SELECT ARRAY[1, 2 FROM t",
        "SELECT MAP[1 FROM t",
        "SELECT ) FROM t",
        "CREATE TABLE t (a INT, WATERMARK ts AS ts)",
        "CREATE TABLE t (a INT METADATA FROM)",
        "CREATE FUNCTION f AS 'x' LANGUAGE COBOL",
        "SET 'a'",
        "USE",
    ],
)
def test_truncated_and_garbled_input_never_escapes(sql: str) -> None:
    with pytest.raises((ParseError, UnsupportedError)) as info:
        parse_script(sql)
    assert info.value.span is not None, info.value.message
    assert 0 <= info.value.span.start <= len(sql)
