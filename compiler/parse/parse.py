"""Entry points: Flink SQL text -> typed statements / sqlglot ASTs with source spans.

Every failure is a `ParseError` (or `UnsupportedError` for valid Flink SQL nrtg refuses) whose
`Span` holds character offsets into the whole script; no sqlglot exception escapes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from sqlglot import exp
from sqlglot.errors import ParseError as SqlglotParseError
from sqlglot.errors import TokenError
from sqlglot.tokenizer_core import Token, TokenType

from nrtg.compiler.errors import ParseError, Span

from . import statements as st
from .dialect import Flink, FlinkParser, SyntaxFailure
from .lexer import Lexed, lex
from .nodes import span_of
from .reserved import RESERVED_WORDS, check_tree, needs_reserved_check, reserved_candidates
from .script import ScriptParser

__all__ = [
    "parse_expression",
    "parse_query",
    "parse_script",
    "span_of",
    "to_flink_sql",
]

T = TypeVar("T")


@functools.cache
def _dialect() -> Flink:
    return Flink()


def _tokenize(sql: str) -> Lexed:
    fast = lex(sql)
    if fast is not None:
        return fast
    # sqlglot's tokenizer: the reference, and the one that reports malformed input
    tokenizer = _dialect().tokenizer_class(dialect=_dialect())
    try:
        tokens = tokenizer.tokenize(sql)
    except TokenError as e:
        core = getattr(tokenizer, "_core", tokenizer)
        start = int(getattr(core, "_start", 0))
        cause = str(e.__cause__) if e.__cause__ else str(e)
        if sql.startswith("/*", start):
            message = "unterminated /* comment (missing */)"
        elif cause.startswith("Missing '"):
            message = "unterminated string literal (missing closing ')"
        elif cause.startswith("Missing `"):
            message = "unterminated quoted identifier (missing closing `)"
        else:
            message = f"cannot read the SQL here: {cause}"
        raise ParseError(message, Span(start, len(sql))) from e
    for tok in tokens:
        if tok.token_type == TokenType.UNKNOWN:
            hint = (
                "; Flink SQL quotes names with backticks (`name`) and strings with single "
                "quotes ('text')"
                if tok.text == '"'
                else ""
            )
            raise ParseError(
                f"unexpected character {tok.text!r}{hint}", Span(tok.start, tok.end + 1)
            )
    return Lexed.of(tokens)


def _guard(stmt_index: int, sql: str, parser: FlinkParser, fn: Callable[[], T]) -> T:
    """Runs a parse, turning every sqlglot error into a positioned ParseError."""
    try:
        return fn()
    except SyntaxFailure as e:
        raise ParseError(e.message, Span(e.start, e.end, stmt_index)) from None
    except (SqlglotParseError, ValueError, TypeError, KeyError, AttributeError, IndexError) as e:
        # sqlglot gave up without a position of its own: blame the token it stopped at.
        tok = parser._curr or parser._prev
        start, end = (tok.start, tok.end + 1) if tok else (len(sql), len(sql))
        label = f"'{tok.text}'" if tok else "end of input"
        raise ParseError(f"syntax error at {label}", Span(start, end, stmt_index)) from e
    except RecursionError:
        tok = parser._curr or parser._prev
        start, end = (tok.start, tok.end + 1) if tok else (0, len(sql))
        raise ParseError(
            "this statement nests too deeply for the parser (more than about 30 levels of "
            "parentheses or subqueries); split it, e.g. with a view",
            Span(start, end, stmt_index),
        ) from None


def _split(lexed: Lexed) -> list[tuple[list[Token], list[int]]]:
    """Statements at `;`, each with its reserved_candidates."""
    tokens = lexed.tokens
    if lexed.begin:
        return [(chunk, reserved_candidates(chunk)) for chunk in _split_sets(tokens)]
    # No statement set (a set needs a token spelling BEGIN): the chunks between the `;`s.
    out = []
    start = 0
    for end in [*lexed.semicolons, len(tokens)]:
        if end > start:
            reserved = [i - start for i in lexed.reserved if start <= i < end]
            out.append((tokens[start:end], reserved))
        start = end + 1
    return out


def _split_sets(tokens: list[Token]) -> list[list[Token]]:
    """Statements at `;`, keeping statement sets (`...STATEMENT SET BEGIN ... END`) whole.

    Inside a set, `;` separates its INSERTs and the first END that closes no CASE ends it.
    """
    out: list[list[Token]] = []
    current: list[Token] = []
    in_set = False
    case_depth = 0
    for tok in tokens:
        tt = tok.token_type
        if in_set:
            current.append(tok)
            if tt == TokenType.CASE:
                case_depth += 1
            elif tt == TokenType.END:
                if case_depth:
                    case_depth -= 1
                else:
                    in_set = False
            continue
        if tt == TokenType.SEMICOLON:
            if len(current) == 3 and _opens_set(current) and current[0].text.upper() == "BEGIN":
                current.append(tok)  # BEGIN STATEMENT SET;
                in_set, case_depth = True, 0
                continue
            if current:
                out.append(current)
            current = []
            continue
        current.append(tok)
        if tt == TokenType.BEGIN and _opens_set(current[:-1]):
            in_set, case_depth = True, 0
    if current:
        out.append(current)
    return out


def _opens_set(tokens: list[Token]) -> bool:
    words = [t.text.upper() for t in tokens[:4] if t.token_type != TokenType.STRING]
    if words[:3] == ["BEGIN", "STATEMENT", "SET"]:
        return True
    return any(words[i : i + 2] == ["STATEMENT", "SET"] for i in range(len(words)))


def parse_script(sql: str) -> st.Script:
    """Parses a whole script (`;`-separated statements) into typed statements."""
    parser = ScriptParser(dialect=_dialect())
    statements: list[st.Statement] = []
    chunks = _split(_tokenize(sql))
    for index, (chunk, reserved) in enumerate(chunks):
        end = chunks[index + 1][0][0].start if index + 1 < len(chunks) else len(sql)
        stmt = _guard(
            index,
            sql,
            parser,
            lambda: parser.parse_statement(chunk, sql, index, end, reserved),  # noqa: B023
        )
        statements.append(stmt)
    return st.Script(statements=tuple(statements), source=sql)


def _parse_one(
    sql: str, what: str, method: Callable[[FlinkParser], exp.Expr | None]
) -> exp.Expression:
    tokens = [t for t in _tokenize(sql).tokens if t.token_type != TokenType.SEMICOLON]
    if not tokens:
        raise ParseError(f"expected {what}, found nothing", Span(0, len(sql)))
    parser = FlinkParser(dialect=_dialect())

    def run() -> exp.Expression:
        parser.reset()
        parser.sql = sql
        parser._tokens = tokens
        parser._tokens_size = len(tokens)
        parser._index = -1
        parser._advance()
        node = method(parser)
        if parser._curr:
            parser.raise_error("expected the end of the " + what)
        if not isinstance(node, exp.Expression):
            raise ParseError(f"expected {what}", Span(0, len(sql)))
        if needs_reserved_check(tokens, reserved_candidates(tokens)):
            check_tree(node, 0)
        return node

    return _guard(0, sql, parser, run)


def parse_expression(sql: str) -> exp.Expression:
    """One scalar expression, e.g. a computed column or watermark stored in the catalog."""
    return _parse_one(sql, "expression", lambda p: p._parse_assignment())


def parse_query(sql: str) -> exp.Expression:
    """One query, e.g. a view's text stored in the catalog."""

    def query(p: FlinkParser) -> exp.Expr | None:
        node = p.parse_query_body()
        if not isinstance(node, exp.Query | exp.Values):
            p.raise_error("expected a query (SELECT, WITH or VALUES)")
        return node

    return _parse_one(sql, "query", query)


def to_flink_sql(node: exp.Expr | st.Statement | st.Script) -> str:
    """Prints an AST (or a parsed statement, or a whole script) back as Flink SQL."""
    if isinstance(node, exp.Expr):
        return node.sql(dialect=_dialect())
    from .printer import statement_sql

    def expr_sql(e: exp.Expression) -> str:
        return e.sql(dialect=_dialect())

    if isinstance(node, st.Script):
        return "".join(statement_sql(s, expr_sql, RESERVED_WORDS) + ";\n" for s in node.statements)
    return statement_sql(node, expr_sql, RESERVED_WORDS)
