"""The Flink SQL dialect for sqlglot: tokenizer and query parser (strictness and error
messages in checks.py, window TVFs in tvf.py, generator in generator.py).

Statement-level syntax (DDL, INSERT, SET, statement sets, ...) lives in `script.py`, built on
the parser defined here. Every node this parser creates carries `start`/`end` character offsets
(sqlglot's convention: `end` inclusive) in `node.meta`, directly or through its descendants.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from sqlglot import exp, parser, tokens
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.tokenizer_core import Token, TokenType

from nrtg.catalog.errors import TypeParseError
from nrtg.catalog.type_parser import parse_flink_type
from nrtg.compiler.errors import ParseError, Span

from .checks import StrictParser, SyntaxFailure
from .generator import FlinkGenerator
from .nodes import JsonQuery, WindowTVF, mark_span
from .tvf import parse_window_tvf

__all__ = ["Flink", "FlinkParser", "FlinkTokenizer", "SyntaxFailure"]

# Types that prefix a literal: DATE '2020-01-01', TIME '10:00:00', TIMESTAMP '...'.
_LITERAL_TYPES = frozenset({"DATE", "TIME", "TIMESTAMP", "TIMESTAMP_LTZ"})

# Interval units Flink accepts (Calcite's time units); MILLISECOND etc. are refused.
INTERVAL_UNITS = frozenset({"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"})

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


def _spanned(name: str) -> Callable[..., Any]:
    """An override of parser method `name` that records the tokens its result spans."""
    base = getattr(StrictParser, name)

    def method(self: StrictParser, *args: Any, **kwargs: Any) -> Any:
        index = self._index
        start = self._curr
        node = base(self, *args, **kwargs)
        if isinstance(node, exp.Expr) and self._index > index:
            mark_span(node, start, self._prev)
        return node

    method.__name__ = name
    return method


# Parser methods whose results get `start`/`end` (others are covered by their descendants;
# FlinkParser's _parse_range and _parse_unary record theirs themselves).
_SPANNED = (
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


_FROM_ITEMS = (exp.Table, exp.Query, exp.Unnest, exp.Values, exp.Lateral, WindowTVF)

_NAME_TOKENS = frozenset({TokenType.VAR, TokenType.IDENTIFIER})
# Tokens that end an expression: no level of sqlglot's expression parser (disjunction down to
# column operators) consumes one after an operand. SENTINEL is the end of the statement.
_EXPRESSION_END = frozenset(
    {
        TokenType.COMMA,
        TokenType.R_PAREN,
        TokenType.ALIAS,
        TokenType.FROM,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.ORDER_BY,
        TokenType.LIMIT,
        TokenType.SEMICOLON,
        TokenType.THEN,
        TokenType.ELSE,
        TokenType.END,
        TokenType.WHEN,
        TokenType.ASC,
        TokenType.DESC,
        TokenType.SENTINEL,
    }
)
# Tokens that end an operand of a comparison: the levels from _parse_range down to the operand
# (range predicates, bitwise, additive, multiplicative, AT TIME ZONE) consume none of them.
# `<` and `>` are among them unless doubled (`<<` and `>>` are shifts: _parse_bitwise).
_OPERAND_END = _EXPRESSION_END | {
    TokenType.EQ,
    TokenType.NEQ,
    TokenType.GTE,
    TokenType.LTE,
    TokenType.GT,
    TokenType.LT,
    TokenType.AND,
    TokenType.OR,
}
_SHIFT_HALVES = frozenset({TokenType.GT, TokenType.LT})


# What may follow ON EMPTY / ON ERROR in each SQL/JSON function (DEFAULT <expr> aside).
_JSON_BEHAVIORS = {
    "JSON_VALUE": ("NULL", "ERROR"),
    "JSON_QUERY": ("NULL", "ERROR", "EMPTY ARRAY", "EMPTY OBJECT"),
    "JSON_EXISTS": ("TRUE", "FALSE", "UNKNOWN", "ERROR"),
}
# Words that end a RETURNING type: the first word of a later clause.
_JSON_CLAUSE_WORDS = frozenset(
    {"NULL", "ERROR", "DEFAULT", "EMPTY", "WITH", "WITHOUT", "TRUE", "FALSE", "UNKNOWN"}
)


def _build_typed(names: frozenset[str]) -> dict[str, Callable[..., Any]]:
    return {k: v for k, v in parser.Parser.FUNCTIONS.items() if k in names}


class FlinkParser(StrictParser):
    """sqlglot's parser with Flink syntax: window TVFs, Flink types in CAST, Flink intervals."""

    FUNCTIONS: ClassVar[dict[str, Callable[..., Any]]] = _build_typed(TYPED_FUNCTIONS)
    FUNC_TOKENS: ClassVar[set[TokenType]] = {
        *parser.Parser.FUNC_TOKENS,
        TokenType.SESSION,
        TokenType.ROW,
    }
    # LOCALTIME and LOCALTIMESTAMP are Flink's niladic functions like CURRENT_TIMESTAMP (sqlglot's
    # base parser reads them as column names).
    NO_PAREN_FUNCTIONS: ClassVar[dict[TokenType, type[exp.Expr]]] = {
        **parser.Parser.NO_PAREN_FUNCTIONS,
        TokenType.LOCALTIME: exp.Localtime,
        TokenType.LOCALTIMESTAMP: exp.Localtimestamp,
    }
    VERSION_PHRASES: ClassVar[dict[tuple[str, ...], str]] = {("FOR", "SYSTEM_TIME"): "SYSTEM_TIME"}
    FUNCTION_PARSERS: ClassVar[dict[str, Callable[[Any], exp.Expr]]] = {
        **parser.Parser.FUNCTION_PARSERS,
        "CAST": lambda self: self._parse_flink_cast(safe=False),
        "TRY_CAST": lambda self: self._parse_flink_cast(safe=True),
        "TIMESTAMPADD": lambda self: self._parse_timestamp_fn(exp.TimestampAdd),
        "TIMESTAMPDIFF": lambda self: self._parse_timestamp_fn(exp.TimestampDiff),
        # sqlglot adds a delimiters argument Flink's INITCAP does not have
        "INITCAP": lambda self: self.expression(
            exp.Anonymous(this="INITCAP", expressions=self._parse_function_args())
        ),
        "JSON_ARRAY": lambda self: self._parse_json_array(),
        "JSON_VALUE": lambda self: self._parse_json_fn("JSON_VALUE"),
        "JSON_QUERY": lambda self: self._parse_json_fn("JSON_QUERY"),
        "JSON_EXISTS": lambda self: self._parse_json_fn("JSON_EXISTS"),
    }
    STRICT_CAST = True
    LOG_DEFAULTS_TO_LN = False
    # Calcite ranks IS [NOT] NULL/TRUE/FALSE/UNKNOWN below the comparisons (28 against 30):
    # `a = b IS NULL` is `(a = b) IS NULL`, not sqlglot's default `a = (b IS NULL)`.
    IS_PREDICATE_PRECEDENCE = parser.IsPredicatePrecedence.LOW

    # -- operands ahead of the precedence chain ---------------------------------------------

    # sqlglot reaches every operand through a dozen precedence levels (disjunction down to
    # _parse_unary), each of which then finds no operator after it. Every level calls the one
    # below before it reads a token, so _parse_unary is always the first to consume any: we
    # call it directly, and when the token after the operand ends it for the levels in between
    # (_EXPRESSION_END / _OPERAND_END) we return it, as they would. Otherwise the operand is
    # left in `_ahead` (index after it, node, index of its first token) and the chain runs as
    # usual; the first _parse_range or _parse_unary it reaches at that index takes the node.
    _ahead: tuple[int, exp.Expr | None, int] | None = None
    # False when the text parsed has no IGNORE or RESPECT (as in IGNORE NULLS) anywhere.
    nulls_clauses: bool = True

    def _parse_disjunction(self) -> exp.Expr | None:
        start = self._index
        node = self._operand()
        if self._curr.token_type in _EXPRESSION_END:
            return node
        self._ahead = (self._index, node, start)
        try:
            return super()._parse_disjunction()
        finally:
            self._ahead = None

    def _parse_range(self, this: exp.Expr | None = None, parse_is: bool = False) -> exp.Expr | None:
        ahead = self._ahead
        if ahead is not None and this is None and ahead[0] == self._index:
            start = ahead[2]
            if self._operand_ends():
                self._ahead = None
                return ahead[1]
        elif this is None and not parse_is:
            start = self._index
            node = self._operand()
            if self._operand_ends():
                return node
            self._ahead = (self._index, node, start)
        else:
            start = self._index
        node = super()._parse_range(this, parse_is)
        if isinstance(node, exp.Expr) and self._index > start:
            mark_span(node, self._tokens[start], self._prev)
        return node

    def _parse_unary(self) -> exp.Expr | None:
        ahead = self._ahead
        if ahead is not None:
            self._ahead = None
            if ahead[0] == self._index:
                return ahead[1]
        index = self._index
        start = self._curr
        node = super()._parse_unary()
        if isinstance(node, exp.Expr) and self._index > index:
            mark_span(node, start, self._prev)
        return node

    def _operand(self) -> exp.Expr | None:
        """What _parse_unary returns here; a bare column (`auction`, `b.price`) directly."""
        if self._curr.token_type in _NAME_TOKENS:
            column = self._bare_column()
            if column is not None:
                return column
        return self._parse_unary()

    def _bare_column(self) -> exp.Column | None:
        """The Column of up to 4 dotted names that _parse_unary would read here (through
        _parse_type, _parse_atom, _parse_column and _parse_column_parts_fast, whose checks
        this repeats), built without those calls; None if they would read anything else or
        a comment is among its tokens (then _parse_unary reads it)."""
        tokens = self._tokens
        size = self._tokens_size
        first = last = self._index
        while last + 1 < size and tokens[last + 1].token_type == TokenType.DOT:
            if last + 2 >= size or tokens[last + 2].token_type not in _NAME_TOKENS:
                return None
            last += 2
        if (
            (last + 1 < size and tokens[last + 1].token_type in self.COLUMN_POSTFIX_TOKENS)
            or last - first > 6
            or tokens[first].text.upper() in self.NO_PAREN_FUNCTION_PARSERS
        ):
            return None
        names = tokens[first : last + 1]
        if any(t.comments for t in names):
            return None
        parts = []
        for token in names[::-1] if last > first else names:
            if token.token_type == TokenType.DOT:
                continue
            part = exp.Identifier(this=token.text, quoted=token.token_type == TokenType.IDENTIFIER)
            part._meta = {
                "line": token.line,
                "col": token.col,
                "start": token.start,
                "end": token.end,
            }
            parts.append(part)
        if len(parts) == 1:
            column = exp.Column(this=parts[0])
        elif len(parts) == 2:
            column = exp.Column(this=parts[0], table=parts[1])
        elif len(parts) == 3:
            column = exp.Column(this=parts[0], table=parts[1], db=parts[2])
        else:
            column = exp.Column(this=parts[0], table=parts[1], db=parts[2], catalog=parts[3])
        self._advance(last + 1 - first)
        mark_span(column, tokens[first], tokens[last])
        return column

    def _operand_ends(self) -> bool:
        tt = self._curr.token_type
        return tt in _OPERAND_END and not (tt in _SHIFT_HALVES and self._next.token_type == tt)

    # -- span recording ----------------------------------------------------------------------

    def _parse_window(self, this: exp.Expr | None, alias: bool = False) -> exp.Expr | None:
        # Called right after a function call's closing parenthesis (or a CASE's END).
        if this is not None and self._prev:
            end = this.meta.get("end")
            this.meta["end"] = self._prev.end if end is None else max(end, self._prev.end)
        if (
            not alias
            and self._curr.token_type in _OPERAND_END
            and not (self.nulls_clauses and isinstance(this, exp.AggFunc))
        ):
            # What follows is no WITHIN GROUP, FILTER, IGNORE/RESPECT NULLS, OVER or PER: the
            # rest would return `this` as it is, after looking for an IGNORE/RESPECT NULLS in
            # an aggregate's arguments (a walk of them), which only nulls_clauses allows.
            return this
        return super()._parse_window(this, alias)

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
            mark_span(node, start, self._prev)
        return node

    def parse_query_body(self) -> exp.Expr | None:
        """A query: SELECT / WITH / set operations / VALUES, with ORDER BY and LIMIT."""
        if self._curr.token_type == TokenType.VALUES:
            start = self._curr
            values = self._parse_derived_table_values()
            if values is not None:
                mark_span(values, start, self._prev)
            return values
        query = self._parse_set_operations(
            self._parse_select(nested=True, parse_subquery_alias=False)
        )
        node: exp.Expr | None = self._parse_query_modifiers(query)
        return node

    def _expect_r_paren(self) -> None:
        """A FUNCTION_PARSERS entry must leave the closing parenthesis to sqlglot's function-call
        parser, which consumes it: consuming it here would also eat the enclosing call's `)`."""
        if not self._curr or self._curr.token_type != TokenType.R_PAREN:
            self.raise_error("expected )")

    def _parse_timestamp_fn(self, cls: type[exp.TimestampAdd | exp.TimestampDiff]) -> exp.Expr:
        """TIMESTAMPADD(unit, n, ts) and TIMESTAMPDIFF(unit, ts1, ts2); `unit` is a Var."""
        unit_token = self._curr
        if not unit_token or unit_token.token_type in (TokenType.STRING, TokenType.NUMBER):
            self.raise_error("expected a time unit (SECOND, MINUTE, HOUR, DAY, ...)")
        self._advance()
        unit = exp.var(unit_token.text.upper())
        mark_span(unit, unit_token, unit_token)
        if not self._match(TokenType.COMMA):
            self.raise_error("expected ','")
        first = self._parse_assignment()
        if not self._match(TokenType.COMMA):
            self.raise_error("expected ','")
        second = self._parse_assignment()
        self._expect_r_paren()
        if cls is exp.TimestampAdd:  # TIMESTAMPADD(unit, interval, timepoint)
            node: exp.Expr = exp.TimestampAdd(this=second, expression=first, unit=unit)
        else:  # TIMESTAMPDIFF(unit, timepoint1, timepoint2) = timepoint2 - timepoint1
            node = exp.TimestampDiff(this=first, expression=second, unit=unit)
        return self.expression(node)

    # -- JSON_VALUE, JSON_QUERY, JSON_EXISTS -------------------------------------------------

    def _parse_json_fn(self, name: str) -> exp.Expr:
        """The SQL/JSON query functions' clauses, in Flink's order: RETURNING (not JSON_EXISTS),
        JSON_QUERY's wrapper, then the ON EMPTY and ON ERROR behaviors (JSON_EXISTS: ON ERROR
        only)."""
        doc = self._parse_assignment()
        if not self._match(TokenType.COMMA):
            self.raise_error(f"expected ',' and a JSON path in {name}")
        path = self._parse_bitwise()
        returning = None
        if name != "JSON_EXISTS" and self._match(TokenType.RETURNING):
            returning = self._parse_json_returning()
        wrapper = self._parse_json_wrapper() if name == "JSON_QUERY" else None
        empty = None if name == "JSON_EXISTS" else self._parse_json_behavior(name, "EMPTY")
        error = self._parse_json_behavior(name, "ERROR")
        if error is not None and empty is None and name != "JSON_EXISTS":
            start = self._curr
            if self._parse_json_behavior(name, "EMPTY") is not None:
                self.fail("the ON EMPTY clause comes before ON ERROR", start, self._prev)
        self._expect_r_paren()
        on = exp.OnCondition(empty=empty, error=error) if empty or error else None
        if name == "JSON_VALUE":
            node: exp.Expr = exp.JSONValue(
                this=doc, path=path, returning=returning, on_condition=on
            )
        elif name == "JSON_EXISTS":
            node = exp.JSONExists(this=doc, path=path, on_condition=on)
        else:
            node = JsonQuery(
                this=doc, path=path, returning=returning, wrapper=wrapper, on_condition=on
            )
        return self.expression(node)

    def _parse_json_array(self) -> exp.Expr:
        """`JSON_ARRAY([value[, value]*] [{NULL | ABSENT} ON NULL])`."""
        values: list[exp.Expr] = []
        null_handling = None
        while self._curr and self._curr.token_type != TokenType.R_PAREN:
            for option in ("NULL", "ABSENT"):
                if self._match_text_seq(option, "ON", "NULL"):
                    null_handling = f"{option} ON NULL"
            if null_handling is not None:
                break
            if values and not self._match(TokenType.COMMA):
                self.raise_error("expected ',' or {NULL | ABSENT} ON NULL")
            value = self._parse_assignment()
            if value is None:
                self.raise_error("expected a value")
            assert value is not None
            values.append(value)
        self._expect_r_paren()
        return self.expression(exp.JSONArray(expressions=values, null_handling=null_handling))

    def _parse_json_returning(self) -> exp.DataType:
        """The type after RETURNING: the tokens up to the next clause or the closing `)`."""

        def clause(tok: Token, last: Token | None) -> bool:
            # a clause's first word (NULL after NOT belongs to the type)
            return tok.text.upper() in _JSON_CLAUSE_WORDS and not (
                tok.token_type == TokenType.NULL and last is not None and last.text.upper() == "NOT"
            )

        return self._type_until(clause, "expected a type after RETURNING")

    def _type_until(
        self, stop: Callable[[Token, Token | None], bool] | None, missing: str
    ) -> exp.DataType:
        """The type spelled by the tokens up to the enclosing `)` or, outside brackets, up to a
        token `stop(token, previous)` accepts."""
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
            elif depth == 0 and stop is not None and stop(self._curr, last):
                break
            last = self._curr
            self._advance()
        if last is None:
            self.raise_error(missing)
        assert first is not None and last is not None
        return self.flink_data_type(first, last)

    def _parse_json_wrapper(self) -> str | None:
        """`WITHOUT [ARRAY] WRAPPER` or `WITH [CONDITIONAL | UNCONDITIONAL] [ARRAY] WRAPPER`."""
        if self._match_text_seq("WITHOUT"):
            kind = "WITHOUT"
        elif self._match(TokenType.WITH):
            kind = "UNCONDITIONAL"
            if self._match_text_seq("CONDITIONAL"):
                kind = "CONDITIONAL"
            else:
                self._match_text_seq("UNCONDITIONAL")
        else:
            return None
        self._match(TokenType.ARRAY)
        if not self._match_text_seq("WRAPPER"):
            self.raise_error("expected WRAPPER")
        return kind

    def _parse_json_behavior(self, name: str, kind: str) -> str | exp.Expr | None:
        """`<behavior> ON <kind>`: sqlglot's form, the text ("NULL ON EMPTY") or, for
        `DEFAULT <expr> ON <kind>`, the expression; None (nothing consumed) when absent."""
        index = self._index
        default: exp.Expr | None = None
        if name == "JSON_VALUE" and self._match(TokenType.DEFAULT):
            default = self._parse_bitwise()
            words = "DEFAULT"
        else:
            words = ""
            for option in _JSON_BEHAVIORS[name]:
                if self._match_text_seq(*option.split()):
                    words = option
                    break
        if not words:
            return None
        if not self._match_text_seq("ON", kind):
            if kind == "EMPTY" and self._match_text_seq("ON", "ERROR"):
                self._retreat(index)  # the ON ERROR clause: parsed next
                return None
            self.raise_error(f"expected ON {kind} after {words}")
        if default is not None:
            return default
        return f"{words} ON {kind}"

    # -- CAST with Flink types ---------------------------------------------------------------

    def _parse_flink_cast(self, safe: bool) -> exp.Expr:
        this = self._parse_assignment()
        if not self._match(TokenType.ALIAS):
            self.raise_error("expected AS in CAST(<expr> AS <type>)")
        to = self._type_until(None, "expected a type after AS")
        self._expect_r_paren()
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
        mark_span(node, first, last)
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
