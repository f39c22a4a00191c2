"""String built-ins (Flink "System (Built-in) Functions" page, String Functions)."""

from __future__ import annotations

from nrtg.catalog import types as t
from nrtg.catalog.errors import Span
from nrtg.catalog.types import Kind, SqlType

from ..plan.expr import Call, Expr
from .functions_base import (
    ANY,
    INTEGER,
    NUMERIC_OR_STRING,
    STRING,
    STRING_OR_BINARY,
    Spec,
    any_nullable,
    arg_error,
    custom,
    same_as,
    scalar,
)

S = t.string()


def _varying(types: tuple[SqlType, ...]) -> SqlType | None:
    """The first argument's length as VARCHAR (Calcite's TO_VARYING: SUBSTRING, TRIM)."""
    first = types[0]
    return t.varchar(first.precision or 1) if first.kind is Kind.CHAR else first


def _concat_ws(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    # CONCAT_WS skips NULL strings; only a NULL separator makes the result NULL.
    for i, a in enumerate(args):
        if not (a.type.is_string or a.type.is_null):
            raise arg_error(name, i + 1, "STRING", a.type, span)
    return Call(name=name, args=args, type=t.string(args[0].type.nullable), span=span)


def _concat(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    for i, a in enumerate(args):
        if not (a.type.is_string or a.type.is_null):
            raise arg_error(name, i + 1, "STRING", a.type, span)
    return Call(name=name, args=args, type=t.string(any_nullable(args)), span=span)


STRING_FUNCTIONS: tuple[Spec, ...] = (
    scalar(
        "CHAR_LENGTH",
        (STRING,),
        t.int_(),
        "CHAR_LENGTH(string) -> INT: number of code points",
        aliases=("CHARACTER_LENGTH",),
    ),
    scalar("UPPER", (STRING,), same_as(0), "UPPER(string) -> STRING in upper case"),
    scalar("LOWER", (STRING,), same_as(0), "LOWER(string) -> STRING in lower case"),
    scalar(
        "SUBSTRING",
        (STRING, INTEGER, INTEGER),
        _varying,
        "SUBSTRING(string FROM integer1 [FOR integer2]) -> STRING (1-based)",
        optional=1,
        aliases=("SUBSTR",),
    ),
    scalar(
        "TRIM",
        (STRING, STRING),
        _varying,
        "TRIM([BOTH|LEADING|TRAILING] [string1] FROM string2) -> STRING",
        optional=1,
    ),
    scalar("LTRIM", (STRING, STRING), _varying, "LTRIM(string[, chars]) -> STRING", optional=1),
    scalar("RTRIM", (STRING, STRING), _varying, "RTRIM(string[, chars]) -> STRING", optional=1),
    scalar(
        "REPLACE",
        (STRING, STRING, STRING),
        S,
        "REPLACE(string1, string2, string3) -> STRING: all string2 in string1 by string3",
    ),
    custom(
        "CONCAT", 1, None, "CONCAT(string1, string2, ...) -> STRING; NULL if any is NULL", _concat
    ),
    custom(
        "CONCAT_WS",
        2,
        None,
        "CONCAT_WS(separator, string1, string2, ...) -> STRING; skips NULL strings",
        _concat_ws,
    ),
    scalar(
        "POSITION",
        (STRING, STRING, INTEGER),
        t.int_(),
        "POSITION(string1 IN string2) -> INT: 1-based position of string1 in string2, 0 if absent",
        optional=1,
    ),
    scalar(
        "LOCATE",
        (STRING, STRING, INTEGER),
        t.int_(),
        "LOCATE(string1, string2[, integer]) -> INT: position of string1 in string2 from integer",
        optional=1,
    ),
    scalar(
        "INSTR", (STRING, STRING), t.int_(), "INSTR(string1, string2) -> INT: position of string2"
    ),
    scalar("INITCAP", (STRING,), S, "INITCAP(string) -> STRING: first letter of words upper"),
    scalar(
        "LPAD",
        (STRING, INTEGER, STRING),
        S,
        "LPAD(string1, integer, string2) -> STRING left-padded to integer characters",
    ),
    scalar(
        "RPAD",
        (STRING, INTEGER, STRING),
        S,
        "RPAD(string1, integer, string2) -> STRING right-padded to integer characters",
    ),
    scalar("REPEAT", (STRING, INTEGER), S, "REPEAT(string, integer) -> STRING repeated"),
    scalar("REVERSE", (STRING,), S, "REVERSE(string) -> STRING reversed"),
    scalar(
        "SPLIT_INDEX",
        (STRING, STRING, INTEGER),
        S,
        "SPLIT_INDEX(string1, string2, integer) -> STRING: the integer-th (0-based) field of "
        "string1 split by string2; NULL if out of range",
        nulls="always",
    ),
    scalar(
        "SPLIT",
        (STRING, STRING),
        t.array(t.string()),
        "SPLIT(string, delimiter) -> ARRAY<STRING>",
    ),
    scalar(
        "REGEXP",
        (STRING, STRING),
        t.boolean(),
        "REGEXP(string1, string2) -> BOOLEAN: string1 contains a match of regex string2",
    ),
    scalar(
        "REGEXP_REPLACE",
        (STRING, STRING, STRING),
        S,
        "REGEXP_REPLACE(string1, string2, string3) -> STRING: matches of regex string2 by string3",
    ),
    scalar(
        "REGEXP_EXTRACT",
        (STRING, STRING, INTEGER),
        S,
        "REGEXP_EXTRACT(string1, string2[, integer]) -> STRING: group integer of regex string2; "
        "NULL when nothing matches",
        optional=1,
        nulls="always",
    ),
    scalar(
        "REGEXP_COUNT",
        (STRING, STRING),
        t.int_(),
        "REGEXP_COUNT(str, regex) -> INT: number of matches",
    ),
    scalar(
        "REGEXP_EXTRACT_ALL",
        (STRING, STRING, INTEGER),
        t.array(t.string()),
        "REGEXP_EXTRACT_ALL(str, regex[, extractIndex]) -> ARRAY<STRING>",
        optional=1,
    ),
    scalar("TO_BASE64", (STRING_OR_BINARY,), S, "TO_BASE64(string) -> STRING base64-encoded"),
    scalar("FROM_BASE64", (STRING,), S, "FROM_BASE64(string) -> STRING base64-decoded"),
    scalar("MD5", (STRING,), t.char(32), "MD5(string) -> STRING: MD5 hash, 32 hex digits"),
    scalar("SHA1", (STRING,), t.char(40), "SHA1(string) -> STRING: SHA-1 hash, 40 hex digits"),
    scalar(
        "SHA256", (STRING,), t.char(64), "SHA256(string) -> STRING: SHA-256 hash, 64 hex digits"
    ),
    scalar(
        "SHA2",
        (STRING, INTEGER),
        S,
        "SHA2(string, hashLength) -> STRING: SHA-2 hash (224, 256, 384 or 512 bits)",
    ),
    scalar(
        "UUID",
        (),
        t.char(36),
        "UUID() -> STRING: a random RFC 4122 type 4 UUID",
        nulls="never",
        deterministic=False,
    ),
    scalar("ASCII", (STRING,), t.int_(), "ASCII(string) -> INT: code of the first character"),
    scalar("CHR", (INTEGER,), t.char(1), "CHR(integer) -> STRING: the ASCII character"),
    scalar("LEFT", (STRING, INTEGER), S, "LEFT(string, integer) -> STRING: leftmost characters"),
    scalar("RIGHT", (STRING, INTEGER), S, "RIGHT(string, integer) -> STRING: rightmost characters"),
    scalar(
        "OVERLAY",
        (STRING, STRING, INTEGER, INTEGER),
        S,
        "OVERLAY(string1 PLACING string2 FROM integer1 [FOR integer2]) -> STRING",
        optional=1,
    ),
    scalar(
        "STR_TO_MAP",
        (STRING, STRING, STRING),
        t.map_(t.string(), t.string()),
        "STR_TO_MAP(text[, listDelimiter[, keyValueDelimiter]]) -> MAP<STRING, STRING>",
        optional=2,
    ),
    scalar(
        "PARSE_URL",
        (STRING, STRING, STRING),
        S,
        "PARSE_URL(string1, string2[, string3]) -> STRING: a URL part; NULL if absent",
        optional=1,
        nulls="always",
    ),
    scalar(
        "STARTSWITH",
        (STRING, STRING),
        t.boolean(),
        "STARTSWITH(expr, startExpr) -> BOOLEAN; TRUE for an empty startExpr",
    ),
    scalar(
        "ENDSWITH",
        (STRING, STRING),
        t.boolean(),
        "ENDSWITH(expr, endExpr) -> BOOLEAN; TRUE for an empty endExpr",
    ),
    scalar("BTRIM", (STRING, STRING), S, "BTRIM(str[, trimStr]) -> STRING", optional=1),
    scalar(
        "REGEXP_SUBSTR",
        (STRING, STRING),
        S,
        "REGEXP_SUBSTR(str, regex) -> STRING: the first match; NULL when none",
        nulls="always",
    ),
    scalar(
        "REGEXP_INSTR",
        (STRING, STRING),
        t.int_(),
        "REGEXP_INSTR(str, regex) -> INT: 1-based position of the first match, 0 when none",
    ),
    scalar(
        "JSON_QUOTE",
        (STRING,),
        S,
        "JSON_QUOTE(string) -> STRING: the string as a JSON string literal",
    ),
    scalar(
        "JSON_UNQUOTE",
        (STRING,),
        S,
        "JSON_UNQUOTE(string) -> STRING: a JSON string literal's value; anything else unchanged",
    ),
    scalar("IS_ALPHA", (STRING,), t.boolean(), "IS_ALPHA(string) -> BOOLEAN", nulls="never"),
    scalar("IS_DIGIT", (STRING,), t.boolean(), "IS_DIGIT(string) -> BOOLEAN", nulls="never"),
    scalar("IS_DECIMAL", (STRING,), t.boolean(), "IS_DECIMAL(string) -> BOOLEAN", nulls="never"),
    scalar(
        "ENCODE",
        (STRING, STRING),
        t.bytes_(),
        "ENCODE(string1, string2) -> BYTES: string1 in charset string2",
    ),
    scalar(
        "DECODE",
        (STRING_OR_BINARY, STRING),
        S,
        "DECODE(binary, string) -> STRING: binary decoded with charset string",
    ),
    scalar("HEX", (NUMERIC_OR_STRING,), S, "HEX(numeric or string) -> STRING hexadecimal"),
    scalar(
        "URL_DECODE",
        (STRING,),
        S,
        "URL_DECODE(string) -> STRING: application/x-www-form-urlencoded",
    ),
    scalar("URL_ENCODE", (STRING,), S, "URL_ENCODE(string) -> STRING"),
    scalar("PRINTF", (STRING,), S, "PRINTF(format, obj...) -> STRING", varargs=ANY),
    scalar(
        "ELT",
        (INTEGER, STRING),
        S,
        "ELT(index, expr[, exprs]*) -> STRING: the index-th expression",
        varargs=STRING,
        nulls="always",
    ),
    scalar(
        "TRANSLATE",
        (STRING, STRING, STRING),
        S,
        "TRANSLATE(expr, fromStr, toStr) -> STRING",
    ),
)
