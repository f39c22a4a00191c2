"""A regex tokenizer producing exactly the tokens of `FlinkTokenizer`, several times faster.

sqlglot's pure-Python tokenizer walks the script one character at a time, which is about a
third of the parse time of a Nexmark query. This lexer matches whole tokens with one compiled
pattern and builds the same `Token` objects (type, text, line, col, start, end, comments).
Anything it does not recognise makes it return None, and the caller falls back to sqlglot's
tokenizer, which also produces the error message for malformed input; tests compare both
tokenizers on the whole corpus.
"""

from __future__ import annotations

import functools
import re
from operator import attrgetter
from typing import NamedTuple

from sqlglot.tokenizer_core import Token, TokenType

from .dialect import FlinkTokenizer
from .nodes import positions
from .reserved import RESERVED_WORDS, reserved_candidates

__all__ = ["Lexed", "fast_tokenize", "lex"]

_TYPE = attrgetter("token_type")
_TEXT = attrgetter("text")


class Lexed(NamedTuple):
    """A script's tokens, with what the statement split and the reserved-word check need."""

    tokens: list[Token]
    semicolons: list[int]  # the indexes of the `;` tokens
    begin: bool  # a token spells BEGIN (a statement set may open)
    reserved: list[int]  # reserved_candidates(tokens)

    @classmethod
    def of(cls, tokens: list[Token]) -> Lexed:
        """The facts of tokens from another tokenizer."""
        return cls(
            tokens,
            list(positions(list(map(_TYPE, tokens)), TokenType.SEMICOLON)),
            "BEGIN" in map(str.upper, map(_TEXT, tokens)),
            reserved_candidates(tokens),
        )


# One match per token: the whitespace before it, then a comment or a token (or the end of the
# text). The operator alternatives are filled in by _tables() with sqlglot's operators. A word
# right before a quote matches nothing: N'...', X'...' and other prefixed strings follow
# sqlglot's rules. `findall` reads the whole text in one C call; where no alternative matches,
# it skips characters, which the caller sees as a gap in the positions it adds up.
_TEMPLATE = r"""
    ([ \t\r\n]*)
    (?:
      (--[^\r\n]*|/\*(?!\+)(?:.|\n)*?\*/)
    | ('(?:[^']|'')*'
      |`(?:[^`]|``)*`
      |\d+(?:\.\d*)?(?:[eE][+-]?\d+)?(?![A-Za-z_0-9.])
      |[A-Za-z_][A-Za-z0-9_]*(?![$\w'])
      |OPERATORS
      )
    | \Z
    )
    """
# Characters an operator may start with (others, e.g. `"`, are left to sqlglot's tokenizer).
_OPERATOR_START = frozenset("<>!=|:=-#&?~*+/%^(),.;[]{}@\\")
_STR, _IDENT, _NUM, _WORD = range(4)
# The kind of a token by its first character; operators are the rest.
_KINDS = {
    "'": _STR,
    "`": _IDENT,
    **dict.fromkeys("0123456789", _NUM),
    **dict.fromkeys("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_", _WORD),
}
_WATCHED = RESERVED_WORDS | {"BEGIN"}
# Not Flink syntax, and sqlglot tokenizes them with special rules (`{#` comments, `@` params).
_FALLBACK_TOKENS = frozenset({TokenType.UNKNOWN, TokenType.PARAMETER, TokenType.L_BRACE})


@functools.cache
def _tables() -> tuple[
    re.Pattern[str], dict[str, TokenType], dict[str, TokenType], dict[str, tuple[str, ...]]
]:
    keywords = FlinkTokenizer.KEYWORDS
    words = {k: v for k, v in keywords.items() if re.fullmatch(r"[A-Z_][A-Z0-9_]*( [A-Z]+)*", k)}
    ops = dict(FlinkTokenizer.SINGLE_TOKENS)
    ops.update({k: v for k, v in keywords.items() if not re.search(r"[A-Za-z0-9\s]", k)})
    ops = {k: v for k, v in ops.items() if k[0] in _OPERATOR_START}
    multi: dict[str, tuple[str, ...]] = {}
    for k in keywords:
        if " " in k:
            first, *rest = k.split(" ")
            multi[first] = (*multi.get(first, ()), " ".join(rest))
    # One alternative per first character, which the regex engine skips at a glance when it
    # differs; in it, the longer operators first (the regex takes the first that matches).
    rests: dict[str, list[str]] = {}
    for k in ops:
        rests.setdefault(k[0], []).append(k[1:])
    alternatives = "|".join(
        re.escape(first)
        + (
            "(?:" + "|".join(re.escape(r) for r in sorted(more, key=len, reverse=True) if r) + ")"
            if any(more)
            else ""
        )
        + ("?" if "" in more and any(more) else "")
        for first, more in rests.items()
    )
    pattern = re.compile(_TEMPLATE.replace("OPERATORS", alternatives), re.VERBOSE)
    return pattern, words, ops, multi


def fast_tokenize(sql: str) -> list[Token] | None:
    """Tokens of `sql`, or None when the script needs sqlglot's own tokenizer."""
    lexed = lex(sql)
    return None if lexed is None else lexed.tokens


def lex(sql: str) -> Lexed | None:
    """Tokens of `sql` and their facts, or None when the script needs sqlglot's tokenizer."""
    if "\r" in sql:
        return None  # sqlglot's line/column rules for \r and \r\n: leave them to it
    pattern, words, ops, multi = _tables()
    tokens: list[Token] = []
    pending: list[str] = []
    prev_line = -1  # the line the previous token ended on
    line = 1
    line_start = 0  # offset of the first character of the current line
    pos = 0  # the text read so far by the matches (a gap findall skipped makes it short)
    resume = 0  # the end of the last token: a multi-word keyword ends past its first match
    semicolons: list[int] = []
    begin = False
    reserved: list[int] = []
    # The words the facts are about: one set lookup per word token.
    watched = _WATCHED
    kinds = _KINDS
    var = TokenType.VAR
    for space, comment, text in pattern.findall(sql):
        if space:
            if "\n" in space:
                line += space.count("\n")
                line_start = pos + space.rfind("\n") + 1
            pos += len(space)
        if pos < resume:  # a later word of a multi-word keyword (no comment comes between)
            pos += len(text)
            continue
        if comment:
            start_line = line
            if comment[1] == "-":
                body = comment[2:]
            else:
                body = comment[2:-2]
                if "\n" in comment:
                    line += comment.count("\n")
                    line_start = pos + comment.rfind("\n") + 1
            if start_line == prev_line and tokens:
                tokens[-1].comments.append(body)
                prev_line = line
            else:
                pending.append(body)
            pos += len(comment)
            continue
        if not text:
            break  # the end of the text
        start = pos
        pos = end = start + len(text)
        kind = kinds.get(text[0])
        token_type: TokenType
        if kind == _WORD:
            upper = text.upper()
            follow = multi.get(upper)
            if follow:
                matched = _multi_word(sql, end, follow)
                if matched is not None:
                    if "\n" in sql[start : matched[1]]:
                        return None
                    upper = f"{upper} {matched[0]}"
                    end = matched[1]
                    text = upper  # sqlglot spells multi-word keywords canonically
            token_type = words.get(upper, var)
            if upper in watched:
                if upper == "BEGIN":
                    begin = True
                else:
                    reserved.append(len(tokens))
        elif kind == _NUM:
            token_type = TokenType.NUMBER
        elif kind == _STR:
            if "\n" in text:
                return None
            token_type = TokenType.STRING
            text = text[1:-1].replace("''", "'")
            upper = text.upper()
            if upper in watched:
                if upper == "BEGIN":
                    begin = True
                else:
                    reserved.append(len(tokens))
        elif kind == _IDENT:
            if "\n" in text:
                return None
            token_type = TokenType.IDENTIFIER
            text = text[1:-1].replace("``", "`")
            begin = begin or text.upper() == "BEGIN"  # quoted names are no reserved words
        else:  # operators: the regex took the longest of sqlglot's operator keywords
            if text[0] == "/" and sql.startswith("/*", start):
                return None  # an unterminated or hint comment: sqlglot reports it
            token_type = ops[text]
            if token_type in _FALLBACK_TOKENS or text == "/*+":
                return None
            if token_type == TokenType.SEMICOLON:
                semicolons.append(len(tokens))
                if pending and tokens:
                    tokens[-1].comments.extend(pending)
                    pending = []
        tokens.append(Token(token_type, text, line, end - line_start, start, end - 1, pending))
        pending = []
        prev_line = line
        resume = end
    if pos != len(sql):
        return None  # findall skipped text that no alternative matches
    if pending and tokens:
        # sqlglot keeps trailing comments on the last token
        tokens[-1].comments.extend(pending)
    return Lexed(tokens, semicolons, begin, reserved)


def _multi_word(sql: str, pos: int, follow: tuple[str, ...]) -> tuple[str, int] | None:
    """Match one of `follow` (e.g. "BY") after whitespace at `pos`, case-insensitively."""
    i = pos
    size = len(sql)
    while i < size and sql[i] in " \t\r\n":
        i += 1
    if i == pos:
        return None
    best: tuple[str, int] | None = None
    for rest in follow:
        n = len(rest)
        stop = i + n
        boundary = stop >= size or not (sql[stop].isalnum() or sql[stop] == "_")
        if boundary and sql[i:stop].upper() == rest and (best is None or n > len(best[0])):
            best = (rest, stop)
    return best
