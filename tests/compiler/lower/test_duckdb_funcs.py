"""More Flink built-ins on the batch target, and which registry functions it refuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nrtg.catalog import types as t
from nrtg.catalog.types import SqlType
from nrtg.compiler.bind import functions as registry
from nrtg.compiler.lower import duckdb_aggs, duckdb_expr, duckdb_funcs
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, Expr, FieldAccess, Literal
from nrtg.runtime.batch import run_plan

STR, INT, BIG = t.string(), t.int_(), t.bigint()

# Registry entries the batch target refuses (UnsupportedError) for now, or that are not scalar
# functions (the window TVF names).
NOT_LOWERED = {
    "CUMULATE",
    "CURRENT_CATALOG",
    "CURRENT_DATABASE",
    "CURRENT_WATERMARK",
    "HOP",
    "JSON_ARRAYAGG",
    "JSON_OBJECTAGG",
    "SESSION",
    "SOURCE_WATERMARK",
    "TUMBLE",
}


def test_registry_coverage() -> None:
    handled = (
        set(duckdb_funcs.RENAMES)
        | set(duckdb_funcs._HANDLERS)
        | set(duckdb_funcs._NOW)
        | set(duckdb_expr._OPERATORS)
        | set(duckdb_expr._BINARY)
        | set(duckdb_aggs._SIMPLE)
        | set(duckdb_aggs._RANKING)
        | {"COUNT", "AVG", "LISTAGG", "FIRST_VALUE", "LAST_VALUE", "COLLECT"}
    )
    names = {str(k) for k in registry._FUNCTIONS} | {str(k) for k in registry._OPERATORS}
    assert names - handled == NOT_LOWERED


def lit(v: Any, typ: SqlType) -> Literal:
    return Literal(value=v, type=typ)


def call(name: str, typ: SqlType, *args: Expr) -> Call:
    return Call(name=name, args=args, type=typ)


def ev(e: Expr) -> Any:
    values = n.Values(rows=((lit(0, INT),),), fields=(n.Field("d", INT),))
    return run_plan(n.Project(input=values, exprs=(e,), names=("r",))).table.to_pylist()[0]["r"]


def s(v: str | None) -> Literal:
    return lit(v, STR)


def i(v: int) -> Literal:
    return lit(v, INT)


TS = lit(dt.datetime(2024, 1, 31, 10, 30), t.timestamp(3))


def test_left_right() -> None:
    # Flink doc: "LEFT(string, integer) Returns the leftmost integer characters from the
    # string. Returns EMPTY String if integer is negative."
    assert ev(call("LEFT", STR, s("hello"), i(2))) == "he"
    assert ev(call("LEFT", STR, s("hello"), i(-1))) == ""
    assert ev(call("RIGHT", STR, s("hello"), i(2))) == "lo"


def test_overlay() -> None:
    # Flink doc: "OVERLAY('This is an old string' PLACING ' new' FROM 10 FOR 5) returns
    # 'This is a new string'".
    e = call("OVERLAY", STR, s("This is an old string"), s(" new"), i(10), i(5))
    assert ev(e) == "This is a new string"


def test_elt() -> None:
    # Flink doc: ELT(index, expr[, exprs]*) "Returns NULL if index is out of range".
    assert ev(call("ELT", STR, i(2), s("a"), s("b"))) == "b"
    assert ev(call("ELT", STR, i(3), s("a"), s("b"))) is None


def test_timestampadd_and_diff() -> None:
    # Flink doc: "TIMESTAMPDIFF(DAY, TIMESTAMP '2003-01-02 10:00:00', TIMESTAMP '2003-01-03
    # 10:00:00') leads to 1"; whole units elapsed, so 10:59 -> 11:00 is 0 hours.
    day = "DAY"
    a = lit(dt.datetime(2003, 1, 2, 10), t.timestamp(3))
    b = lit(dt.datetime(2003, 1, 3, 10), t.timestamp(3))
    assert ev(call("TIMESTAMPDIFF", INT, s(day), a, b)) == 1
    c = lit(dt.datetime(2003, 1, 2, 10, 59), t.timestamp(3))
    d = lit(dt.datetime(2003, 1, 2, 11, 0), t.timestamp(3))
    assert ev(call("TIMESTAMPDIFF", INT, s("HOUR"), c, d)) == 0
    # Flink doc: "TIMESTAMPADD(WEEK, 1, DATE '2003-01-02') returns 2003-01-09".
    assert ev(call("TIMESTAMPADD", t.timestamp(3), s("HOUR"), i(2), TS)) == dt.datetime(
        2024, 1, 31, 12, 30
    )


def test_to_timestamp_ltz() -> None:
    # Flink doc: "TO_TIMESTAMP_LTZ(numeric, precision) Converts an epoch seconds or epoch
    # milliseconds to a TIMESTAMP_LTZ"; rendered here in the UTC session zone.
    e = call("TO_TIMESTAMP_LTZ", t.timestamp_ltz(3), lit(1000, BIG), i(3))
    assert ev(e) == dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=dt.UTC)
    e0 = call("TO_TIMESTAMP_LTZ", t.timestamp_ltz(3), lit(60, BIG), i(0))
    assert ev(e0) == dt.datetime(1970, 1, 1, 0, 1, tzinfo=dt.UTC)


def test_regexp_extract_all_and_count() -> None:
    # Flink doc: "REGEXP_EXTRACT_ALL('100-200, 300-400', '(\\d+)-(\\d+)', 1)" = [100, 300].
    e = call("REGEXP_EXTRACT_ALL", t.array(STR), s("100-200, 300-400"), s(r"(\d+)-(\d+)"), i(1))
    assert ev(e) == ["100", "300"]
    assert ev(call("REGEXP_COUNT", INT, s("abcab"), s("ab"))) == 2


def test_arrays() -> None:
    arr = call("ARRAY_VALUE", t.array(STR), s("a"), s(None), s("b"))
    assert ev(call("CARDINALITY", INT, arr)) == 3
    # Flink doc: ARRAY_POSITION "Returns 0 if the element is not found".
    assert ev(call("ARRAY_POSITION", INT, arr, s("b"))) == 3
    assert ev(call("ARRAY_POSITION", INT, arr, s("z"))) == 0
    # Flink doc: ARRAY_JOIN(array, delimiter[, nullReplacement]).
    assert ev(call("ARRAY_JOIN", STR, arr, s(","), s("?"))) == "a,?,b"
    one = call("ARRAY_VALUE", t.array(STR), s("x"))
    assert ev(call("ELEMENT", STR, one)) == "x"


def test_map_and_row() -> None:
    m = call("MAP_VALUE", t.map_(STR, INT), s("a"), i(1), s("b"), i(2))
    assert ev(call("ITEM", INT, m, s("b"))) == 2
    assert ev(call("ITEM", INT, m, s("z"))) is None
    row_type = t.row([("x", INT), ("y", STR)])
    r = call("ROW", row_type, i(1), s("q"))
    assert ev(FieldAccess(input=r, field_name="y", type=STR)) == "q"


def test_json_value() -> None:
    # Flink doc: "JSON_VALUE('{"a": true}', '$.a') returns 'true'".
    assert ev(call("JSON_VALUE", STR, s('{"a": true}'), s("$.a"))) == "true"
    assert ev(call("JSON_VALUE", STR, s('{"a": 1}'), s("$.b"))) is None


def test_math() -> None:
    assert ev(call("LOG", t.double(), lit(2.0, t.double()), lit(8.0, t.double()))) == 3.0
    assert ev(call("POWER", t.double(), lit(2.0, t.double()), lit(3.0, t.double()))) == 8.0
    assert ev(call("CEIL", BIG, lit(1.2, t.double()))) == 2


def test_base64_and_instr() -> None:
    assert ev(call("TO_BASE64", STR, s("hi"))) == "aGk="
    assert ev(call("FROM_BASE64", STR, s("aGk="))) == "hi"
    assert ev(call("INSTR", INT, s("hello"), s("l"))) == 3
