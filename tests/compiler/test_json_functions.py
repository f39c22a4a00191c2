"""JSON_VALUE, JSON_QUERY and JSON_EXISTS with their clauses (RETURNING, wrappers, ON EMPTY /
ON ERROR): parsed and printed back, typed, and run on both targets with the same rows.

Expected values follow Flink's documentation examples and Calcite's SqlJsonUtils semantics
(lax mode: a missing value, JSON null and, for JSON_VALUE, an object or array are empty; strict
mode: a missing value is an error; a malformed document is an error)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from nrtg.catalog import types as t
from nrtg.compiler.api import compile_sql
from nrtg.compiler.errors import NrtgError, ParseError, TypeCheckError
from nrtg.compiler.parse.parse import parse_expression, to_flink_sql
from tests.runtime.stream._parity import column_per_id, optimized_plan, run_parity

DOCS = (
    '(VALUES (1, \'{"k": 5, "s": "abc", "a": [1, 2], "o": {"x": 1}, "b": true, '
    '"f": 2.5, "n": null, "d": "2024-03-10", "a b": "sp"}\'), '
    '(2, \'{"k": "x7", "a": [], "f": 12345678901}\'), '
    "(3, 'not json'), (4, CAST(NULL AS STRING))) AS t(id, doc)"
)


def _column(expr: str) -> dict[int, Any]:
    """`expr` per document id, the same on both targets."""
    return column_per_id(expr, DOCS)


@pytest.mark.parametrize(
    "sql",
    [
        "JSON_VALUE(doc, '$.k' RETURNING INT)",
        "JSON_VALUE(doc, 'lax $.k' RETURNING DECIMAL(10, 2) DEFAULT -1 ON EMPTY ERROR ON ERROR)",
        "JSON_VALUE(doc, '$.k' NULL ON ERROR)",
        "JSON_VALUE(doc, '$.k' RETURNING INT NOT NULL NULL ON EMPTY)",
        "JSON_QUERY(doc, '$.a' WITH CONDITIONAL ARRAY WRAPPER EMPTY ARRAY ON EMPTY "
        "EMPTY OBJECT ON ERROR)",
        "JSON_QUERY(doc, '$.a' RETURNING ARRAY<STRING>)",
        "JSON_QUERY(doc, '$' WITHOUT ARRAY WRAPPER)",
        "JSON_EXISTS(doc, 'strict $.b' TRUE ON ERROR)",
        "JSON_EXISTS(doc, '$.b')",
    ],
)
def test_printed_back_as_written(sql: str) -> None:
    assert to_flink_sql(parse_expression(sql)) == sql


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("JSON_VALUE(doc, '$.k' EMPTY ARRAY ON EMPTY)", "expected )"),
        ("JSON_VALUE(doc)", "expected ',' and a JSON path"),
        ("JSON_VALUE(doc, '$.k' NULL ON)", "expected ON EMPTY after NULL"),
        ("JSON_QUERY(doc, '$.k' WITH ARRAY)", "expected WRAPPER"),
        ("JSON_VALUE(doc, '$.k' NULL ON ERROR NULL ON EMPTY)", "ON EMPTY clause comes before"),
        ("JSON_EXISTS(doc, '$.k' RETURNING INT)", "expected )"),
    ],
)
def test_malformed_clauses(sql: str, message: str) -> None:
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_expression(sql)


def test_types() -> None:
    fields = optimized_plan(
        f"SELECT JSON_VALUE(doc, '$.k') AS a, JSON_VALUE(doc, '$.k' RETURNING BIGINT) AS b, "
        f"JSON_QUERY(doc, '$.a' RETURNING ARRAY<STRING>) AS c, JSON_EXISTS(doc, '$.k') AS d, "
        f"JSON_EXISTS('{{}}', '$.k') AS e, JSON_EXISTS('{{}}', '$.k' UNKNOWN ON ERROR) AS f "
        f"FROM {DOCS}"
    ).schema.fields
    assert [f.type for f in fields] == [
        t.string(),
        t.bigint(),
        t.array(t.string()),
        t.boolean(),
        t.boolean(False),
        t.boolean(),
    ]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("JSON_VALUE(doc, '$.a' RETURNING ARRAY<INT>)", "JSON_VALUE cannot return ARRAY<INT>"),
        ("JSON_QUERY(doc, '$.a' RETURNING INT)", "JSON_QUERY cannot return INT"),
        ("JSON_VALUE(doc, '$.k' RETURNING INT DEFAULT 'x' ON EMPTY)", "does not fit RETURNING"),
        ("JSON_VALUE(id, '$.k')", "argument 1 must be STRING"),
    ],
)
def test_type_errors(expr: str, message: str) -> None:
    with pytest.raises(TypeCheckError, match=message):
        compile_sql(f"SELECT {expr} FROM {DOCS}")


def test_json_value_returning() -> None:
    assert _column("JSON_VALUE(doc, '$.k')") == {1: "5", 2: "x7", 3: None, 4: None}
    # a JSON string is no INT: an error, NULL by default (NULL ON ERROR)
    assert _column("JSON_VALUE(doc, '$.k' RETURNING INT)") == {1: 5, 2: None, 3: None, 4: None}
    assert _column("JSON_VALUE(doc, '$.f' RETURNING DOUBLE)")[1] == 2.5
    # out of DECIMAL(10, 1)'s range: an error
    assert _column("JSON_VALUE(doc, '$.f' RETURNING DECIMAL(10, 1))")[2] is None
    assert _column("JSON_VALUE(doc, '$.b' RETURNING BOOLEAN)")[1] is True
    assert str(_column("JSON_VALUE(doc, '$.d' RETURNING DATE)")[1]) == "2024-03-10"
    assert _column("JSON_VALUE(doc, '$.[''a b'']')")[1] == "sp"


def test_json_value_on_empty_and_on_error() -> None:
    # Flink doc: JSON_VALUE('{"a": true}', 'lax $.b' DEFAULT FALSE ON EMPTY) = 'false'
    assert _column("JSON_VALUE(doc, 'lax $.zz' DEFAULT FALSE ON EMPTY)")[1] == "false"
    both = "JSON_VALUE(doc, '$.zz' RETURNING INT DEFAULT -1 ON EMPTY DEFAULT -2 ON ERROR)"
    assert _column(both) == {1: -1, 2: -1, 3: -2, 4: None}  # NULL input: NULL
    # lax: an object, JSON null and a missing value are empty; strict: missing is an error
    assert _column("JSON_VALUE(doc, '$.o' DEFAULT 'e' ON EMPTY)")[1] == "e"
    assert _column("JSON_VALUE(doc, '$.n' DEFAULT 'e' ON EMPTY)")[1] == "e"
    strict = "JSON_VALUE(doc, 'strict $.zz' DEFAULT 'empty' ON EMPTY DEFAULT 'error' ON ERROR)"
    assert _column(strict) == {1: "error", 2: "error", 3: "error", 4: None}


def test_json_query_wrappers_and_behaviors() -> None:
    assert _column("JSON_QUERY(doc, '$.o')")[1] == '{"x":1}'
    assert _column("JSON_QUERY(doc, '$.a')") == {1: "[1,2]", 2: "[]", 3: None, 4: None}
    # scalars must be wrapped to be returned (Flink doc)
    assert _column("JSON_QUERY(doc, '$.k')")[1] is None
    assert _column("JSON_QUERY(doc, '$.k' WITH CONDITIONAL ARRAY WRAPPER)")[1] == "[5]"
    assert _column("JSON_QUERY(doc, '$.a' WITH CONDITIONAL ARRAY WRAPPER)")[1] == "[1,2]"
    assert _column("JSON_QUERY(doc, '$.a' WITH UNCONDITIONAL ARRAY WRAPPER)")[1] == "[[1,2]]"
    assert _column("JSON_QUERY(doc, 'lax $.zz' EMPTY OBJECT ON EMPTY)")[1] == "{}"
    assert _column("JSON_QUERY(doc, 'strict $.zz' EMPTY ARRAY ON ERROR)")[1] == "[]"
    assert _column("JSON_QUERY(doc, '$.a' RETURNING ARRAY<STRING>)")[1] == ("1", "2")


def test_json_exists() -> None:
    assert _column("JSON_EXISTS(doc, '$.k')") == {1: True, 2: True, 3: False, 4: None}
    assert _column("JSON_EXISTS(doc, '$.n')")[1] is False  # JSON null: nothing selected
    assert _column("JSON_EXISTS(doc, 'strict $.zz' TRUE ON ERROR)")[1] is True
    assert _column("JSON_EXISTS(doc, '$.k' UNKNOWN ON ERROR)")[3] is None


def test_error_behavior_fails_the_query() -> None:
    with pytest.raises(NrtgError, match="not valid JSON"):
        _column("JSON_VALUE(doc, '$.k' ERROR ON ERROR)")
    with pytest.raises(NrtgError, match="ERROR ON EMPTY"):
        _column("JSON_VALUE(doc, '$.zz' ERROR ON EMPTY)")


def _one(expr: str) -> Any:
    return _column(expr)[1]


def test_json_object_and_array() -> None:
    # Flink doc examples
    assert _one("JSON_OBJECT()") == "{}"
    assert _one("JSON_OBJECT('K1' VALUE 'V1', 'K2' VALUE 'V2')") == '{"K1":"V1","K2":"V2"}'
    assert _one("JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) NULL ON NULL)") == '{"K1":null}'
    assert _one("JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) ABSENT ON NULL)") == "{}"
    nested = "JSON_OBJECT(KEY 'K1' VALUE JSON_OBJECT(KEY 'K2' VALUE 'V'))"
    assert _one(nested) == '{"K1":{"K2":"V"}}'
    assert _one("JSON_ARRAY()") == "[]"
    assert _one("JSON_ARRAY(1, '2')") == '[1,"2"]'
    assert _one("JSON_ARRAY(CAST(NULL AS STRING) NULL ON NULL)") == "[null]"
    assert _one("JSON_ARRAY(CAST(NULL AS STRING) ABSENT ON NULL)") == "[]"
    assert _one("JSON_ARRAY(JSON_ARRAY(1))") == "[[1]]"
    # a string that holds JSON is a string; DECIMAL keeps its scale, DOUBLE is Java's text
    assert _one("JSON_ARRAY(doc, 1.50, 1e7)").endswith('",1.50,1.0E7]')
    # values from columns; ABSENT ON NULL leaves out the NULL document
    assert _column("JSON_OBJECT('id' VALUE id, 'doc' VALUE doc ABSENT ON NULL)")[4] == '{"id":4}'


def test_json_string() -> None:
    assert _one("JSON_STRING('Hello, World!')") == '"Hello, World!"'
    assert _one("JSON_STRING(ARRAY[1, 2])") == "[1,2]"
    assert _one("JSON_STRING(TRUE)") == "true"
    assert _one("JSON_STRING(CAST(NULL AS INT))") is None


def test_is_json() -> None:
    assert _column("doc IS JSON") == {1: True, 2: True, 3: False, 4: False}
    assert _column("doc IS JSON OBJECT")[1] is True
    assert _column("doc IS NOT JSON ARRAY")[1] is True
    assert _column("'1' IS JSON SCALAR")[1] is True
    assert _column("'\"abc\"' IS JSON")[1] is True
    with pytest.raises(TypeCheckError, match="keys must be string literals"):
        compile_sql(f"SELECT JSON_OBJECT(KEY doc VALUE 1) FROM {DOCS}")


def test_constructors_print_back() -> None:
    for sql in (
        "JSON_OBJECT(KEY 'K1' VALUE 'V1', KEY 'K2' VALUE x ABSENT ON NULL)",
        "JSON_ARRAY(1, NULL NULL ON NULL)",
        "JSON_ARRAY()",
    ):
        assert to_flink_sql(parse_expression(sql)) == sql


@pytest.mark.parametrize(
    ("expr", "doc", "expected"),
    [
        # Flink's JSON_VALUE / JSON_QUERY documentation examples
        ("JSON_VALUE(s, '$.[\"a.b\"][0]' RETURNING DOUBLE)", '{"a.b": [0.998,0.996]}', 0.998),
        (
            "JSON_VALUE(s, 'strict $.[''contains blank'']' NULL ON EMPTY DEFAULT 'wrong' ON ERROR)",
            '{"contains blank": "right"}',
            "right",
        ),
        ("JSON_VALUE(s, '$.a' RETURNING BOOLEAN)", '{"a": true}', True),
        ("JSON_VALUE(s, 'strict $.b' DEFAULT FALSE ON ERROR)", '{"a": true}', "false"),
        ("JSON_QUERY(s, 'lax $.a[*].c')", '{"a":[{"c":"c1"},{"c":"c2"}]}', '["c1","c2"]'),
        (
            "JSON_QUERY(s, 'lax $.a[*].c' RETURNING ARRAY<STRING>)",
            '{"a":[{"c":"c1"},{"c":"c2"}]}',
            ("c1", "c2"),
        ),
        ("JSON_QUERY(s, '$' WITH CONDITIONAL ARRAY WRAPPER)", "{}", "[{}]"),
        ("JSON_QUERY(s, '$' WITH CONDITIONAL ARRAY WRAPPER)", "[1, 2]", "[1,2]"),
        ("JSON_QUERY(s, '$' WITH UNCONDITIONAL ARRAY WRAPPER)", "[1, 2]", "[[1,2]]"),
        ("JSON_QUERY(s, '$')", "1", None),
        ("JSON_QUERY(s, '$' WITH CONDITIONAL ARRAY WRAPPER)", "1", "[1]"),
        ("JSON_EXISTS(s, '$.a[0].b')", '{"a": [{ "b": 1 }]}', True),
        ("JSON_EXISTS(s, 'strict $.b' FALSE ON ERROR)", '{"a": true}', False),
    ],
)
def test_flink_doc_examples(expr: str, doc: str, expected: Any) -> None:
    literal = "'" + doc.replace("'", "''") + "'"
    sql = f"SELECT 1 AS id, {expr} AS v FROM (VALUES ({literal})) AS t(s)"
    batch, stream = run_parity(optimized_plan(sql))
    assert batch == stream
    assert [v for _, v in batch] == [expected]
