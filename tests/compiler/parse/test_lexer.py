"""The fast lexer produces exactly sqlglot's tokens (type, text, position, comments)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from sqlglot.tokenizer_core import Token

from nrtg.compiler.parse.dialect import Flink
from nrtg.compiler.parse.lexer import Lexed, fast_tokenize, lex

from .test_roundtrip import QUERIES, STATEMENTS

GOLDEN = Path(__file__).resolve().parents[3] / "golden"
TRICKY = [
    "SELECT a -- c1\n, b /* c2 */ FROM t; -- c3\n/* c4 */ SELECT 1 /* c5 */;\n-- end",
    "x>=1 AND y<>2 OR z != 3 || 'a' => :: ->> 1.5e3 .5 1. 1e-3",
    "SELECT `a``b`, 'it''s', '', ``",
    "a GROUP  BY b ORDER\tBY c PARTITIONED BY d PRIMARY KEY",
    "GROUPBY GROUP_BY group by_x",
    "",
    "   ",
    "-- only a comment",
    "/* multi\nline */ SELECT\n\n  1",
]


def _tokens(tokens: list[Token]) -> list[tuple[object, ...]]:
    return [(t.token_type, t.text, t.line, t.col, t.start, t.end, t.comments) for t in tokens]


def _corpus() -> list[str]:
    files = sorted(GOLDEN.rglob("*.sql")) if GOLDEN.is_dir() else []
    return [p.read_text() for p in files] + QUERIES + STATEMENTS + TRICKY


@pytest.mark.parametrize("sql", _corpus())
def test_same_tokens_as_sqlglot(sql: str) -> None:
    fast = fast_tokenize(sql)
    try:
        reference = Flink().tokenize(sql)
    except Exception:  # malformed (golden error cases): sqlglot reports it
        assert fast is None
        return
    if fast is None:  # by design: hints and multi-line tokens go to sqlglot's tokenizer
        assert "/*+" in sql or "'multi\nline'" in sql
        return
    assert _tokens(fast) == _tokens(reference)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'open",
        "SELECT `open",
        "SELECT /* open",
        "a GROUP\nBY b",
        "SELECT a\r\nFROM t",
        "SELECT N'x'",
        "SELECT @4.",
        'SELECT "x"',
    ],
)
def test_falls_back_on_what_it_does_not_handle(sql: str) -> None:
    assert fast_tokenize(sql) is None


@pytest.mark.parametrize(
    "sql",
    [
        *_corpus(),
        "'BEGIN' STATEMENT SET; SELECT 1",
        "SELECT `begin`, 'Year', year, `year`, COUNT(*), INTERVAL '1' SECOND; SELECT 2;",
    ],
)
def test_facts_as_from_the_tokens(sql: str) -> None:
    """What the lexer notes while reading equals what Lexed.of finds in its tokens."""
    lexed = lex(sql)
    if lexed is not None:
        assert lexed == Lexed.of(lexed.tokens)


PIECES = ["SELECT", "a", "`b c`", "'s''t'", "1", "2.5", "--x\n", "/*y*/", "\n", " ", ",", "(", ")"]
PIECES += ["\r", "N", "'", "@", "4.", ".5", "{", "#", "$"]
PIECES += [">=", "<>", "||", "=>", ";", "GROUP BY", "ORDER", "BY", "e", "_", "*", ".", "-", "ü"]


@settings(max_examples=300, deadline=None)
@given(hs.lists(hs.sampled_from(PIECES), max_size=20), hs.sampled_from(["", " ", "\n"]))
def test_random_scripts_match_or_fall_back(pieces: list[str], sep: str) -> None:
    sql = sep.join(pieces)
    fast = fast_tokenize(sql)
    try:
        reference = Flink().tokenize(sql)
    except Exception:
        assert fast is None
        return
    if fast is not None:
        assert _tokens(fast) == _tokens(reference)
