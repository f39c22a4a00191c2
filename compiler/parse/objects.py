"""DDL besides CREATE TABLE (ddl.py): CREATE VIEW / DATABASE / FUNCTION, DROP, ALTER TABLE."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from sqlglot.tokenizer_core import Token, TokenType

from nrtg.compiler.errors import UnsupportedError

from . import statements as st
from .ddl import parse_create_table

if TYPE_CHECKING:
    from .script import ScriptParser

__all__ = ["parse_alter", "parse_create", "parse_drop"]


def parse_drop(p: ScriptParser) -> st.Drop:
    first = p._curr
    p._advance()
    temporary = p._kw("TEMPORARY")
    if temporary:
        p._kw("SYSTEM")
    kind_token = p._curr
    kind = kind_token.text.upper() if kind_token else ""
    if kind not in ("TABLE", "VIEW", "DATABASE", "FUNCTION"):
        p.raise_error("expected TABLE, VIEW, DATABASE or FUNCTION")
    p._advance()
    if_exists = p._kw("IF", "EXISTS")
    name = p._qualified_name()
    cascade = False
    if p._kw("CASCADE"):
        cascade = True
    else:
        p._kw("RESTRICT")
    object_kind: Literal["TABLE", "VIEW", "DATABASE", "FUNCTION"] = kind  # type: ignore[assignment]
    return st.Drop(
        object_kind=object_kind,
        name=name,
        if_exists=if_exists,
        temporary=temporary,
        cascade=cascade,
        span=p._span(first),
        text="",
    )


def parse_alter(p: ScriptParser) -> st.Statement:
    first = p._curr
    p._advance()
    what = p._curr
    if what and what.text.upper() in ("VIEW", "DATABASE", "FUNCTION", "CATALOG", "MODEL"):
        raise UnsupportedError(
            f"ALTER {what.text.upper()} is not supported; nrtg supports ALTER TABLE",
            p._span(first, what),
        )
    p._expect_kw("TABLE")
    p._kw("IF", "EXISTS")
    name = p._qualified_name()
    if p._kw("SET"):
        options = p._options()
        return st.AlterTableSet(name=name, options=options, span=p._span(first), text="")
    if p._kw("RESET"):
        p._expect(TokenType.L_PAREN, "(")
        keys = [p._string("an option key")]
        while p._match(TokenType.COMMA):
            keys.append(p._string("an option key"))
        p._expect(TokenType.R_PAREN, "',' or ')'")
        return st.AlterTableReset(name=name, keys=tuple(keys), span=p._span(first), text="")
    if p._kw("RENAME", "TO"):
        new_name = p._qualified_name()
        return st.AlterTableRename(name=name, new_name=new_name, span=p._span(first), text="")
    if p._curr:
        raise UnsupportedError(
            f"ALTER TABLE ... {p._curr.text.upper()} is not supported; nrtg supports "
            "SET (...), RESET (...) and RENAME TO",
            p._span(p._curr, p._curr),
        )
    p.raise_error("expected SET, RESET or RENAME TO")
    raise AssertionError


def parse_create(p: ScriptParser) -> st.Statement:
    first = p._curr
    p._advance()
    if p._kw("OR", "REPLACE"):
        raise UnsupportedError(
            "CREATE OR REPLACE is not supported; DROP the object, then CREATE it",
            p._span(first),
        )
    temporary = p._kw("TEMPORARY")
    system = temporary and p._kw("SYSTEM")
    kind_token = p._curr
    kind = kind_token.text.upper() if kind_token else ""
    if kind == "TABLE":
        p._advance()
        return parse_create_table(p, first, temporary)
    if kind == "VIEW":
        p._advance()
        return _create_view(p, first, temporary)
    if kind == "DATABASE" and not temporary:
        p._advance()
        if_not_exists = p._if_not_exists()
        name = p._qualified_name()
        comment = p._string("a comment") if p._kw("COMMENT") else None
        props = p._options() if p._kw("WITH") else ()
        return st.CreateDatabase(
            name=name,
            if_not_exists=if_not_exists,
            comment=comment,
            properties=props,
            span=p._span(first),
            text="",
        )
    if kind == "FUNCTION":
        p._advance()
        return _create_function(p, first, temporary or system)
    if kind == "CATALOG":
        raise UnsupportedError(
            "CREATE CATALOG is not supported; point nrtg at a catalog with --catalog",
            p._span(first, kind_token),
        )
    p.raise_error("expected TABLE, VIEW, DATABASE or FUNCTION after CREATE")
    raise AssertionError


def _create_view(p: ScriptParser, first: Token, temporary: bool) -> st.CreateView:
    if_not_exists = p._if_not_exists()
    name = p._qualified_name()
    columns = p._name_list() if p._curr.token_type == TokenType.L_PAREN else None
    comment = p._string("a comment") if p._kw("COMMENT") else None
    p._expect(TokenType.ALIAS, "AS")
    query_first = p._curr
    query = p._query()
    return st.CreateView(
        name=name,
        query=query,
        column_names=columns,
        temporary=temporary,
        if_not_exists=if_not_exists,
        query_text=p._text(query_first, p._prev),
        comment=comment,
        span=p._span(first),
        text="",
    )


def _create_function(p: ScriptParser, first: Token, temporary: bool) -> st.CreateFunction:
    if_not_exists = p._if_not_exists()
    name = p._qualified_name()
    p._expect(TokenType.ALIAS, "AS")
    class_name = p._string("the function's class or Python path")
    language = "JAVA"
    if p._kw("LANGUAGE"):
        lang = p._curr
        if not lang or lang.text.upper() not in ("JAVA", "SCALA", "PYTHON"):
            p.raise_error("expected JAVA, SCALA or PYTHON")
        language = lang.text.upper()
        p._advance()
    if p._curr and p._curr.text.upper() == "USING":
        raise UnsupportedError(
            "CREATE FUNCTION ... USING JAR is not supported", p._span(p._curr, p._curr)
        )
    return st.CreateFunction(
        name=name,
        class_name=class_name,
        language=language,
        temporary=temporary,
        if_not_exists=if_not_exists,
        span=p._span(first),
        text="",
    )
