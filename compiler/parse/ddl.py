"""CREATE TABLE: columns (physical, computed, metadata), watermarks, constraints, clauses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from nrtg.catalog.schema import ColumnKind
from nrtg.compiler.errors import ParseError, UnsupportedError

from . import statements as st

if TYPE_CHECKING:
    from .script import ScriptParser

__all__ = ["parse_create_table"]

# Words that end a column's type at bracket depth 0.
_TYPE_STOP = frozenset({"COMMENT", "METADATA", "PRIMARY KEY", "PRIMARY", "CONSTRAINT"})
_CLAUSES = ("COMMENT", "PARTITIONED BY", "WITH", "LIKE", "DISTRIBUTED")


def parse_create_table(p: ScriptParser, first: Token, temporary: bool) -> st.CreateTable:
    if_not_exists = p._if_not_exists()
    name = p._qualified_name()
    columns: list[st.ColumnDecl] = []
    watermarks: list[st.WatermarkDecl] = []
    pk: st.PrimaryKeyDecl | None = None
    if p._match(TokenType.L_PAREN):
        seen: dict[str, st.ColumnDecl] = {}
        while True:
            item_first = p._curr
            word = _word(item_first)
            if word == "WATERMARK":
                watermarks.append(_watermark(p))
            elif word in ("PRIMARY KEY", "CONSTRAINT"):
                key = _primary_key(p, None)
                if pk is not None:
                    p.fail("a table has at most one PRIMARY KEY", item_first, p._prev)
                pk = key
            else:
                column, column_pk = _column(p)
                if column.name in seen:
                    raise ParseError(
                        f"duplicate column name {column.name!r} in CREATE TABLE {name}",
                        column.span,
                    )
                seen[column.name] = column
                columns.append(column)
                if column_pk is not None:
                    if pk is not None:
                        p.fail("a table has at most one PRIMARY KEY", item_first, p._prev)
                    pk = column_pk
            if not p._match(TokenType.COMMA):
                break
        p._expect(TokenType.R_PAREN, "',' or ')'")
    comment: str | None = None
    partition_keys: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    like: st.LikeClause | None = None
    query = None
    done: set[str] = set()
    while p._curr:
        clause_token = p._curr
        word = _word(clause_token)
        if word in done:
            p.fail(f"{word} is given twice", clause_token)
        if word == "COMMENT":
            p._advance()
            comment = p._string("a comment")
        elif word == "PARTITIONED BY":
            p._advance()
            partition_keys = p._name_list()
        elif word == "WITH":
            p._advance()
            options = p._options()
        elif word == "LIKE":
            p._advance()
            like = _like(p, clause_token)
        elif word == "AS":
            p._advance()
            query = _ctas_query(p, first, temporary, like)
            break
        elif word in ("DISTRIBUTED BY", "DISTRIBUTED"):
            raise UnsupportedError(
                "DISTRIBUTED BY is not supported", p._span(clause_token, clause_token)
            )
        else:
            p.raise_error(
                "expected COMMENT, PARTITIONED BY, WITH, LIKE or the end of the statement"
            )
        done.add(word)
    if not columns and like is None and query is None:
        p.fail(f"CREATE TABLE {name} declares no columns", first, p._prev)
    return st.CreateTable(
        name=name,
        columns=tuple(columns),
        watermarks=tuple(watermarks),
        primary_key=pk,
        partition_keys=partition_keys,
        options=options,
        like=like,
        temporary=temporary,
        if_not_exists=if_not_exists,
        comment=comment,
        query=query,
        span=p._span(first),
        text="",
    )


def _ctas_query(
    p: ScriptParser, first: Token, temporary: bool, like: st.LikeClause | None
) -> exp.Expression:
    """The query of `CREATE TABLE ... AS query`, with the restrictions Flink's parser checks."""
    as_token = p._prev
    if temporary:
        p.fail(
            "CREATE TEMPORARY TABLE ... AS SELECT is not allowed (Flink creates CTAS tables in "
            "the catalog only); drop TEMPORARY, or CREATE TEMPORARY TABLE and INSERT INTO it",
            first,
            as_token,
        )
    if like is not None:
        raise ParseError("CREATE TABLE ... AS SELECT cannot also copy a table with LIKE", like.span)
    return p._query()


def _word(token: Token) -> str:
    if not token or token.token_type in (TokenType.STRING, TokenType.IDENTIFIER):
        return ""
    return " ".join(token.text.upper().split())


def _column(p: ScriptParser) -> tuple[st.ColumnDecl, st.PrimaryKeyDecl | None]:
    first = p._curr
    name = p._name_part()
    name_token = p._prev
    if p._match(TokenType.ALIAS):
        expr = p._scalar()
        comment = p._string("a comment") if p._kw("COMMENT") else None
        column = st.ColumnDecl(
            name=name,
            type=None,
            kind=ColumnKind.COMPUTED,
            expr=expr,
            comment=comment,
            span=p._span(first),
        )
        return column, None
    type_first = p._curr
    if not type_first or type_first.token_type in (TokenType.COMMA, TokenType.R_PAREN):
        p.raise_error(f"expected a type or AS <expression> for column {name!r}")
    depth = 0
    type_last = type_first
    while p._curr:
        tt = p._curr.token_type
        if depth == 0 and (
            tt in (TokenType.COMMA, TokenType.R_PAREN) or _word(p._curr) in _TYPE_STOP
        ):
            break
        if tt in (TokenType.L_PAREN, TokenType.LT):
            depth += 1
        elif tt in (TokenType.R_PAREN, TokenType.GT):
            depth -= 1
        type_last = p._curr
        p._advance()
    sql_type = p.flink_data_type(type_first, type_last).meta["sql_type"]
    kind = ColumnKind.PHYSICAL
    metadata_key: str | None = None
    virtual = False
    pk: st.PrimaryKeyDecl | None = None
    if p._kw("METADATA"):
        kind = ColumnKind.METADATA
        if p._match(TokenType.FROM):
            metadata_key = p._string("a metadata key")
        virtual = p._kw("VIRTUAL")
    if _word(p._curr) in ("PRIMARY KEY", "CONSTRAINT"):
        pk = _primary_key(p, name)
    comment = p._string("a comment") if p._kw("COMMENT") else None
    del name_token
    column = st.ColumnDecl(
        name=name,
        type=sql_type,
        kind=kind,
        metadata_key=metadata_key,
        virtual=virtual,
        comment=comment,
        span=p._span(first),
    )
    return column, pk


def _watermark(p: ScriptParser) -> st.WatermarkDecl:
    first = p._curr
    p._advance()
    p._expect(TokenType.FOR, "FOR")
    rowtime = p._name_part()
    while p._match(TokenType.DOT):
        rowtime += "." + p._name_part()
    p._expect(TokenType.ALIAS, "AS")
    expr = p._scalar()
    return st.WatermarkDecl(rowtime=rowtime, expr=expr, span=p._span(first))


def _primary_key(p: ScriptParser, column: str | None) -> st.PrimaryKeyDecl:
    first = p._curr
    constraint: str | None = None
    if p._kw("CONSTRAINT"):
        constraint = p._name_part()
    p._expect(TokenType.PRIMARY_KEY, "PRIMARY KEY")
    columns = (column,) if column is not None else p._name_list()
    if not p._kw("NOT", "ENFORCED"):
        p._kw("ENFORCED")
        raise ParseError(PK_ENFORCED_MESSAGE_TEXT, p._span(first))
    return st.PrimaryKeyDecl(name=constraint, columns=columns, enforced=False, span=p._span(first))


PK_ENFORCED_MESSAGE_TEXT = (
    "Flink doesn't support ENFORCED mode for PRIMARY KEY constraint. ENFORCED/NOT ENFORCED "
    "controls if the constraint checks are performed on the incoming/outgoing data. "
    "Add NOT ENFORCED."
)


def _like(p: ScriptParser, first: Token) -> st.LikeClause:
    source = p._qualified_name()
    options: list[tuple[str, str]] = []
    if p._match(TokenType.L_PAREN):
        while not p._match(TokenType.R_PAREN):
            verb = p._curr.text.upper() if p._curr else ""
            if verb not in ("INCLUDING", "EXCLUDING", "OVERWRITING"):
                p.raise_error("expected INCLUDING, EXCLUDING, OVERWRITING or ')'")
            p._advance()
            what = p._curr.text.upper() if p._curr else ""
            if what not in (
                "ALL",
                "CONSTRAINTS",
                "DISTRIBUTION",
                "GENERATED",
                "METADATA",
                "OPTIONS",
                "PARTITIONS",
                "WATERMARKS",
            ):
                p.raise_error(
                    "expected ALL, CONSTRAINTS, DISTRIBUTION, GENERATED, METADATA, OPTIONS, "
                    "PARTITIONS or WATERMARKS"
                )
            p._advance()
            options.append((verb, what))
    return st.LikeClause(source=source, options=tuple(options), span=p._span(first))
