"""The Flink SQL dialect for sqlglot: tokenizer, query parser and generator.

Statement-level syntax (DDL, INSERT, SET, statement sets, ...) lives in `script.py`, built on
the parser defined here. Every node this parser creates carries `start`/`end` character offsets
(sqlglot's convention: `end` inclusive) in `node.meta`, directly or through its descendants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, NoReturn

from nrtg.catalog.errors import TypeParseError
from nrtg.catalog.type_parser import parse_flink_type
from nrtg.compiler.errors import ParseError, Span
from sqlglot import exp, generator, parser, tokens
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.errors import ParseError as SqlglotParseError
from sqlglot.tokens import Token, TokenType

from .nodes import TVF_ARGS, WindowTVF

__all__ = ["Flink", "FlinkGenerator", "FlinkParser", "FlinkTokenizer", "SyntaxFailure"]

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
        "STRING": TokenType.TEXT,
        "BYTES": TokenType.VARBINARY,
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
    VERSION_PHRASES: ClassVar[dict[tuple[str, ...], str]] = {("FOR", "SYSTEM_TIME"): "SYSTEM_TIME"}
    FUNCTION_PARSERS: ClassVar[dict[str, Callable[[Any], exp.Expr]]] = {
        **parser.Parser.FUNCTION_PARSERS,
        "CAST": lambda self: self._parse_flink_cast(safe=False),
        "TRY_CAST": lambda self: self._parse_flink_cast(safe=True),
    }
    STRICT_CAST = True
    LOG_DEFAULTS_TO_LN = False

    stmt_index: int = 0

    # -- errors ------------------------------------------------------------------------------

    def raise_error(self, message: str, token: Token | None = None) -> None:  # type: ignore[override]
        token = token or self._curr or self._prev
        if not token:
            raise SyntaxFailure(message, len(self.sql), len(self.sql))
        at = _token_label(token) if self._curr or token is not self._curr else "end of input"
        if not self._curr and token is self._prev:
            at = "end of input"
            raise SyntaxFailure(f"{message} at end of input", token.end + 1, token.end + 1)
        text = _humanize(message)
        raise SyntaxFailure(f"unexpected {at}; {text}", token.start, token.end + 1)

    def fail(self, message: str, start: Token, end: Token | None = None) -> NoReturn:
        """A definitive syntax error (not backtracked) spanning the tokens [start, end]."""
        stop = (end or start).end + 1
        raise ParseError(message, Span(start.start, stop, self.stmt_index))

    # -- span recording ----------------------------------------------------------------------

    def _parse_unary(self) -> exp.Expr | None:
        index = self._index
        start = self._curr
        node = super()._parse_unary()
        if node is not None and self._index > index:
            _positions(node, start, self._prev)
        return node

    def _parse_select(self, *args: Any, **kwargs: Any) -> exp.Expr | None:
        index = self._index
        start = self._curr
        node = super()._parse_select(*args, **kwargs)
        if node is not None and self._index > index:
            _positions(node, start, self._prev)
        return node

    # -- FROM items: window TVFs -------------------------------------------------------------

    def _parse_table(self, *args: Any, **kwargs: Any) -> exp.Expr | None:
        index = self._index
        start = self._curr
        if self._curr.token_type == TokenType.TABLE and self._next.token_type == TokenType.L_PAREN:
            node: exp.Expr | None = self._parse_window_tvf()
        else:
            node = super()._parse_table(*args, **kwargs)
        if node is not None and self._index > index:
            _positions(node, start, self._prev)
        return node

    def _parse_window_tvf(self) -> exp.Expr:
        self._advance(2)  # TABLE (
        name = self._curr
        kind = name.text.upper()
        if kind not in TVF_ARGS or self._next.token_type != TokenType.L_PAREN:
            from nrtg.compiler.errors import UnsupportedError

            raise UnsupportedError(
                f"table function {name.text!r} is not supported; TABLE(...) takes the window "
                "functions TUMBLE, HOP, CUMULATE or SESSION",
                Span(name.start, name.end + 1, self.stmt_index),
            )
        self._advance(2)
        named: dict[str, exp.Expr | list[exp.Expr] | tuple[exp.Expr, list[exp.Expr]]] = {}
        positional: list[tuple[Token, Any]] = []
        while True:
            arg_token = self._curr
            if self._curr.token_type in (TokenType.VAR, TokenType.OFFSET, *self.ID_VAR_TOKENS) and (
                self._next.token_type == TokenType.FARROW
            ):
                key = self._curr.text.upper()
                self._advance(2)
                if key in named:
                    self.fail(f"parameter {key} of {kind} is given twice", arg_token)
                named[key] = self._parse_tvf_arg()
            else:
                if named:
                    self.fail(
                        f"positional argument after named arguments in {kind}",
                        arg_token,
                    )
                positional.append((arg_token, self._parse_tvf_arg()))
            if not self._match(TokenType.COMMA):
                break
        self._match_r_paren()
        end_call = self._prev
        self._match_r_paren()
        required, optional = TVF_ARGS[kind]
        order = ("DATA", "TIMECOL", *(p.upper() for p in required + optional))
        if len(positional) > len(order):
            self.fail(
                f"{kind} takes at most {len(order)} arguments, got {len(positional)}",
                positional[len(order)][0],
                end_call,
            )
        for (tok, value), key in zip(positional, order, strict=False):
            named[key] = value
            del tok
        for key in named:
            if key not in order:
                self.fail(
                    f"{kind} has no parameter {key}; its parameters are {', '.join(order)}",
                    name,
                    end_call,
                )
        for key in ("DATA", "TIMECOL", *(p.upper() for p in required)):
            if key not in named:
                self.fail(f"{kind} is missing its {key} argument", name, end_call)
        data = named["DATA"]
        if not isinstance(data, tuple):
            self.fail(f"the DATA argument of {kind} must be TABLE <name>", name, end_call)
        descriptor = named["TIMECOL"]
        if not (isinstance(descriptor, exp.Column) and descriptor.meta.get("descriptor")):
            self.fail(
                f"the TIMECOL argument of {kind} must be DESCRIPTOR(<column>)", name, end_call
            )
        table, partition = data
        if partition and kind != "SESSION":
            self.fail("PARTITION BY in the DATA argument is only allowed for SESSION", name)
        args: dict[str, Any] = {
            "kind": kind,
            "this": table,
            "descriptor": descriptor,
            "partition_by": partition or None,
        }
        for key in required + optional:
            value = named.get(key.upper())
            if value is not None:
                if isinstance(value, tuple) or not isinstance(value, exp.Expr):
                    self.fail(f"the {key.upper()} argument of {kind} must be an interval", name)
                args[key] = value
        node = WindowTVF(**args)
        alias = self._parse_table_alias()
        if alias:
            node.set("alias", alias)
        return node

    def _parse_tvf_arg(self) -> Any:
        if self._match(TokenType.TABLE):
            table = self._parse_table_parts()
            partition: list[exp.Expr] = []
            if self._match(TokenType.PARTITION_BY):
                if self._curr.token_type == TokenType.L_PAREN:
                    partition = self._parse_wrapped_csv(self._parse_column)  # type: ignore[arg-type]
                else:
                    column = self._parse_column()
                    partition = [column] if column is not None else []
            return (table, partition)
        if self._curr.text.upper() == "DESCRIPTOR" and self._next.token_type == TokenType.L_PAREN:
            self._advance(2)
            column = self._parse_column()
            self._match_r_paren()
            if not isinstance(column, exp.Column):
                self.raise_error("expected a column name in DESCRIPTOR(...)")
            assert isinstance(column, exp.Column)
            column.meta["descriptor"] = True
            return column
        return self._parse_assignment()

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
            raise ParseError(
                f"invalid type {text!r}: {e.message}",
                Span(first.start, last.end + 1, self.stmt_index),
            ) from e
        node = exp.DataType(this=exp.DType.USERDEFINED, kind=text)
        node.meta["sql_type"] = sql_type
        _positions(node, first, last)
        return node

    def _parse_type(self, parse_interval: bool = True, fallback_to_identifier: bool = False) -> Any:
        start = self._curr
        node = super()._parse_type(parse_interval, fallback_to_identifier)
        # Typed literals (TIMESTAMP '...', DATE '...'): give the type the Flink grammar's SqlType.
        if (
            isinstance(node, exp.Cast)
            and isinstance(node.this, exp.Literal)
            and node.this.is_string
            and isinstance(node.to, exp.DataType)
            and node.to.this != exp.DType.USERDEFINED
        ):
            type_end = self._tokens[self._index - 2] if self._index >= 2 else start
            node.set("to", self.flink_data_type(start, type_end))
            node.meta["typed_literal"] = True
        return node

    # -- intervals ---------------------------------------------------------------------------

    def _parse_interval(self, match_interval: bool = True) -> Any:
        start = self._curr
        node = super()._parse_interval(match_interval)
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


def _humanize(message: str) -> str:
    """sqlglot's error descriptions, rephrased as `expected ...`."""
    if message.startswith("Expecting "):
        return "expected " + message[len("Expecting ") :]
    if message.startswith("Required keyword: "):
        return "incomplete expression (" + message[len("Required keyword: ") :] + ")"
    if message == "Invalid expression / Unexpected token":
        return "expected an operator, a clause keyword, ',' or the end of the statement"
    return message[0].lower() + message[1:] if message else "syntax error"


class FlinkGenerator(generator.Generator):
    """Prints the AST back as Flink SQL."""

    TRANSFORMS: ClassVar[dict[type[exp.Expr], Callable[..., str]]] = {
        **generator.Generator.TRANSFORMS,
        WindowTVF: lambda self, e: self.windowtvf_sql(e),
        exp.If: lambda self, e: self.func(
            "IF", e.this, e.args.get("true"), e.args.get("false") or exp.null()
        ),
        exp.Mod: lambda self, e: self.func("MOD", e.this, e.expression),
    }
    NULL_ORDERING_SUPPORTED: bool | None = True
    TABLESAMPLE_SIZE_IS_PERCENT = True

    def currenttimestamp_sql(self, expression: exp.CurrentTimestamp) -> str:
        return "CURRENT_TIMESTAMP"

    def currentdate_sql(self, expression: exp.CurrentDate) -> str:
        return "CURRENT_DATE"

    def currenttime_sql(self, expression: exp.CurrentTime) -> str:
        return "CURRENT_TIME"

    def strposition_sql(self, expression: exp.StrPosition) -> str:
        sub = self.sql(expression, "substr")
        return f"POSITION({sub} IN {self.sql(expression, 'this')})"

    def version_sql(self, expression: exp.Version) -> str:
        return f"FOR SYSTEM_TIME AS OF {self.sql(expression, 'expression')}"

    def cast_sql(self, expression: exp.Cast, safe_prefix: str | None = None) -> str:
        to = self.sql(expression, "to")
        if expression.meta.get("typed_literal"):
            return f"{to} {self.sql(expression, 'this')}"
        prefix = "TRY_" if isinstance(expression, exp.TryCast) else ""
        return f"{prefix}CAST({self.sql(expression, 'this')} AS {to})"

    def trycast_sql(self, expression: exp.TryCast) -> str:
        return self.cast_sql(expression)

    def array_sql(self, expression: exp.Array) -> str:
        return f"ARRAY[{self.expressions(expression, flat=True)}]"

    def windowtvf_sql(self, expression: WindowTVF) -> str:
        kind = expression.kind
        data = f"TABLE {self.sql(expression, 'this')}"
        partition = expression.args.get("partition_by")
        if partition:
            keys = ", ".join(self.sql(p) for p in partition)
            data += f" PARTITION BY {keys}" if len(partition) == 1 else f" PARTITION BY ({keys})"
        args = [data, f"DESCRIPTOR({self.sql(expression, 'descriptor')})"]
        required, optional = TVF_ARGS[kind]
        args.extend(self.sql(expression, k) for k in required + optional if expression.args.get(k))
        alias = self.sql(expression, "alias")
        alias = f" AS {alias}" if alias else ""
        return f"TABLE({kind}({', '.join(args)})){alias}"


class Flink(Dialect):
    """Apache Flink SQL (Calcite-based): backtick identifiers, case kept, Flink types."""

    NORMALIZATION_STRATEGY = NormalizationStrategy.CASE_SENSITIVE
    Tokenizer = FlinkTokenizer
    Parser = FlinkParser
    Generator = FlinkGenerator
