"""Built-ins the batch target used to refuse, now on both targets with Flink's semantics:
IS_ALPHA, IS_DIGIT, IS_DECIMAL, INITCAP, URL_ENCODE, URL_DECODE, ENCODE, DECODE, UNHEX, TYPEOF,
ARRAY_DISTINCT, ARRAY_REMOVE. Expected values follow Flink's documentation and its
implementations (SqlFunctionUtils, Calcite's SqlFunctions.initcap, java.net.URLEncoder)."""

from __future__ import annotations

from typing import Any

import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.plan import nodes as n
from tests.runtime.stream._parity import run_parity


def _plan(sql: str) -> n.Plan:
    (root,) = compile_sql(sql).optimized
    return root


def _values(expr: str, *inputs: str) -> list[Any]:
    """`expr` over column `s` for each input (SQL literals), the same on both targets."""
    rows = ", ".join(f"({i}, {v})" for i, v in enumerate(inputs))
    batch, stream = run_parity(_plan(f"SELECT id, {expr} AS v FROM (VALUES {rows}) AS t(id, s)"))
    assert batch == stream
    return [v for _, v in sorted(batch)]


NULL_STR = "CAST(NULL AS STRING)"


def test_is_alpha_digit_decimal() -> None:
    inputs = ("'abc'", "'aé'", "'a1'", "'123'", "''", NULL_STR, "'-12'", "' 1.5e3 '")
    f, t = False, True
    assert _values("IS_ALPHA(s)", *inputs) == [t, t, f, f, f, f, f, f]
    assert _values("IS_DIGIT(s)", *inputs) == [f, f, f, t, f, f, f, f]
    assert _values("IS_DECIMAL(s)", *inputs) == [f, f, f, t, f, f, t, t]
    more = ("'NaN'", "'-Infinity'", "'1.5f'", "'0x1.8p1'", "'1e'", "'.'", "'1.'", "'+.5'")
    assert _values("IS_DECIMAL(s)", *more) == [True, True, True, True, False, False, True, True]


def test_initcap() -> None:
    # Calcite: words are runs of [A-Za-z0-9]; the rest of a word is lower-cased
    assert _values("INITCAP(s)", "'hello wORLD'", "'2nd-tIME o''neil'", "''", NULL_STR) == [
        "Hello World",
        "2nd-Time O'Neil",
        "",
        None,
    ]


def test_url_encode_decode() -> None:
    # java.net.URLEncoder: '+' for a space, '*' kept, '~' escaped, UTF-8 bytes in upper hex
    assert _values("URL_ENCODE(s)", "'a b*~+/é?&=.-_'") == ["a+b*%7E%2B%2F%C3%A9%3F%26%3D.-_"]
    assert _values("URL_DECODE(s)", "'a+b%2B%C3%A9'", "'100%'", "'%zz'", NULL_STR) == [
        "a b+é",
        None,
        None,
        None,
    ]


def test_encode_decode_unhex() -> None:
    assert _values("DECODE(ENCODE(s, 'UTF-8'), 'UTF-8')", "'é!'") == ["é!"]
    assert _values("UNHEX(s)", "'4142'", "'ABC'", "'zz'") == [b"AB", b"\x0a\xbc", None]
    with pytest.raises(UnsupportedError, match="UTF-8"):
        _values("ENCODE(s, 'ISO-8859-1')", "'a'")


def test_typeof() -> None:
    assert _values("TYPEOF(s)", "'a'") == ["CHAR(1) NOT NULL"]
    assert _values("TYPEOF(CAST(s AS STRING), TRUE)", "'a'") == ["VARCHAR(2147483647) NOT NULL"]


def test_array_distinct_and_remove() -> None:
    arr = "ARRAY[1, 2, 1, CAST(NULL AS INT), 3, CAST(NULL AS INT), 2]"
    assert _values(f"ARRAY_DISTINCT({arr})", "0") == [(1, 2, None, 3)]
    assert _values(f"ARRAY_REMOVE({arr}, 1)", "0") == [(2, None, 3, None, 2)]
    assert _values(f"ARRAY_REMOVE({arr}, CAST(NULL AS INT))", "0") == [(1, 2, 1, 3, 2)]
    assert _values("ARRAY_DISTINCT(CAST(NULL AS ARRAY<INT>))", "0") == [None]
