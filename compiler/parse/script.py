"""Statement-level Flink SQL: DDL, INSERT, statement sets, SET/RESET, USE, EXPLAIN.

`ScriptParser` extends the query parser of dialect.py; it parses one statement's tokens into a
`statements.Statement`, delegating queries and scalar expressions to sqlglot's machinery.
"""

from __future__ import annotations

import difflib
import itertools
from typing import TypeVar

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from nrtg.compiler.errors import ParseError, Span, UnsupportedError

from . import statements as st
from .checks import skip_comments
from .dialect import FlinkParser
from .objects import parse_alter, parse_create, parse_drop
from .reserved import check_reserved, check_tree, needs_reserved_check, reserved_candidates

__all__ = ["STATEMENT_KEYWORDS", "ScriptParser"]

S = TypeVar("S", bound=st.Statement)

STATEMENT_KEYWORDS = (
    "SELECT",
    "WITH",
    "VALUES",
    "INSERT",
    "CREATE",
    "DROP",
    "ALTER",
    "USE",
    "SET",
    "RESET",
    "EXPLAIN",
    "EXECUTE",
    "BEGIN",
)
UNSUPPORTED_STATEMENTS = frozenset(
    {
        "SHOW",
        "DESCRIBE",
        "DESC",
        "LOAD",
        "UNLOAD",
        "ADD",
        "REMOVE",
        "ANALYZE",
        "DELETE",
        "UPDATE",
        "TRUNCATE",
        "CALL",
        "COMPILE",
        "STOP",
        "OPTIMIZE",
    }
)
EXPLAIN_DETAILS = ("ESTIMATED_COST", "CHANGELOG_MODE", "PLAN_ADVICE", "JSON_EXECUTION_PLAN")
_NAME_TOKENS = (TokenType.VAR, TokenType.IDENTIFIER)


class ScriptParser(FlinkParser):
    """Parses one statement (a token list without its trailing `;`)."""

    check_reserved: bool = False

    def parse_statement(
        self,
        tokens: list[Token],
        sql: str,
        stmt_index: int,
        end: int | None = None,
        reserved: list[int] | None = None,
    ) -> st.Statement:
        """Parses one statement; `end` is where the next statement starts (for hint checks),
        `reserved` the reserved_candidates of `tokens` if known."""
        self.reset()
        self.sql = sql
        self.stmt_index = stmt_index
        self._tokens = tokens
        self._tokens_size = len(tokens)
        self._index = -1
        self._advance()
        if reserved is None:
            reserved = reserved_candidates(tokens)
        self.check_reserved = needs_reserved_check(tokens, reserved)
        text = sql[tokens[0].start : tokens[-1].end + 1].upper() if tokens else ""
        self.nulls_clauses = "IGNORE" in text or "RESPECT" in text
        stmt = self._statement()
        if self._curr:
            self.raise_error("expected the end of the statement")
        self._refuse_stray_hints(tokens, len(sql) if end is None else end)
        return stmt

    def _refuse_stray_hints(self, tokens: list[Token], last: int) -> None:
        """A `/*+ ... */` that is neither a query hint (after SELECT) nor a table hint (after
        a table's name) would silently be a comment: refuse it instead."""
        if not tokens or self.sql.find("/*+", tokens[0].start, last) < 0:
            return
        # only the comments between tokens: `/*+` inside a string literal, a quoted name or
        # another comment is text
        gaps = [(a.end + 1, b.start) for a, b in itertools.pairwise(tokens)]
        for at in _hint_comments(self.sql, [*gaps, (tokens[-1].end + 1, last)]):
            if at not in self.table_hints:
                close = self.sql.find("*/", at)
                stop = close + 2 if close >= 0 else at + 3
                raise ParseError(
                    "a hint goes right after SELECT (join hints) or right after a table's name "
                    "(OPTIONS); here it would be ignored",
                    Span(at, stop, self.stmt_index),
                )

    # -- helpers -----------------------------------------------------------------------------

    def _kw(self, *words: str) -> bool:
        """Match keywords by text (multi-word tokens such as `PRIMARY KEY` included)."""
        index = self._index
        i = 0
        while i < len(words):
            tok = self._curr
            if not tok or tok.token_type in (TokenType.STRING, TokenType.IDENTIFIER):
                self._retreat(index)
                return False
            parts = tok.text.upper().split()
            if list(words[i : i + len(parts)]) != parts:
                self._retreat(index)
                return False
            i += len(parts)
            self._advance()
        return True

    def _expect_kw(self, *words: str) -> None:
        if not self._kw(*words):
            self.raise_error(f"expected {' '.join(words)}")

    def _expect(self, token_type: TokenType, what: str) -> Token:
        if not self._match(token_type):
            self.raise_error(f"expected {what}")
        return self._prev

    def _span(self, first: Token, last: Token | None = None) -> Span:
        return Span(first.start, (last or self._prev).end + 1, self.stmt_index)

    def _text(self, first: Token, last: Token) -> str:
        return self.sql[first.start : last.end + 1]

    def _name_part(self) -> str:
        tok = self._curr
        if tok and (
            tok.token_type in _NAME_TOKENS
            or (
                tok.token_type not in (TokenType.STRING, TokenType.NUMBER)
                and tok.text.isidentifier()
            )
        ):
            self._advance()
            if tok.token_type != TokenType.IDENTIFIER:
                check_reserved(tok.text, self._span(tok, tok))
            return tok.text
        self.raise_error("expected a name")
        raise AssertionError

    def _qualified_name(self) -> st.QualifiedName:
        first = self._curr
        parts = [self._name_part()]
        while self._match(TokenType.DOT):
            parts.append(self._name_part())
        if len(parts) > 3:
            self.fail("a name has at most 3 parts: [catalog.][database.]name", first, self._prev)
        return st.QualifiedName(parts=tuple(parts), span=self._span(first))

    def _string(self, what: str) -> str:
        if not self._match(TokenType.STRING):
            self.raise_error(f"expected {what} (a quoted string)")
        return self._prev.text

    def _options(self) -> tuple[tuple[str, str], ...]:
        """`('k' = 'v', ...)`"""
        self._expect(TokenType.L_PAREN, "(")
        out: list[tuple[str, str]] = []
        seen: dict[str, Token] = {}
        if self._match(TokenType.R_PAREN):
            return ()
        while True:
            key_token = self._curr
            key = self._string("an option key")
            self._expect(TokenType.EQ, "=")
            value = self._string(f"the value of option '{key}'")
            if key in seen:
                self.fail(f"option '{key}' is given twice", key_token, self._prev)
            seen[key] = key_token
            out.append((key, value))
            if not self._match(TokenType.COMMA):
                break
        self._expect(TokenType.R_PAREN, "',' or ')'")
        return tuple(out)

    def _name_list(self) -> tuple[str, ...]:
        self._expect(TokenType.L_PAREN, "(")
        names = [self._name_part()]
        while self._match(TokenType.COMMA):
            names.append(self._name_part())
        self._expect(TokenType.R_PAREN, "',' or ')'")
        return tuple(names)

    def _if_not_exists(self) -> bool:
        return self._kw("IF", "NOT", "EXISTS")

    def _query(self) -> exp.Expression:
        first = self._curr
        if not first:
            self.raise_error("expected a query")
        query = self.parse_query_body()
        if not isinstance(query, exp.Query | exp.Values) or not isinstance(query, exp.Expression):
            self.fail("expected a query (SELECT, WITH or VALUES)", first)
        if self.check_reserved:
            check_tree(query, self.stmt_index)
        return query

    def _scalar(self) -> exp.Expression:
        first = self._curr
        node = self._parse_assignment()
        if not isinstance(node, exp.Expression):
            self.fail("expected an expression", first)
        if self.check_reserved:
            check_tree(node, self.stmt_index)
        return node

    # -- statements --------------------------------------------------------------------------

    def _statement(self) -> st.Statement:
        first = self._curr
        word = first.text.upper() if first.token_type not in (TokenType.STRING,) else ""
        stmt: st.Statement
        if word in ("SELECT", "WITH", "VALUES") or first.token_type == TokenType.L_PAREN:
            query = self._query()
            stmt = st.Query(query=query, span=self._span(first), text="")
        elif word == "INSERT":
            stmt = self._insert()
        elif word == "CREATE":
            stmt = parse_create(self)
        elif word == "DROP":
            stmt = parse_drop(self)
        elif word == "ALTER":
            stmt = parse_alter(self)
        elif word == "USE":
            self._advance()
            if self._kw("CATALOG"):
                stmt = st.UseCatalog(name=self._qualified_name(), span=self._span(first), text="")
            else:
                stmt = st.UseDatabase(name=self._qualified_name(), span=self._span(first), text="")
        elif word == "SET":
            stmt = self._set()
        elif word == "RESET":
            self._advance()
            key = self._prev.text if self._match(TokenType.STRING) else None
            stmt = st.ResetOption(key=key, span=self._span(first), text="")
        elif word == "EXPLAIN":
            stmt = self._explain()
        elif word in ("EXECUTE", "BEGIN"):
            stmt = self._execute()
        elif word in UNSUPPORTED_STATEMENTS:
            raise UnsupportedError(
                f"{word} statements are not supported by nrtg", self._span(first, first)
            )
        else:
            close = difflib.get_close_matches(word, STATEMENT_KEYWORDS, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            self.fail(f"unknown statement {first.text!r}{hint}", first)
        return _with_text(stmt, self._span(first, self._prev or first), self.sql)

    def _set(self) -> st.Statement:
        first = self._curr
        self._advance()
        if not self._curr:
            return st.SetOption(key=None, value=None, span=self._span(first), text="")
        key = self._string("an option key")
        self._expect(TokenType.EQ, "=")
        value = self._string(f"the value of '{key}'")
        return st.SetOption(key=key, value=value, span=self._span(first), text="")

    def _explain(self) -> st.Statement:
        first = self._curr
        self._advance()
        details: list[str] = []
        if not self._kw("PLAN", "FOR"):
            while self._curr and self._curr.text.upper() in EXPLAIN_DETAILS:
                details.append(self._curr.text.upper())
                self._advance()
                if not self._match(TokenType.COMMA):
                    break
        inner_first = self._curr
        if not inner_first:
            self.raise_error("expected a query, INSERT or STATEMENT SET after EXPLAIN")
        if self._kw("STATEMENT", "SET"):
            inner: st.Statement = self._statement_set(inner_first, begin_first=False)
        else:
            inner = self._statement()
        if not isinstance(inner, st.Query | st.Insert | st.StatementSet):
            self.fail("EXPLAIN takes a query, an INSERT or a statement set", inner_first)
        inner = _with_text(inner, self._span(inner_first), self.sql)
        return st.Explain(details=tuple(details), statement=inner, span=self._span(first), text="")

    def _execute(self) -> st.Statement:
        first = self._curr
        if self._kw("BEGIN", "STATEMENT", "SET"):
            return self._statement_set(first, begin_first=True)
        if self._kw("EXECUTE", "STATEMENT", "SET"):
            return self._statement_set(first, begin_first=False)
        if self._kw("EXECUTE"):
            if self._curr and self._curr.text.upper() == "INSERT":
                return self._insert()
            return self._statement()
        self.raise_error("expected BEGIN STATEMENT SET or EXECUTE STATEMENT SET")
        raise AssertionError

    def _statement_set(self, first: Token, begin_first: bool) -> st.StatementSet:
        if begin_first:
            self._expect(TokenType.SEMICOLON, "';' after BEGIN STATEMENT SET")
        else:
            self._expect_kw("BEGIN")
        inserts: list[st.Insert] = []
        while True:
            while self._match(TokenType.SEMICOLON):
                pass
            if not self._curr:
                self.raise_error("expected END to close the statement set")
            if self._kw("END"):
                break
            stmt_first = self._curr
            if stmt_first.text.upper() != "INSERT":
                self.fail(
                    f"a statement set contains only INSERT statements, found {stmt_first.text!r}",
                    stmt_first,
                )
            insert = self._insert()
            inserts.append(_with_text(insert, self._span(stmt_first), self.sql))
            if not self._match(TokenType.SEMICOLON):
                self.raise_error("expected ';' after the INSERT statement")
        if not inserts:
            self.fail("a statement set needs at least one INSERT", first, self._prev)
        return st.StatementSet(inserts=tuple(inserts), span=self._span(first), text="")

    def _insert(self) -> st.Insert:
        first = self._curr
        self._advance()
        overwrite = False
        if self._kw("OVERWRITE"):
            overwrite = True
        else:
            self._expect_kw("INTO")
        target = self._qualified_name()
        hint = self.table_hint() if "/*+" in self.sql else None
        partition: list[tuple[str, exp.Expression]] = []
        if self._match(TokenType.PARTITION):
            self._expect(TokenType.L_PAREN, "(")
            while True:
                key = self._name_part()
                self._expect(TokenType.EQ, "=")
                partition.append((key, self._scalar()))
                if not self._match(TokenType.COMMA):
                    break
            self._expect(TokenType.R_PAREN, "',' or ')'")
        columns: tuple[str, ...] | None = None
        if self._curr.token_type == TokenType.L_PAREN and self._next.token_type in _NAME_TOKENS:
            columns = self._name_list()
        query = self._query()
        return st.Insert(
            target=target,
            query=query,
            overwrite=overwrite,
            partition=tuple(partition),
            column_names=columns,
            options=hint.options if hint is not None else (),
            option_spans=hint.key_spans if hint is not None else (),
            span=self._span(first),
            text="",
        )


def _with_text(stmt: S, span: Span, sql: str) -> S:
    from dataclasses import replace

    return replace(stmt, span=span, text=sql[span.start : span.end])


def _hint_comments(sql: str, gaps: list[tuple[int, int]]) -> list[int]:
    """Where the `/*+ ... */` comments in the gaps between tokens start (query hints after
    SELECT are tokens of their own, so they are not among them)."""
    found = []
    for pos, end in gaps:
        while (pos := skip_comments(sql, pos)) < end:
            if not sql.startswith("/*+", pos):  # a character no token's span covers
                pos += 1
                continue
            found.append(pos)
            close = sql.find("*/", pos + 3, end)
            pos = end if close < 0 else close + 2
    return found
