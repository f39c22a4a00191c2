"""The Flink dialect's node shapes: what the binder receives for each construct."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as hs
from sqlglot import exp

from nrtg.catalog import types as t
from nrtg.compiler.errors import NrtgError
from nrtg.compiler.parse.nodes import WindowTVF, flink_type, is_typed_literal
from nrtg.compiler.parse.parse import parse_expression, parse_query, parse_script


def _find(node: exp.Expression, cls: type) -> exp.Expression:
    found = node.find(cls)
    assert found is not None, f"no {cls.__name__} in {node!r}"
    return found


def test_window_tvf_positional() -> None:
    q = parse_query(
        "SELECT * FROM TABLE(HOP(TABLE db.bid, DESCRIPTOR(ts), INTERVAL '5' SECOND, "
        "INTERVAL '10' SECOND, INTERVAL '1' SECOND)) AS w"
    )
    tvf = _find(q, WindowTVF)
    assert isinstance(tvf, WindowTVF)
    assert tvf.kind == "HOP"
    assert isinstance(tvf.this, exp.Table) and tvf.this.name == "bid" and tvf.this.db == "db"
    assert isinstance(tvf.args["descriptor"], exp.Column) and tvf.args["descriptor"].name == "ts"
    assert tvf.args["slide"].this.name == "5"
    assert tvf.args["size"].this.name == "10"
    assert tvf.args["offset"].this.name == "1"
    assert tvf.alias == "w"


def test_window_tvf_named_any_order_equals_positional() -> None:
    named = parse_query(
        "SELECT * FROM TABLE(CUMULATE(SIZE => INTERVAL '1' HOUR, TIMECOL => DESCRIPTOR(ts), "
        "DATA => TABLE bid, STEP => INTERVAL '1' MINUTE))"
    )
    positional = parse_query(
        "SELECT * FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(ts), INTERVAL '1' MINUTE, "
        "INTERVAL '1' HOUR))"
    )
    assert named == positional


def test_session_partition_by() -> None:
    q = parse_query(
        "SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY (k, j), DESCRIPTOR(ts), "
        "INTERVAL '5' MINUTE))"
    )
    tvf = _find(q, WindowTVF)
    assert [c.name for c in tvf.args["partition_by"]] == ["k", "j"]
    assert tvf.args["gap"] is not None and tvf.args.get("size") is None


def test_cast_carries_the_flink_type() -> None:
    e = parse_expression("CAST(x AS ROW<a INT, b STRING ARRAY> NOT NULL)")
    assert isinstance(e, exp.Cast)
    sql_type = flink_type(e)
    assert sql_type is not None and sql_type.kind is t.Kind.ROW and not sql_type.nullable
    e2 = parse_expression("TRY_CAST(x AS DECIMAL(10, 2))")
    assert isinstance(e2, exp.TryCast) and flink_type(e2) == t.decimal(10, 2)
    assert not is_typed_literal(e2)


def test_typed_literals() -> None:
    e = parse_expression("TIMESTAMP '2020-01-01 00:00:00'")
    assert is_typed_literal(e) and isinstance(e, exp.Cast)
    sql_type = flink_type(e)
    assert sql_type is not None and sql_type.kind is t.Kind.TIMESTAMP
    assert e.this.is_string


def test_intervals() -> None:
    e = parse_expression("INTERVAL '1:30' MINUTE TO SECOND")
    assert isinstance(e, exp.Interval) and isinstance(e.args["unit"], exp.IntervalSpan)
    e = parse_expression("INTERVAL '1.500' SECOND")
    assert isinstance(e, exp.Interval) and e.this.name == "1.500"
    assert e.text("unit") == "SECOND"


def test_temporal_join_and_unnest() -> None:
    q = parse_query(
        "SELECT * FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts AS r2 ON o.k = r2.k "
        "CROSS JOIN UNNEST(o.arr) AS u(x, y)"
    )
    version = _find(q, exp.Version)
    assert version.name == "SYSTEM_TIME" and version.text("kind") == "AS OF"
    assert isinstance(version.parent, exp.Table) and version.parent.alias == "r2"
    unnest = _find(q, exp.Unnest)
    alias = unnest.args["alias"]
    assert alias.name == "u" and [c.name for c in alias.columns] == ["x", "y"]


def test_functions_and_aggregates() -> None:
    q = parse_query(
        "SELECT COUNT(*) FILTER (WHERE a > 1), COUNT(DISTINCT x), DATE_FORMAT(ts, 'HH'), "
        "IF(a, 1, 2), PROCTIME(), TUMBLE_START(ts, INTERVAL '1' MINUTE), x % 2, "
        "TIMESTAMPDIFF(SECOND, a, b), TIMESTAMPADD(HOUR, 1, ts) FROM t"
    )
    filt = _find(q, exp.Filter)
    assert isinstance(filt.this, exp.Count) and isinstance(filt.this.this, exp.Star)
    assert isinstance(_find(q, exp.Distinct).parent, exp.Count)
    names = {a.name for a in q.find_all(exp.Anonymous)}
    assert names == {"DATE_FORMAT", "PROCTIME", "TUMBLE_START"}
    assert isinstance(_find(q, exp.If), exp.If)
    assert isinstance(_find(q, exp.Mod), exp.Mod)
    diff = _find(q, exp.TimestampDiff)
    assert diff.text("unit") == "SECOND" and diff.this.name == "a" and diff.expression.name == "b"
    add = _find(q, exp.TimestampAdd)
    assert add.text("unit") == "HOUR" and add.this.name == "ts"


def test_constructors_and_field_access() -> None:
    q = parse_query("SELECT ROW(1, 'a'), ARRAY[1, 2], MAP['k', 1], person.name, t.p.name FROM t")
    assert _find(q, exp.Array) is not None
    # MAP[...] stays sqlglot's Bracket over a column named MAP (what the binder reads)
    map_node = _find(q, exp.Bracket)
    assert map_node.this.name == "MAP" and [e.name for e in map_node.expressions] == ["k", "1"]
    assert _find(q, exp.Anonymous).name == "ROW"
    cols = [c.sql() for c in q.find_all(exp.Column)]
    assert "person.name" in cols and "t.p.name" in cols


def test_backticks_keep_case_and_allow_reserved_words() -> None:
    q = parse_query("SELECT `dateTime`, `my col` FROM `Bid`")
    idents = [i for i in q.find_all(exp.Identifier)]
    assert [(i.name, i.quoted) for i in idents] == [
        ("dateTime", True),
        ("my col", True),
        ("Bid", True),
    ]


def test_legacy_windows_stay_function_calls() -> None:
    q = parse_query(
        "SELECT SESSION_END(ts, INTERVAL '1' MINUTE) FROM t GROUP BY SESSION(ts, INTERVAL '1' MINUTE)"
    )
    assert {a.name for a in q.find_all(exp.Anonymous)} == {"SESSION_END", "SESSION"}


def test_explain_wraps_statements() -> None:
    (stmt,) = parse_script("EXPLAIN PLAN_ADVICE INSERT INTO s SELECT 1").statements
    assert type(stmt).__name__ == "Explain"


TOKENS = [
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "(",
    ")",
    ",",
    ";",
    "a",
    "t",
    "1",
    "'s'",
    "`q`",
    "+",
    "=",
    "AS",
    "TABLE",
    "TUMBLE",
    "DESCRIPTOR",
    "INTERVAL",
    "'1'",
    "SECOND",
    "CAST",
    "INT",
    "JOIN",
    "ON",
    "CREATE",
    "INSERT INTO",
    "WITH",
    "BEGIN",
    "END",
    "STATEMENT SET",
    "*",
    "OVER",
    "CASE",
    "WHEN",
    "THEN",
    "--",
    "/*",
    "'",
]


@settings(max_examples=300, deadline=None)
@given(hs.lists(hs.sampled_from(TOKENS), max_size=14))
def test_random_token_soup_raises_only_nrtg_errors(words: list[str]) -> None:
    sql = " ".join(words)
    try:
        parse_script(sql)
    except NrtgError as e:
        assert e.span is not None or e.kind == "parse-error"


def test_is_predicates_bind_looser_than_comparisons_as_in_calcite() -> None:
    """Calcite ranks IS NULL/TRUE/... (28) below `=`/`<` (30) and above NOT (26) and AND."""
    eq = parse_expression("x = y IS NULL")
    assert isinstance(eq, exp.Is) and isinstance(eq.this, exp.Paren | exp.EQ)
    assert isinstance(parse_expression("x > 1 IS NOT TRUE"), exp.Not)
    parenthesized = parse_expression("x = (y IS NULL)")
    assert isinstance(parenthesized, exp.EQ)
    assert isinstance(parse_expression("NOT a IS NULL").this, exp.Is)
    both = parse_expression("a IS NOT NULL AND b IS NULL")
    assert isinstance(both, exp.And) and isinstance(both.expression, exp.Is)
