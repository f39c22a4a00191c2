"""The Flink SQL dialect for sqlglot: tokenizer and query parser (generator in generator.py,
window TVFs in tvf.py).

Statement-level syntax (DDL, INSERT, SET, statement sets, ...) lives in `script.py`, built on
the parser defined here. Every node this parser creates carries `start`/`end` character offsets
(sqlglot's convention: `end` inclusive) in `node.meta`, directly or through its descendants.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable
from typing import Any, ClassVar, NoReturn

from sqlglot import exp, parser, tokens
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.errors import ParseError as SqlglotParseError
from sqlglot.tokenizer_core import Token, TokenType

from nrtg.catalog.errors import TypeParseError
from nrtg.catalog.type_parser import parse_flink_type
from nrtg.compiler.errors import ParseError, Span, UnsupportedError

from .generator import FlinkGenerator
from .nodes import WindowTVF, span_of
from .tvf import parse_window_tvf

__all__ = ["Flink", "FlinkParser", "FlinkTokenizer", "SyntaxFailure"]

# Types that prefix a literal: DATE '2020-01-01', TIME '10:00:00', TIMESTAMP '...'.
_LITERAL_TYPES = frozenset({"DATE", "TIME", "TIMESTAMP", "TIMESTAMP_LTZ"})

# Interval units Flink accepts (Calcite's time units); MILLISECOND etc. are refused.
INTERVAL_UNITS = frozenset({"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"})

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

# sqlglot functions kept as typed nodes: same semantics in Flink and printed back unchanged.
# Every other call becomes exp.Anonymous (name kept as written), resolved by the binder.
TYPED_FUNCTIONS = frozenset(
    {
        "AVG",
        "COALESCE",
        "COUNT",
        "IF",
        "MAX",
        "MIN",
        "MOD",
        "SUM",
        "NULLIF",
        "ABS",
        "LOWER",
        "UPPER",
        "ROW_NUMBER",
        "RANK",
        "DENSE_RANK",
        "GREATEST",
        "LEAST",
    }
)


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


class FlinkTokenizer(tokens.Tokenizer):
    QUOTES: ClassVar[list[tuple[str, str] | str]] = ["'"]
    IDENTIFIERS: ClassVar[list[str | tuple[str, str]]] = ["`"]
    STRING_ESCAPES: ClassVar[list[str]] = ["'"]
    KEYWORDS: ClassVar[dict[str, TokenType]] = {
        **tokens.Tokenizer.KEYWORDS,
        "MATCH_RECOGNIZE": TokenType.MATCH_RECOGNIZE,
    }
    # `;` separates statements; nothing is a command for us.
    COMMANDS: ClassVar[set[TokenType]] = set()


def _positions(node: exp.Expr, start: Token, end: Token) -> None:
    """Widen node.meta start/end to cover the tokens [start, end]."""
    meta = node.meta
    s = meta.get("start")
    e = meta.get("end")
    meta["start"] = start.start if s is None else min(s, start.start)
    meta["end"] = end.end if e is None else max(e, end.end)
    if "line" not in meta:
        meta["line"] = start.line
        meta["col"] = start.col


def _spanned(name: str) -> Callable[..., Any]:
    """An override of parser method `name` that records the tokens its result spans."""
    base = getattr(parser.Parser, name)

    def method(self: parser.Parser, *args: Any, **kwargs: Any) -> Any:
        index = self._index
        start = self._curr
        node = base(self, *args, **kwargs)
        if isinstance(node, exp.Expr) and self._index > index:
            _positions(node, start, self._prev)
        return node

    method.__name__ = name
    return method


# Parser methods whose results get `start`/`end` (others are covered by their descendants).
_SPANNED = (
    "_parse_unary",
    "_parse_range",
    "_parse_select",
    "_parse_where",
    "_parse_having",
    "_parse_order",
    "_parse_limit",
    "_parse_offset",
    "_parse_from",
    "_parse_with",
    "_parse_cte",
    "_parse_version",
    "_parse_paren",
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

_FROM_ITEMS = (exp.Table, exp.Query, exp.Unnest, exp.Values, exp.Lateral, WindowTVF)


def _build_typed(names: frozenset[str]) -> dict[str, Callable[..., Any]]:
    return {k: v for k, v in parser.Parser.FUNCTIONS.items() if k in names}


class FlinkParser(parser.Parser):
    """sqlglot's parser with Flink syntax: window TVFs, Flink types in CAST, Flink intervals."""

    FUNCTIONS: ClassVar[dict[str, Callable[..., Any]]] = _build_typed(TYPED_FUNCTIONS)
    FUNC_TOKENS: ClassVar[set[TokenType]] = {
        *parser.Parser.FUNC_TOKENS,
        TokenType.SESSION,
        TokenType.ROW,
    }
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
    VERSION_PHRASES: ClassVar[dict[tuple[str, ...], str]] = {("FOR", "SYSTEM_TIME"): "SYSTEM_TIME"}
    FUNCTION_PARSERS: ClassVar[dict[str, Callable[[Any], exp.Expr]]] = {
        **parser.Parser.FUNCTION_PARSERS,
        "CAST": lambda self: self._parse_flink_cast(safe=False),
        "TRY_CAST": lambda self: self._parse_flink_cast(safe=True),
        "TIMESTAMPADD": lambda self: self._parse_timestamp_fn(exp.TimestampAdd),
        "TIMESTAMPDIFF": lambda self: self._parse_timestamp_fn(exp.TimestampDiff),
    }
    STRICT_CAST = True
    LOG_DEFAULTS_TO_LN = False

    stmt_index: int = 0

    # -- errors ------------------------------------------------------------------------------

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

    # -- span recording ----------------------------------------------------------------------

    def _parse_query_modifiers(self, this: Any) -> Any:  # sqlglot's is overloaded
        node = super()._parse_query_modifiers(this)
        if isinstance(node, exp.Expr) and not isinstance(node, exp.Table):
            self._check_clause_order(node)
        return node

    def _check_clause_order(self, node: exp.Expr) -> None:
        """sqlglot accepts clauses in any order (`... LIMIT 1 WHERE x`); Flink does not."""
        seen: list[tuple[int, int, str]] = []  # (rank, start, name) in text order of checks
        for rank, (key, name) in enumerate(_CLAUSE_ORDER):
            value = node.args.get(key)
            for item in value if isinstance(value, list) else [value] if value else []:
                start = item.meta.get("start") if item._meta else None
                if start is None:
                    span = span_of(item)
                    start = span.start if span is not None else None
                if start is not None:
                    seen.append((min(rank, _LAST_RANK), start, name))
        seen.sort(key=lambda x: x[1])
        fetch = isinstance(node.args.get("limit"), exp.Fetch)  # sqlglot keeps FETCH as "limit"
        for (rank_a, _, name_a), (rank_b, start_b, name_b) in itertools.pairwise(seen):
            if rank_b < rank_a:
                name_a = "FETCH" if fetch and name_a == "LIMIT" else name_a
                name_b = "FETCH" if fetch and name_b == "LIMIT" else name_b
                raise ParseError(
                    f"{name_b} must come before {name_a}",
                    Span(start_b, start_b + len(name_b.split()[0]), self.stmt_index),
                )
        limit, offset = node.args.get("limit"), node.args.get("offset")
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

    def _parse_select_query(self, *args: Any, **kwargs: Any) -> exp.Expr | None:
        if self._curr.token_type == TokenType.FROM:
            return None  # no DuckDB-style `FROM t` queries in Flink
        return super()._parse_select_query(*args, **kwargs)

    def _parse_alias(self, this: exp.Expr | None, explicit: bool = False) -> exp.Expr | None:
        index = self._index
        node = super()._parse_alias(this, explicit)
        if (
            node is this
            and self._index > index
            and self._tokens[index].token_type == TokenType.ALIAS
        ):
            self.raise_error("expected a name after AS")
        return node

    def _parse_projections(self) -> tuple[list[exp.Expr], list[exp.Expr] | None]:
        projections, exclude = super()._parse_projections()
        if not projections:
            self.raise_error("expected a column or expression after SELECT")
        return projections, exclude

    def _parse_group(self, skip_group_by_token: bool = False) -> exp.Group | None:
        start = self._curr
        group = super()._parse_group(skip_group_by_token)
        if group is not None:
            _positions(group, start, self._prev)
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
            _positions(joined, self._tokens[self._index - 1], self._prev)
            return joined
        return node

    def _parse_unnest(self, with_alias: bool = True) -> exp.Unnest | None:
        start = self._curr
        node = super()._parse_unnest(with_alias)
        if node is not None:
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

    def _parse_window(self, this: exp.Expr | None, alias: bool = False) -> exp.Expr | None:
        # Called right after a function call's closing parenthesis (or a CASE's END).
        if this is not None and self._prev:
            end = this.meta.get("end")
            this.meta["end"] = self._prev.end if end is None else max(end, self._prev.end)
        return super()._parse_window(this, alias)

    def _parse_join(self, *args: Any, **kwargs: Any) -> exp.Join | None:
        start = self._curr
        comma = start.token_type == TokenType.COMMA
        join = super()._parse_join(*args, **kwargs)
        if join is None or comma:
            return join
        _positions(join, start, self._prev)
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

    # -- FROM items: window TVFs -------------------------------------------------------------

    def _parse_table(self, *args: Any, **kwargs: Any) -> exp.Expr | None:
        index = self._index
        start = self._curr
        if self._curr.token_type == TokenType.FROM:
            self.raise_error("expected a table name or a subquery")
        if self._curr.token_type == TokenType.TABLE and self._next.token_type == TokenType.L_PAREN:
            node: exp.Expr | None = parse_window_tvf(self)
        else:
            node = super()._parse_table(*args, **kwargs)
            if node is not None and not isinstance(node, _FROM_ITEMS):
                self.fail("expected a table name, a subquery, UNNEST or TABLE(...)", start)
            alias = node.args.get("alias") if node is not None else None
            if isinstance(alias, exp.TableAlias) and not alias.name:
                self.fail("a column list needs a table alias: AS t(a, b)", start, self._prev)
        if node is not None and self._index > index:
            _positions(node, start, self._prev)
        return node

    def parse_query_body(self) -> exp.Expr | None:
        """A query: SELECT / WITH / set operations / VALUES, with ORDER BY and LIMIT."""
        if self._curr.token_type == TokenType.VALUES:
            start = self._curr
            values = self._parse_derived_table_values()
            if values is not None:
                _positions(values, start, self._prev)
            return values
        query = self._parse_set_operations(
            self._parse_select(nested=True, parse_subquery_alias=False)
        )
        node: exp.Expr | None = self._parse_query_modifiers(query)
        return node

    def _parse_timestamp_fn(self, cls: type[exp.TimestampAdd | exp.TimestampDiff]) -> exp.Expr:
        """TIMESTAMPADD(unit, n, ts) and TIMESTAMPDIFF(unit, ts1, ts2); `unit` is a Var."""
        unit_token = self._curr
        if not unit_token or unit_token.token_type in (TokenType.STRING, TokenType.NUMBER):
            self.raise_error("expected a time unit (SECOND, MINUTE, HOUR, DAY, ...)")
        self._advance()
        unit = exp.var(unit_token.text.upper())
        _positions(unit, unit_token, unit_token)
        if not self._match(TokenType.COMMA):
            self.raise_error("expected ','")
        first = self._parse_assignment()
        if not self._match(TokenType.COMMA):
            self.raise_error("expected ','")
        second = self._parse_assignment()
        self._match_r_paren()
        if cls is exp.TimestampAdd:  # TIMESTAMPADD(unit, interval, timepoint)
            node: exp.Expr = exp.TimestampAdd(this=second, expression=first, unit=unit)
        else:  # TIMESTAMPDIFF(unit, timepoint1, timepoint2) = timepoint2 - timepoint1
            node = exp.TimestampDiff(this=first, expression=second, unit=unit)
        return self.expression(node)

    # -- CAST with Flink types ---------------------------------------------------------------

    def _parse_flink_cast(self, safe: bool) -> exp.Expr:
        this = self._parse_assignment()
        if not self._match(TokenType.ALIAS):
            self.raise_error("expected AS in CAST(<expr> AS <type>)")
        first = self._curr
        depth = 0
        last: Token | None = None
        while self._curr:
            tt = self._curr.token_type
            if tt in (TokenType.L_PAREN, TokenType.LT):
                depth += 1
            elif tt in (TokenType.R_PAREN, TokenType.GT):
                if depth == 0:
                    break
                depth -= 1
            last = self._curr
            self._advance()
        if last is None:
            self.raise_error("expected a type after AS")
        assert last is not None
        to = self.flink_data_type(first, last)
        self._match_r_paren()
        cls = exp.TryCast if safe else exp.Cast
        return self.expression(cls(this=this, to=to))

    def flink_data_type(self, first: Token, last: Token) -> exp.DataType:
        """The type spelled by tokens [first, last] as a DataType carrying its SqlType."""
        text = " ".join(self.sql[first.start : last.end + 1].split())
        try:
            sql_type = parse_flink_type(text)
        except TypeParseError as e:
            detail = re.sub(r" at column \d+$", "", e.message)
            raise ParseError(
                f"invalid type {text!r}" if text in detail else f"invalid type {text!r}: {detail}",
                Span(first.start, last.end + 1, self.stmt_index),
            ) from e
        node = exp.DataType(this=exp.DType.USERDEFINED, kind=text)
        node.meta["sql_type"] = sql_type
        _positions(node, first, last)
        return node

    def _parse_type(self, parse_interval: bool = True, fallback_to_identifier: bool = False) -> Any:
        index = self._index
        start = self._curr
        node = super()._parse_type(parse_interval, fallback_to_identifier)
        if (
            isinstance(node, exp.Cast)
            and isinstance(node.to, exp.DataType)
            and node.to.this != exp.DType.USERDEFINED
        ):
            # sqlglot read `<type> <literal>`: Flink has DATE/TIME/TIMESTAMP '...' only
            j = index
            while j < self._index and self._tokens[j].token_type != TokenType.STRING:
                j += 1
            if j == index or j >= self._index or start.text.upper() not in _LITERAL_TYPES:
                self.raise_error("expected an expression", start)
            node.set("to", self.flink_data_type(start, self._tokens[j - 1]))
            node.meta["typed_literal"] = True
        return node

    # -- intervals ---------------------------------------------------------------------------

    def _parse_interval(
        self, require_interval: bool = True, parse_function_unit: bool = False
    ) -> exp.Add | exp.Interval | None:
        start = self._curr
        if (
            require_interval
            and start.token_type == TokenType.INTERVAL
            and self._next.token_type == TokenType.NUMBER
        ):
            self.fail(
                "an interval value is a quoted string in Flink SQL, e.g. INTERVAL '10' SECOND",
                start,
                self._next,
            )
        node = super()._parse_interval(require_interval, parse_function_unit)
        if isinstance(node, exp.Interval):
            self._check_interval(node, start)
        return node

    def _check_interval(self, node: exp.Interval, start: Token) -> None:
        value = node.this
        unit = node.args.get("unit")
        end = self._prev
        if not (isinstance(value, exp.Literal) and value.is_string) and not (
            isinstance(value, exp.Neg) and isinstance(value.this, exp.Literal)
        ):
            self.fail(
                "an interval value is a quoted string in Flink SQL, e.g. INTERVAL '10' SECOND",
                start,
                end,
            )
        if unit is None:
            self.fail(
                "an interval needs a unit after the quoted value, e.g. INTERVAL '10' SECOND",
                start,
                end,
            )
        units = [unit.this, unit.expression] if isinstance(unit, exp.IntervalSpan) else [unit]
        for u in units:
            name = u.name.upper() if isinstance(u, exp.Expr) else str(u).upper()
            if name not in INTERVAL_UNITS:
                hint = (
                    "; write sub-second intervals as INTERVAL '0.500' SECOND"
                    if name.startswith(("MILLI", "MICRO", "NANO"))
                    else ""
                )
                self.fail(
                    f"{name} is not an interval unit in Flink SQL (use YEAR, MONTH, DAY, HOUR, "
                    f"MINUTE or SECOND){hint}",
                    start,
                    end,
                )


for _name in _SPANNED:
    setattr(FlinkParser, _name, _spanned(_name))


class Flink(Dialect):
    """Apache Flink SQL (Calcite-based): backtick identifiers, case kept, Flink types."""

    NORMALIZATION_STRATEGY = NormalizationStrategy.CASE_SENSITIVE
    # Function names print as written (UDF names keep their case).
    NORMALIZE_FUNCTIONS: bool | str = False
    # Flink (Calcite's NullCollation.LOW): NULLs sort first in ASC, last in DESC.
    NULL_ORDERING = "nulls_are_small"
    Tokenizer = FlinkTokenizer
    Parser = FlinkParser
    Generator = FlinkGenerator
