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

from sqlglot.tokenizer_core import Token, TokenType

from .dialect import FlinkTokenizer

__all__ = ["fast_tokenize"]

# Group 1: whitespace before the token; then one group per token kind. The operator group
# is filled in by _tables() with sqlglot's operators, longest first. A word right before a
# quote matches nothing: N'...', X'...' and other prefixed strings follow sqlglot's rules.
_TEMPLATE = r"""
    ([ \t\r\n]*)
    (?:
      (--[^\r\n]*)
    | (/\*(?!\+)(?:.|\n)*?\*/)
    | ('(?:[^']|'')*')
    | (`(?:[^`]|``)*`)
    | (\d+(?:\.\d*)?(?:[eE][+-]?\d+)?(?![A-Za-z_0-9.]))
    | ([A-Za-z_][A-Za-z0-9_]*(?![$\w']))
    | (OPERATORS)
    | ($)
    )
    """
# Characters an operator may start with (others, e.g. `"`, are left to sqlglot's tokenizer).
_OPERATOR_START = frozenset("<>!=|:=-#&?~*+/%^(),.;[]{}@\\")
_LINE, _BLOCK, _STR, _IDENT, _NUM, _WORD, _OP, _END = range(2, 10)
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
    # The regex takes the first alternative that matches: longest first is the longest match.
    alternatives = "|".join(re.escape(k) for k in sorted(ops, key=len, reverse=True))
    pattern = re.compile(_TEMPLATE.replace("OPERATORS", alternatives), re.VERBOSE)
    return pattern, words, ops, multi


def fast_tokenize(sql: str) -> list[Token] | None:
    """Tokens of `sql`, or None when the script needs sqlglot's own tokenizer."""
    if "\r" in sql:
        return None  # sqlglot's line/column rules for \r and \r\n: leave them to it
    pattern, words, ops, multi = _tables()
    tokens: list[Token] = []
    pending: list[str] = []
    prev_line = -1  # the line the previous token ended on
    line = 1
    line_start = 0  # offset of the first character of the current line
    pos = 0
    match = pattern.match
    var = TokenType.VAR
    while True:
        m = match(sql, pos)
        if m is None:
            return None
        ws_end = m.end(1)
        if ws_end > pos:
            newlines = sql.count("\n", pos, ws_end)
            if newlines:
                line += newlines
                line_start = sql.rfind("\n", pos, ws_end) + 1
            pos = ws_end
        kind = m.lastindex
        end = m.end()
        if kind == _END:
            break
        text = m.group(kind)
        token_type: TokenType
        if kind == _WORD:
            upper = text.upper()
            follow = multi.get(upper)
            if follow:
                matched = _multi_word(sql, end, follow)
                if matched is not None:
                    if "\n" in sql[pos : matched[1]]:
                        return None
                    upper = f"{upper} {matched[0]}"
                    end = matched[1]
                    text = upper  # sqlglot spells multi-word keywords canonically
            token_type = words.get(upper, var)
        elif kind in (_LINE, _BLOCK):
            start_line = line
            body = text[2:] if kind == _LINE else text[2:-2]
            if kind == _BLOCK and "\n" in text:
                line += text.count("\n")
                line_start = pos + text.rfind("\n") + 1
            if start_line == prev_line and tokens:
                tokens[-1].comments.append(body)
                prev_line = line
            else:
                pending.append(body)
            pos = end
            continue
        elif kind == _NUM:
            token_type = TokenType.NUMBER
        elif kind == _STR:
            if "\n" in text:
                return None
            token_type = TokenType.STRING
            text = text[1:-1].replace("''", "'")
        elif kind == _IDENT:
            if "\n" in text:
                return None
            token_type = TokenType.IDENTIFIER
            text = text[1:-1].replace("``", "`")
        else:  # operators: the regex took the longest of sqlglot's operator keywords
            if sql.startswith("/*", pos):
                return None  # an unterminated or hint comment: sqlglot reports it
            token_type = ops[text]
            if token_type in _FALLBACK_TOKENS or text == "/*+":
                return None
            if token_type == TokenType.SEMICOLON and pending and tokens:
                tokens[-1].comments.extend(pending)
                pending = []
        tokens.append(Token(token_type, text, line, end - line_start, pos, end - 1, pending))
        pending = []
        prev_line = line
        pos = end
    if pending and tokens:
        # sqlglot keeps trailing comments on the last token
        tokens[-1].comments.extend(pending)
    return tokens


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
