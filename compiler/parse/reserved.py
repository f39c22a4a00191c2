"""Flink's reserved words: unquoted, they cannot name a column, table or alias."""

from __future__ import annotations

from operator import attrgetter

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from nrtg.compiler.errors import ParseError, Span

from .nodes import find_all, positions, span_of

__all__ = [
    "RESERVED_WORDS",
    "check_reserved",
    "check_tree",
    "needs_reserved_check",
    "reserved_candidates",
]

# Calcite/Flink reserved words that sqlglot would otherwise accept as plain identifiers.
RESERVED_WORDS = frozenset(
    {
        "DATETIME",
        "DEC",
        "VALUE",
        "USER",
        "YEAR",
        "MONTH",
        "DAY",
        "HOUR",
        "MINUTE",
        "SECOND",
        "DATE",
        "TIME",
        "TIMESTAMP",
        "INTERVAL",
        "COUNT",
        "RANK",
        "ROW_NUMBER",
    }
)


def check_reserved(name: str, span: Span | None) -> None:
    if name.upper() in RESERVED_WORDS:
        raise ParseError(
            f"`{name}` is a reserved word in Flink SQL; quote it as `{name}`",
            span,
            hint=f"write `{name}` with backticks wherever it names a column, table or alias",
        )


_TEXT = attrgetter("text")


def reserved_candidates(tokens: list[Token]) -> list[int]:
    """The indexes of the tokens other than quoted names that spell a reserved word."""
    # The tokens' words in C loops (map, set.intersection, list.index): most have none.
    words = list(map(str.upper, map(_TEXT, tokens)))
    return sorted(
        i
        for word in RESERVED_WORDS.intersection(words)
        for i in positions(words, word)
        if tokens[i].token_type != TokenType.IDENTIFIER
    )


def needs_reserved_check(tokens: list[Token], candidates: list[int]) -> bool:
    """Cheap pre-scan: could an unquoted reserved word be used as an identifier here?
    `candidates` are the reserved_candidates of `tokens`."""
    for i in candidates:
        nxt = tokens[i + 1].token_type if i + 1 < len(tokens) else None
        if nxt in (TokenType.L_PAREN, TokenType.STRING, TokenType.NUMBER):
            continue
        if (
            i >= 2
            and tokens[i - 1].token_type == TokenType.STRING
            and tokens[i - 2].token_type == TokenType.INTERVAL
        ):
            continue  # the unit of INTERVAL '10' SECOND, which the interval parser reads
        return True
    return False


def check_tree(node: exp.Expr, stmt_index: int) -> None:
    """Refuses unquoted reserved words used as identifiers (Flink requires backticks)."""
    for n in find_all(node, exp.Identifier):
        if not n.quoted and n.name.upper() in RESERVED_WORDS:
            span = span_of(n)
            check_reserved(n.name, None if span is None else Span(span.start, span.end, stmt_index))
