"""Flink's syntax rules where sqlglot is lenient, and positioned, readable syntax errors.

`StrictParser` is the base of the Flink query parser: it refuses what sqlglot accepts for other
dialects (clauses in any order, trailing commas, `a AS FROM`, `LIMIT a, b`, Hive-style GROUPING
SETS, DuckDB's leading FROM, ...) and turns sqlglot's error descriptions into
`unexpected 'X'; expected ...` messages with the offending token's character offsets.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple, NoReturn

from sqlglot import exp, parser
from sqlglot.errors import ParseError as SqlglotParseError
from sqlglot.tokenizer_core import Token, TokenType

from nrtg.compiler.errors import ParseError, Span, UnsupportedError

from .hints import check_query_hints, hint_options, parse_hints
from .nodes import mark_span, span_of

__all__ = ["CLAUSE_KEYWORDS", "StrictParser", "SyntaxFailure"]

Options = tuple[tuple[str, str], ...]


class TableHint(NamedTuple):
    """A table's `/*+ OPTIONS(...) */`: the options, the hint's place and each key's."""

    options: Options
    span: Span
    key_spans: tuple[tuple[str, Span], ...]


CLAUSE_KEYWORDS = (
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP",
    "HAVING",
    "ORDER",
    "LIMIT",
    "JOIN",
    "UNION",
    "WINDOW",
    "AS",
    "ON",
    "BY",
    "DISTINCT",
    "OFFSET",
)

# Clause order of a query (Calcite): which may follow which.
_CLAUSE_ORDER = (
    ("joins", "JOIN"),
    ("laterals", "LATERAL"),
    ("where", "WHERE"),
    ("group", "GROUP BY"),
    ("having", "HAVING"),
    ("windows", "WINDOW"),
    ("order", "ORDER BY"),
    ("limit", "LIMIT"),  # LIMIT n OFFSET m and OFFSET m ROWS FETCH ...: one rank
    ("offset", "OFFSET"),
    ("fetch", "FETCH"),
)
_LAST_RANK = 7


class SyntaxFailure(SqlglotParseError):
    """A positioned syntax error. Subclasses sqlglot's ParseError so `_try_parse` backtracks."""

    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end


def _token_label(token: Token) -> str:
    if token.token_type == TokenType.STRING:
        return f"'{token.text}'"
    if token.token_type == TokenType.IDENTIFIER:
        return f"`{token.text}`"
    return repr(token.text)


# The tokens a join can start with (Flink has no JOIN_HINTS; DIRECTED is matched by its text).
_JOIN_START = frozenset(
    {
        *parser.Parser.JOIN_METHODS,
        *parser.Parser.JOIN_SIDES,
        *parser.Parser.JOIN_KINDS,
        TokenType.COMMA,
        TokenType.JOIN,
        TokenType.OUTER,
        TokenType.CROSS,
    }
)
# ... and a lateral: CROSS APPLY, OUTER APPLY, LATERAL.
_LATERAL_START = frozenset({TokenType.CROSS, TokenType.OUTER, TokenType.LATERAL})


class StrictParser(parser.Parser):
    """sqlglot's parser held to Flink's grammar, with positioned errors."""

    # Keywords Flink never accepts as unquoted names (sqlglot's `any_token` paths would).
    RESERVED_TOKENS: ClassVar[set[TokenType]] = {
        *parser.Parser.RESERVED_TOKENS,
        TokenType.FROM,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.HAVING,
        TokenType.JOIN,
        TokenType.ON,
        TokenType.UNION,
        TokenType.INTERSECT,
        TokenType.EXCEPT,
        TokenType.ALIAS,
        TokenType.AND,
        TokenType.OR,
        TokenType.CASE,
        TokenType.WHEN,
        TokenType.THEN,
        TokenType.ELSE,
        TokenType.END,
        TokenType.INTO,
    }
    # ... nor as implicit aliases (`SELECT 1 END` must not alias 1 as END)
    ID_VAR_TOKENS: ClassVar[set[TokenType]] = parser.Parser.ID_VAR_TOKENS - {
        TokenType.CASE,
        TokenType.END,
    }
    TABLE_ALIAS_TOKENS: ClassVar[set[TokenType]] = parser.Parser.TABLE_ALIAS_TOKENS - {
        TokenType.CASE,
        TokenType.END,
    }
    ALIAS_TOKENS: ClassVar[set[TokenType]] = parser.Parser.ALIAS_TOKENS - {
        TokenType.CASE,
        TokenType.END,
    }
    # `::`, `->`, `->>` and friends are not Flink operators.
    COLUMN_OPERATORS: ClassVar[dict[TokenType, Any]] = {TokenType.DOT: None}

    stmt_index: int = 0
    # Where the table hints read so far start (`/*+` offsets): the script parser refuses the
    # `/*+` comments that are neither these nor query hints.
    table_hints: set[int]

    def reset(self) -> None:
        super().reset()
        self.table_hints = set()

    # -- hints (hints.py) ------------------------------------------------------------------

    def _parse_hint(self) -> exp.Hint | None:
        tok = self._curr
        if tok is None or tok.token_type != TokenType.HINT:
            return None
        end = self._hint_end(tok.start)
        hints = parse_hints(self.sql, tok.start + 3, end, self.stmt_index)
        check_query_hints(hints)
        node = super()._parse_hint()
        if node is not None:
            node.meta["hints"] = hints  # the binder matches the join hints' table names
        return node

    def _hint_end(self, start: int) -> int:
        # the tokenizer has checked that the comment is closed
        return self.sql.index("*/", start + 3)

    def table_hint(self, node: exp.Expr | None = None) -> TableHint | None:
        """The OPTIONS of a hint right after the token just read (a table's name), where the
        hint is (`/*+` to `*/`) and where its keys are, or None."""
        start = skip_comments(self.sql, self._prev.end + 1)
        if not self.sql.startswith("/*+", start):
            return None
        end = self._hint_end(start)
        options, keys = hint_options(parse_hints(self.sql, start + 3, end, self.stmt_index))
        self.table_hints.add(start)
        # The tokenizer left the hint as a comment on the name (then on `node`, the name's
        # node) or on the token after it; it is printed from the options instead
        # (generator.py), not as a comment.
        body = self.sql[start + 3 : end]
        holders = [self._prev.comments, self._curr.comments if self._curr else []]
        if node is not None:
            holders += [n.comments for n in node.iter_expressions() if n.comments]
            holders.append(node.comments or [])
        for comments in holders:
            if body in comments:
                comments.remove(body)
        return TableHint(options, Span(start, end + 2, self.stmt_index), keys)

    def _parse_table_parts(self, *args: Any, **kwargs: Any) -> exp.Table:
        table = super()._parse_table_parts(*args, **kwargs)
        hint = self.table_hint(table) if "/*+" in self.sql else None
        if hint is not None:
            table.meta["options"], table.meta["hint_span"] = hint.options, hint.span
            table.meta["option_spans"] = hint.key_spans
        return table

    def raise_error(self, message: str, token: Token | None = None) -> None:
        text = self._humanize(message)
        hint = self._keyword_hint()
        if token is not None and token is self._prev and self._curr:
            token = self._curr  # "Expected END after CASE" & co. blame the token after
        tok = token or self._curr
        if not tok:
            pos = self._prev.end + 1 if self._prev else len(self.sql)
            raise SyntaxFailure(f"unexpected end of input; {text}{hint}", pos, pos)
        raise SyntaxFailure(f"unexpected {_token_label(tok)}; {text}{hint}", tok.start, tok.end + 1)

    def _humanize(self, message: str) -> str:
        """sqlglot's error descriptions, rephrased as `expected ...`."""
        if message.startswith("Expecting "):
            return "expected " + message[len("Expecting ") :]
        if message.startswith("Required keyword: "):
            after = f" after {self._prev.text.upper()!r}" if self._prev else ""
            return f"expected an expression{after}"
        if message == "Invalid expression / Unexpected token":
            return "expected an operator, a clause keyword, ',' or the end of the statement"
        return message[0].lower() + message[1:] if message else "syntax error"

    def _keyword_hint(self) -> str:
        """`SELECT * FORM bid` parses FORM as an alias; point out the keyword it resembles
        (checking the offending token, then the one before it)."""
        for tok in (self._curr, self._prev):
            if not tok or tok.token_type != TokenType.VAR:
                continue
            word = tok.text.upper()
            if word in ("GROUP", "ORDER", "PARTITION"):
                return f" (did you mean {word} BY?)"
            close = difflib.get_close_matches(word, CLAUSE_KEYWORDS, n=1, cutoff=0.75)
            if close and close[0] != word:
                return f" (did you mean {close[0]} instead of {tok.text!r}?)"
        return ""

    def fail(self, message: str, start: Token, end: Token | None = None) -> NoReturn:
        """A definitive syntax error (not backtracked) spanning the tokens [start, end]."""
        stop = (end or start).end + 1
        raise ParseError(message, Span(start.start, stop, self.stmt_index))

    def _parse_csv(
        self, parse_method: Callable[[], Any], sep: TokenType = TokenType.COMMA
    ) -> list[Any]:
        # sqlglot drops empty items (`a, , b`, `SELECT a, FROM t`); Flink does not.
        first = parse_method()
        if first is None and self._curr.token_type == sep:
            self.raise_error("expected an item before ','")
        items = [first] if first is not None else []
        while self._match(sep):
            sep_token = self._prev
            if isinstance(first, exp.Expr):
                self._add_comments(first)
            item = parse_method()
            if item is None:
                self.raise_error(f"expected an item after {sep_token.text!r}")
            items.append(item)
        return items

    def _parse_query_modifiers(self, this: Any) -> Any:  # sqlglot's is overloaded
        node = super()._parse_query_modifiers(this)
        if isinstance(node, exp.Expr) and not isinstance(node, exp.Table):
            self._check_clause_order(node)
        return node

    def _check_clause_order(self, node: exp.Expr) -> None:
        """sqlglot accepts clauses in any order (`... LIMIT 1 WHERE x`); Flink does not."""
        args = node.args
        present = [
            (rank, key, name) for rank, (key, name) in enumerate(_CLAUSE_ORDER) if args.get(key)
        ]
        if len(present) > 1:  # one kind of clause (e.g. joins) is in order whatever its items
            self._check_clause_ranks(args, present)
        limit, offset = args.get("limit"), args.get("offset")
        if isinstance(limit, exp.Fetch) and limit._meta and "start" in limit.meta:
            start, end = limit.meta["start"], limit.meta["end"] + 1
            words = self.sql[start:end].upper().split()
            options = limit.args.get("limit_options")
            if not (options and options.args.get("rows")) or words[-1] not in ("ONLY", "TIES"):
                raise ParseError(
                    "write FETCH { FIRST | NEXT } n { ROW | ROWS } ONLY",
                    Span(start, end, self.stmt_index),
                )
        if isinstance(limit, exp.Limit) and isinstance(offset, exp.Offset):
            lim, off = span_of(limit), span_of(offset)
            if lim is not None and off is not None and lim.start <= off.start < lim.end:
                raise ParseError(
                    "Flink has no LIMIT offset, count: write LIMIT count OFFSET offset",
                    Span(lim.start, lim.end, self.stmt_index),
                )

    def _check_clause_ranks(
        self, args: dict[str, Any], present: list[tuple[int, str, str]]
    ) -> None:
        """Raises if a clause of `present` (rank, key, name) comes after one of a higher rank."""
        seen: list[tuple[int, int, str]] = []  # (rank, start, name) in text order of checks
        for rank, key, name in present:
            value = args[key]
            for item in value if isinstance(value, list) else [value]:
                start = item.meta.get("start") if item._meta else None
                if start is None:
                    span = span_of(item)
                    start = span.start if span is not None else None
                if start is not None:
                    seen.append((min(rank, _LAST_RANK), start, name))
        seen.sort(key=lambda x: x[1])
        fetch = isinstance(args.get("limit"), exp.Fetch)  # sqlglot keeps FETCH as "limit"
        for (rank_a, _, name_a), (rank_b, start_b, name_b) in itertools.pairwise(seen):
            if rank_b < rank_a:
                name_a = "FETCH" if fetch and name_a == "LIMIT" else name_a
                name_b = "FETCH" if fetch and name_b == "LIMIT" else name_b
                raise ParseError(
                    f"{name_b} must come before {name_a}",
                    Span(start_b, start_b + len(name_b.split()[0]), self.stmt_index),
                )

    def _parse_select_query(self, *args: Any, **kwargs: Any) -> exp.Expr | None:
        if self._curr.token_type == TokenType.FROM:
            return None  # no DuckDB-style `FROM t` queries in Flink
        return super()._parse_select_query(*args, **kwargs)

    def _parse_alias(self, this: exp.Expr | None, explicit: bool = False) -> exp.Expr | None:
        tok = self._curr
        if tok.token_type in _NO_ALIAS:
            return this  # sqlglot's would try LIMIT/OFFSET/WINDOW, AS, (, a name: none is here
        name = self._next
        if (
            tok.token_type == TokenType.ALIAS
            and name.token_type in _ALIAS_NAMES
            and this is not None
            and not (this.comments or tok.comments or name.comments)
        ):
            # `AS name`: the Alias sqlglot's builds (through _parse_id_var), without comments
            # to move around
            self._advance(2)
            alias = exp.Identifier(this=name.text, quoted=name.token_type == TokenType.IDENTIFIER)
            alias._meta = {"line": name.line, "col": name.col, "start": name.start, "end": name.end}
            return exp.Alias(this=this, alias=alias)
        index = self._index
        node = super()._parse_alias(this, explicit)
        if (
            node is this
            and self._index > index
            and self._tokens[index].token_type == TokenType.ALIAS
        ):
            self.raise_error("expected a name after AS")
        return node

    def _parse_table_alias(self, alias_tokens: Any = None) -> exp.TableAlias | None:
        tok = self._curr
        tt = tok.token_type
        if tt in _NO_TABLE_ALIAS:
            return None  # sqlglot's would try LIMIT/OFFSET, AS, a name, a string and `(`
        explicit = tt == TokenType.ALIAS
        name = self._next if explicit else tok
        after = self._index + (2 if explicit else 1)
        if (
            (
                name.token_type == TokenType.IDENTIFIER
                or (
                    name.token_type == TokenType.VAR
                    and (explicit or TokenType.VAR in (alias_tokens or self.TABLE_ALIAS_TOKENS))
                )
            )
            and not (tok.comments or name.comments)
            and tok.text.upper() != "START"
            and (after >= self._tokens_size or self._tokens[after].token_type != TokenType.L_PAREN)
        ):
            # `[AS] name` without a column list: the TableAlias sqlglot's builds
            self._advance(after - self._index)
            part = exp.Identifier(this=name.text, quoted=name.token_type == TokenType.IDENTIFIER)
            part._meta = {"line": name.line, "col": name.col, "start": name.start, "end": name.end}
            alias = exp.TableAlias(this=part, columns=None)
            alias.comments = []  # sqlglot's moves the name's comments (none) onto the alias
            return alias
        return super()._parse_table_alias(alias_tokens)

    def _parse_projections(self) -> tuple[list[exp.Expr], list[exp.Expr] | None]:
        projections, exclude = super()._parse_projections()
        if not projections:
            self.raise_error("expected a column or expression after SELECT")
        return projections, exclude

    def _parse_group(self, skip_group_by_token: bool = False) -> exp.Group | None:
        start = self._curr
        group = super()._parse_group(skip_group_by_token)
        if group is not None:
            mark_span(group, start, self._prev)
            extra = [
                k for k in ("grouping_sets", "cube", "rollup", "totals", "all") if group.args.get(k)
            ]
            if extra:  # Hive/ClickHouse forms: GROUP BY a GROUPING SETS (...), WITH CUBE, ALL
                self.fail(
                    "write GROUPING SETS / CUBE / ROLLUP as items of GROUP BY, separated by commas",
                    start,
                    self._prev,
                )
            if not group.expressions:
                self.raise_error("expected an expression after GROUP BY")
            for item in group.expressions:
                if isinstance(item, exp.Cube | exp.Rollup) and not item.expressions:
                    self.fail(
                        f"{item.key.upper()} needs at least one expression", start, self._prev
                    )
        return group

    def _parse_primary(self) -> exp.Expr | None:
        node = super()._parse_primary()
        if isinstance(node, exp.Concat) and all(
            isinstance(e, exp.Literal) and e.is_string for e in node.expressions
        ):
            # 'a' 'b' (adjacent literals, SQL standard) is one literal 'ab'
            joined = exp.Literal.string("".join(e.name for e in node.expressions))
            joined.update_positions(node.expressions[0])
            mark_span(joined, self._tokens[self._index - 1], self._prev)
            return joined
        return node

    def _parse_unnest(self, with_alias: bool = True) -> exp.Unnest | None:
        start = self._curr
        index = self._index
        node = super()._parse_unnest(with_alias)
        if node is not None:
            if node.args.get("offset") and not any(
                t.token_type == TokenType.ORDINALITY for t in self._tokens[index : self._index]
            ):
                self.fail(
                    "Flink has no UNNEST ... WITH OFFSET: write WITH ORDINALITY AS t(x, pos)",
                    start,
                    self._prev,
                )
            alias = node.args.get("alias")
            if alias is not None and not alias.name:
                self.fail(
                    "give UNNEST a table alias with its columns, e.g. AS t(x)", start, self._prev
                )
        return node

    def _parse_bracket(self, this: exp.Expr | None = None) -> exp.Expr | None:
        start = self._curr
        node = super()._parse_bracket(this)
        inner = node
        while isinstance(inner, exp.Bracket) and inner.this is not this:
            inner = inner.this
        if (
            isinstance(inner, exp.Bracket)
            and isinstance(this, exp.Column)
            and not this.table
            and not this.this.quoted
            and this.name.upper() == "MAP"
            and len(inner.expressions) % 2
        ):
            # MAP[k1, v1, ...] (the binder reads Bracket(Column MAP) as the map constructor)
            self.fail("MAP[...] takes key, value pairs: MAP[k1, v1, k2, v2]", start, self._prev)
        return node

    def _parse_in(self, this: exp.Expr | None, alias: bool = False) -> exp.In:
        node = super()._parse_in(this, alias)
        if not (node.expressions or node.args.get("query") or node.args.get("unnest")):
            self.fail("IN (...) needs at least one value", self._prev)
        return node

    def _parse_lateral(self) -> exp.Lateral | None:
        if self._curr.token_type not in _LATERAL_START:
            return None  # sqlglot's _parse_lateral would match nothing here
        return super()._parse_lateral()

    def _parse_match_recognize(self) -> exp.MatchRecognize | None:
        start = self._curr
        node = super()._parse_match_recognize()
        if node is not None:
            raise UnsupportedError(
                "MATCH_RECOGNIZE is not supported yet: nrtg has no pattern-matching (CEP) "
                "operator; express the pattern with joins or OVER windows",
                Span(start.start, self._prev.end + 1, self.stmt_index),
            )
        return node

    def _parse_join(
        self,
        skip_join_token: bool = False,
        parse_bracket: bool = False,
        alias_tokens: Any = None,
    ) -> exp.Join | None:
        start = self._curr
        if (
            not skip_join_token
            and start.token_type not in _JOIN_START
            and start.text.upper() != "DIRECTED"
        ):
            # sqlglot's _parse_join would match no join word here, retreat and return None
            return None
        comma = start.token_type == TokenType.COMMA
        join = super()._parse_join(skip_join_token, parse_bracket, alias_tokens)
        if join is None or comma:
            return join
        mark_span(join, start, self._prev)
        if self._prev.token_type == TokenType.ON and not join.args.get("on"):
            self.raise_error("expected a condition after ON")
        a = join.args
        if not (
            a.get("on")
            or a.get("using")
            or str(a.get("kind") or "").upper() == "CROSS"
            or a.get("method")
            or isinstance(join.this, exp.Unnest | exp.Lateral)
        ):
            self.fail(
                "this JOIN needs a condition: add ON <condition> (or write CROSS JOIN)",
                start,
                self._prev,
            )
        return join


def skip_comments(sql: str, pos: int) -> int:
    """The offset of the first character at or after `pos` that is neither white space nor
    part of a comment (a `/*+` hint is not a comment here)."""
    size = len(sql)
    while pos < size:
        if sql[pos].isspace():
            pos += 1
        elif sql.startswith("--", pos):
            newline = sql.find("\n", pos)
            pos = size if newline < 0 else newline + 1
        elif sql.startswith("/*", pos) and not sql.startswith("/*+", pos):
            close = sql.find("*/", pos + 2)
            pos = size if close < 0 else close + 2
        else:
            break
    return pos


_ALIAS_NAMES = frozenset({TokenType.VAR, TokenType.IDENTIFIER})
# Tokens after an expression that cannot begin its alias (nor a clause _parse_alias looks for).
_NO_ALIAS = frozenset(
    {
        TokenType.COMMA,
        TokenType.R_PAREN,
        TokenType.FROM,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.ORDER_BY,
        TokenType.SEMICOLON,
        TokenType.SENTINEL,
    }
    - StrictParser.ALIAS_TOKENS
    - set(StrictParser.AMBIGUOUS_ALIAS_TOKENS)
    - StrictParser.PLACEHOLDER_PARSERS.keys()
    - {TokenType.ALIAS, TokenType.L_PAREN, TokenType.IDENTIFIER, TokenType.STRING, TokenType.WINDOW}
)
# ... and that cannot begin a table alias.
_NO_TABLE_ALIAS = frozenset(
    {
        TokenType.COMMA,
        TokenType.R_PAREN,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.ORDER_BY,
        TokenType.SEMICOLON,
        TokenType.SENTINEL,
        TokenType.ON,
        TokenType.JOIN,
    }
    - StrictParser.TABLE_ALIAS_TOKENS
    - set(StrictParser.AMBIGUOUS_ALIAS_TOKENS)
    - StrictParser.PLACEHOLDER_PARSERS.keys()
    - {TokenType.ALIAS, TokenType.L_PAREN, TokenType.IDENTIFIER, TokenType.STRING}
)
