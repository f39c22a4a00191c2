"""Built-ins the batch target used to refuse, now on both targets with Flink's semantics:
IS_ALPHA, IS_DIGIT, IS_DECIMAL, INITCAP, URL_ENCODE, URL_DECODE, ENCODE, DECODE, UNHEX, TYPEOF,
ARRAY_DISTINCT, ARRAY_REMOVE. Expected values follow Flink's documentation and its
implementations (SqlFunctionUtils, Calcite's SqlFunctions.initcap, java.net.URLEncoder)."""

from __future__ import annotations

from typing import Any

import pytest

from nrtg.compiler.errors import NrtgError, UnsupportedError
from tests.runtime.stream._parity import optimized_plan, run_parity


def _values(expr: str, *inputs: str) -> list[Any]:
    """`expr` over column `s` for each input (SQL literals), the same on both targets."""
    rows = ", ".join(f"({i}, {v})" for i, v in enumerate(inputs))
    batch, stream = run_parity(
        optimized_plan(f"SELECT id, {expr} AS v FROM (VALUES {rows}) AS t(id, s)")
    )
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


def test_starts_ends_btrim() -> None:
    assert _values("STARTSWITH(s, 'ab')", "'abc'", "'xab'", NULL_STR) == [True, False, None]
    assert _values("ENDSWITH(s, '')", "'abc'") == [True]
    assert _values("BTRIM(s)", "'  a b  '") == ["a b"]
    assert _values("BTRIM(s, 'xy')", "'xyaxbyx'") == ["axb"]


def test_regexp_substr_instr() -> None:
    assert _values("REGEXP_SUBSTR(s, 'b+')", "'abbcb'", "'xyz'") == ["bb", None]
    # the first match's position, not the first occurrence of its text ('a$' in 'aba': 3)
    assert _values("REGEXP_INSTR(s, 'a$')", "'aba'", "'abc'", NULL_STR) == [3, 0, None]
    assert _values("REGEXP_INSTR(s, 'c+')", "'abccc'") == [3]


def test_json_quote_unquote() -> None:
    assert _values("JSON_QUOTE(s)", "'a\"b/c\\d'") == ['"a\\"b\\/c\\\\d"']
    assert _values("JSON_UNQUOTE(s)", "'\"a\\u0041\\n\"'", "'abc'", "'\"x'", "'[1]'") == [
        "aA\n",
        "abc",
        '"x',
        "[1]",
    ]


def test_array_builders() -> None:
    assert _values("ARRAY_APPEND(ARRAY[1, 2], CAST(NULL AS INT))", "0") == [(1, 2, None)]
    assert _values("ARRAY_PREPEND(ARRAY[1, 2], 0)", "0") == [(0, 1, 2)]
    assert _values("ARRAY_APPEND(CAST(NULL AS ARRAY<INT>), 1)", "0") == [None]
    arr = "ARRAY[3, CAST(NULL AS INT), 1, 2]"
    assert _values(f"ARRAY_SORT({arr})", "0") == [(None, 1, 2, 3)]
    assert _values(f"ARRAY_SORT({arr}, FALSE)", "0") == [(3, 2, 1, None)]
    assert _values(f"ARRAY_SORT({arr}, FALSE, TRUE)", "0") == [(None, 3, 2, 1)]
    a, b = "ARRAY[1, 2, 2, 3, CAST(NULL AS INT)]", "ARRAY[3, 4, 3]"
    assert _values(f"ARRAY_UNION({a}, {b})", "0") == [(1, 2, 3, None, 4)]
    assert _values(f"ARRAY_EXCEPT({a}, {b})", "0") == [(1, 2, None)]
    assert _values(f"ARRAY_INTERSECT({a}, {b})", "0") == [(3,)]
    assert _values(f"ARRAY_UNION({a}, CAST(NULL AS ARRAY<INT>))", "0") == [None]


def test_map_union() -> None:
    maps = "MAP['a', 1, 'b', 2], MAP['b', 3, 'c', 4]"
    assert _values(f"MAP_UNION({maps})", "0") == [(("a", 1), ("b", 3), ("c", 4))]


def test_ceil_to_unit() -> None:
    # Flink doc: CEIL(TIME '12:44:31' TO MINUTE) returns 12:45:00; a boundary stays
    got = _values(
        "CEIL(CAST(s AS TIMESTAMP(3)) TO MINUTE)", "'2024-01-01 12:44:31'", "'2024-01-01 12:44:00'"
    )
    assert [str(v) for v in got] == ["2024-01-01 12:45:00", "2024-01-01 12:44:00"]
    assert str(_values("CEIL(CAST(s AS TIMESTAMP(3)) TO DAY)", "'2024-01-31 00:00:01'")[0]) == (
        "2024-02-01 00:00:00"
    )


def test_parse_url() -> None:
    # Flink doc: parse_url('http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1', 'HOST') returns
    # 'facebook.com'; with 'QUERY', 'k1' it returns 'v1'
    url = "'http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1'"
    other = "'https://user:pw@Example.com:8080/a/b'"
    inputs = (url, other, "'no url'", "'gopher://x/y'", NULL_STR)

    def part(name: str) -> list[Any]:
        return _values(f"PARSE_URL(s, '{name}')", *inputs)

    assert part("HOST") == ["facebook.com", "Example.com", None, None, None]
    assert part("PATH")[:2] == ["/path1/p.php", "/a/b"]
    assert part("QUERY")[:2] == ["k1=v1&k2=v2", None]
    assert part("REF")[:2] == ["Ref1", None]
    assert part("PROTOCOL")[:2] == ["http", "https"]
    assert part("FILE")[:2] == ["/path1/p.php?k1=v1&k2=v2", "/a/b"]
    assert part("AUTHORITY")[:2] == ["facebook.com", "user:pw@Example.com:8080"]
    assert part("USERINFO")[:2] == [None, "user:pw"]
    assert _values("PARSE_URL(s, 'QUERY', 'k1')", url, other) == ["v1", None]
    assert _values("PARSE_URL(s, 'QUERY', 'k3')", url) == [None]


def test_str_to_map() -> None:
    # Java's split: regex delimiters, trailing empty pieces dropped, a piece without '=' is a
    # key with a NULL value, a later key wins
    got = _values("STR_TO_MAP(s)", "'a=1,b=2'", "'a=1,b,c=x=y,,a=3'", "''", NULL_STR)
    assert [None if m is None else dict(m) for m in got] == [
        {"a": "1", "b": "2"},
        {"a": "3", "b": None, "c": "x=y", "": None},
        {},
        None,
    ]
    assert dict(_values("STR_TO_MAP(s, ';', ':')", "'k1:v1;k2:v2'")[0]) == {"k1": "v1", "k2": "v2"}
    assert dict(_values("STR_TO_MAP(s, '[|]')", "'a=1|b=2'")[0]) == {"a": "1", "b": "2"}


def test_fixed_on_both_targets() -> None:
    # LOCATE's start position; ARRAY_SLICE without end_offset; DATE plus days is a DATE;
    # BETWEEN SYMMETRIC (Flink doc: 12 BETWEEN SYMMETRIC 15 AND 12 is TRUE)
    assert _values("LOCATE('b', s, 3)", "'abcbc'", "'abc'") == [4, 0]
    assert _values("LOCATE('b', s, 0)", "'abc'") == [0]
    assert _values("ARRAY_SLICE(ARRAY[1, 2, 3], 2)", "0") == [(2, 3)]
    assert str(_values("TIMESTAMPADD(DAY, 1, DATE '2024-01-31')", "0")[0]) == "2024-02-01"
    assert _values("12 BETWEEN SYMMETRIC 15 AND 12", "0") == [True]
    assert _values("12 NOT BETWEEN SYMMETRIC 12 AND 15", "0") == [False]
    assert _values("12 BETWEEN 15 AND 12", "0") == [False]


def test_string_to_integer_cast() -> None:
    # Flink (BinaryStringDataUtil.toLong): a fraction is truncated, exponents, hexadecimal and
    # underscores do not convert (DuckDB's own cast rounds and reads them)
    inputs = ("'5.9'", "' -42 '", "'1e2'", "'0x1A'", "'1_000'", "'+7'", "'-5.5'", NULL_STR)
    assert _values("TRY_CAST(s AS INT)", *inputs) == [5, -42, None, None, None, 7, -5, None]
    assert _values("CAST(s AS BIGINT)", "'12.99'", "' 3 '") == [12, 3]
    with pytest.raises(NrtgError, match="cannot cast '1e2' to an integer type"):
        _values("CAST(s AS INT)", "'1e2'")


def test_printf() -> None:
    # java.util.Formatter: NULL is "null", String.valueOf for %s (true, 1.50, 1.0E7)
    fmt = "'%5d|%-5s|%.2f|%e|%x|%05d|%+d|%.3s|%o|%%|%S'"
    args = "42, 'ab', 3.14159, 12.5, 255, 7, 5, 'abcdef', 8, 'up'"
    assert _values(f"PRINTF({fmt}, {args})", "0") == [
        "   42|ab   |3.14|1.250000e+01|ff|00007|+5|abc|10|%|UP"
    ]
    row = "PRINTF('%s %s %s %s', TRUE, CAST(NULL AS INT), 1.50, 1e7)"
    assert _values(row, "0") == ["true null 1.50 1.0E7"]
    assert _values("PRINTF('%5d|', CAST(NULL AS INT))", "0") == [" null|"]
    assert _values("PRINTF('%d and %d', 1)", "0") == [None]  # a missing argument
    with pytest.raises(UnsupportedError, match="PRINTF conversion %tY"):
        _values("PRINTF('%tY', s)", "'x'")
