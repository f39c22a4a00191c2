"""Window table-valued functions: `TABLE(TUMBLE|HOP|CUMULATE|SESSION(...))` -> `WindowTVF`.

Arguments are positional (Flink's order, see `nodes.TVF_ARGS`) or named (`SIZE => ...`) in any
order; DATA is `TABLE name [PARTITION BY k | (k, ...)]`, TIMECOL is `DESCRIPTOR(column)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from nrtg.compiler.errors import Span, UnsupportedError

from .nodes import TVF_ARGS, WindowTVF

if TYPE_CHECKING:
    from .dialect import FlinkParser

__all__ = ["parse_window_tvf"]


@dataclass(frozen=True)
class _Data:
    table: exp.Expr
    partition: list[exp.Expr]


@dataclass(frozen=True)
class _Descriptor:
    column: exp.Column


_Arg = _Data | _Descriptor | exp.Expr


def parse_window_tvf(p: FlinkParser) -> WindowTVF:
    """Parses from `TABLE (` (the current token is TABLE) to the optional alias."""
    p._advance(2)  # TABLE (
    name = p._curr
    kind = name.text.upper()
    if kind not in TVF_ARGS or p._next.token_type != TokenType.L_PAREN:
        raise UnsupportedError(
            f"table function {name.text!r} is not supported; TABLE(...) takes the window "
            "functions TUMBLE, HOP, CUMULATE or SESSION",
            Span(name.start, name.end + 1, p.stmt_index),
        )
    p._advance(2)
    required, optional = TVF_ARGS[kind]
    order = ("DATA", "TIMECOL", *(k.upper() for k in required + optional))
    named: dict[str, tuple[Token, _Arg]] = {}
    position = 0
    saw_named = False
    while True:
        arg_token = p._curr
        if arg_token.token_type != TokenType.STRING and _is_farrow(p._next):
            key = arg_token.text.upper()
            p._advance(2)
            if key not in order:
                p.fail(
                    f"{kind} has no parameter {key}; its parameters are {', '.join(order)}",
                    arg_token,
                )
            if key in named:
                p.fail(f"parameter {key} of {kind} is given twice", arg_token)
            named[key] = (arg_token, _argument(p))
            saw_named = True
        else:
            if saw_named:
                p.fail(f"positional argument after named arguments in {kind}", arg_token)
            if position >= len(order):
                p.fail(f"{kind} takes at most {len(order)} arguments", arg_token)
            named[order[position]] = (arg_token, _argument(p))
            position += 1
        if not p._match(TokenType.COMMA):
            break
    p._match_r_paren()
    end_call = p._prev
    p._match_r_paren()
    for key in ("DATA", "TIMECOL", *(k.upper() for k in required)):
        if key not in named:
            p.fail(f"{kind} is missing its {key} argument", name, end_call)
    data_token, data = named["DATA"]
    if not isinstance(data, _Data):
        p.fail(f"the DATA argument of {kind} must be TABLE <name>", data_token)
    time_token, descriptor = named["TIMECOL"]
    if not isinstance(descriptor, _Descriptor):
        p.fail(f"the TIMECOL argument of {kind} must be DESCRIPTOR(<column>)", time_token)
    if data.partition and kind != "SESSION":
        p.fail("PARTITION BY in the DATA argument is only allowed for SESSION", data_token)
    node = WindowTVF(
        kind=kind,
        this=data.table,
        descriptor=descriptor.column,
        partition_by=data.partition or None,
    )
    for key in required + optional:
        entry = named.get(key.upper())
        if entry is not None:
            token, value = entry
            if not isinstance(value, exp.Expr):
                p.fail(f"the {key.upper()} argument of {kind} must be an interval", token)
            node.set(key, value)
    alias = p._parse_table_alias()
    if alias:
        node.set("alias", alias)
    return node


def _is_farrow(token: Token) -> bool:
    return token.token_type == TokenType.FARROW


def _argument(p: FlinkParser) -> _Arg:
    if p._match(TokenType.TABLE):
        table = p._parse_table_parts()
        partition: list[exp.Expr] = []
        if p._match(TokenType.PARTITION_BY):
            if p._curr.token_type == TokenType.L_PAREN:
                partition = p._parse_wrapped_csv(p._parse_column)
            else:
                column = p._parse_column()
                if column is None:
                    p.raise_error("expected a column after PARTITION BY")
                partition = [column] if column is not None else []
        if table is None:
            p.raise_error("expected a table name after TABLE")
        assert table is not None
        return _Data(table, partition)
    if p._curr.text.upper() == "DESCRIPTOR" and p._next.token_type == TokenType.L_PAREN:
        p._advance(2)
        column = p._parse_column()
        if not isinstance(column, exp.Column):
            p.raise_error("expected a column name in DESCRIPTOR(...)")
        p._match_r_paren()
        assert isinstance(column, exp.Column)
        return _Descriptor(column)
    value = p._parse_assignment()
    if value is None:
        p.raise_error("expected an argument")
    assert value is not None
    return value
