"""Flink's named built-in functions -> DuckDB, with Flink's semantics.

Each handler gets the Call (for types and literal arguments) and its already-lowered arguments.
Functions missing here are refused with an UnsupportedError naming the function.
"""

from __future__ import annotations

import functools
import json
import re
import zoneinfo
from collections.abc import Callable
from types import MappingProxyType

from sqlglot import exp

from nrtg.catalog.types import INTEGER_KINDS, Kind, SqlType
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.plan.expr import Call, Expr, Literal

from .duckdb_context import LowerContext, cast, fn
from .duckdb_types import data_type, java_to_strftime

Args = list[exp.Expression]
Handler = Callable[[Call, Args, LowerContext], exp.Expression]

# Flink name -> DuckDB function with the same arguments and semantics.
RENAMES: MappingProxyType[str, str] = MappingProxyType(
    {
        "UPPER": "upper",
        "LOWER": "lower",
        "CHAR_LENGTH": "length",  # code points, as Flink (CHAR_LENGTH('🚀 Rocket') = 8)
        "CHARACTER_LENGTH": "length",
        "ABS": "abs",
        "SQRT": "sqrt",
        "LN": "ln",
        "LOG10": "log10",
        "LOG2": "log2",
        "EXP": "exp",
        "POWER": "pow",
        "POW": "pow",
        "SIGN": "sign",
        "SIN": "sin",
        "COS": "cos",
        "TAN": "tan",
        "COT": "cot",
        "ASIN": "asin",
        "ACOS": "acos",
        "ATAN": "atan",
        "ATAN2": "atan2",
        "SINH": "sinh",
        "COSH": "cosh",
        "TANH": "tanh",
        "DEGREES": "degrees",
        "RADIANS": "radians",
        "PI": "pi",
        "LTRIM": "ltrim",
        "RTRIM": "rtrim",
        "TRIM": "trim",
        "REPLACE": "replace",
        "REVERSE": "reverse",
        "REPEAT": "repeat",
        "LPAD": "lpad",
        "RPAD": "rpad",
        "ASCII": "ascii",
        "CHR": "chr",
        "TRANSLATE": "translate",
        "INSTR": "instr",
        "MD5": "md5",
        "SHA1": "sha1",
        "SHA256": "sha256",
        "HEX": "hex",
        "BIN": "bin",
        "COALESCE": "coalesce",
        "IFNULL": "coalesce",
        "NULLIF": "nullif",
        "CONCAT_WS": "concat_ws",  # skips NULL arguments, NULL separator -> NULL: as Flink
        "YEAR": "year",
        "QUARTER": "quarter",
        "MONTH": "month",
        "WEEK": "week",
        "DAYOFYEAR": "dayofyear",
        "DAYOFMONTH": "dayofmonth",
        "HOUR": "hour",
        "MINUTE": "minute",
        "SECOND": "second",
        "RAND": "random",
        "REGEXP": "regexp_matches",  # Flink REGEXP: some substring matches (find), as DuckDB
        "SPLIT": "string_split",
        "ARRAY_CONTAINS": "list_contains",
        "ARRAY_MAX": "list_max",
        "ARRAY_MIN": "list_min",
        "ARRAY_REVERSE": "list_reverse",
        "ARRAY_CONCAT": "list_concat",
        "MAP_KEYS": "map_keys",
        "MAP_VALUES": "map_values",
        "MAP_ENTRIES": "map_entries",
        "MAP_FROM_ARRAYS": "map",
    }
)

# Clock readings: DuckDB keywords (rendered bare) or functions.
_NOW = MappingProxyType(
    {
        "PROCTIME": "CURRENT_TIMESTAMP",
        "NOW": "CURRENT_TIMESTAMP",
        "CURRENT_TIMESTAMP": "CURRENT_TIMESTAMP",
        "CURRENT_ROW_TIMESTAMP": "CURRENT_TIMESTAMP",
        "CURRENT_DATE": "CURRENT_DATE",
        "LOCALTIMESTAMP": "current_localtimestamp",
    }
)

_EXTRACT_UNITS = MappingProxyType(
    {
        "YEAR": "year",
        "QUARTER": "quarter",
        "MONTH": "month",
        "WEEK": "week",
        "DAY": "day",
        "DOY": "doy",
        "HOUR": "hour",
        "MINUTE": "minute",
        "SECOND": "second",
        "MILLISECOND": "millisecond",
        "MICROSECOND": "microsecond",
        "EPOCH": "epoch",
        "DECADE": "decade",
        "CENTURY": "century",
        "MILLENNIUM": "millennium",
        "ISODOW": "isodow",
        "ISOYEAR": "isoyear",
    }
)


def lower_function(e: Call, args: Args, ctx: LowerContext) -> exp.Expression | None:
    """The lowering of a named function, or None when it is not a known function."""
    handler = _HANDLERS.get(e.name)
    if handler is not None:
        return handler(e, args, ctx)
    if e.name in RENAMES:
        return fn(RENAMES[e.name], *args)
    if e.name in _NOW:
        target = _NOW[e.name]
        return exp.Var(this=target) if target.isupper() else fn(target)
    return None


def literal_str(e: Expr, what: str) -> str:
    if isinstance(e, Literal) and isinstance(e.value, str):
        return e.value
    raise UnsupportedError(f"the batch target needs {what} to be a string literal")


def _num(v: int) -> exp.Expression:
    return exp.Literal.number(v)


def _string(v: str) -> exp.Expression:
    return exp.Literal.string(v)


# -- strings ----------------------------------------------------------------------------------
def _substring(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    if len(args) == 2:
        args = [*args, _num(2147483647)]
    return ctx.macro("nrtg_substring", *args)


def _split_index(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return ctx.macro("nrtg_split_index", *args)


def _regexp_extract(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    if len(args) == 2:
        # Flink's default extract index is 0, the whole match (SqlFunctionUtils.regexpExtract).
        args = [*args, _num(0)]
    elif not isinstance(e.args[2], Literal):
        raise UnsupportedError("REGEXP_EXTRACT needs a literal group index in the batch target")
    return ctx.macro("nrtg_regexp_extract", *args)


def _regexp_extract_all(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink's REGEXP_EXTRACT_ALL defaults to group 1 (RegexpExtractAllFunction.eval).
    if len(args) == 2:
        args = [*args, _num(1)]
    return fn("regexp_extract_all", *args)


def _regexp_count(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return cast(fn("len", fn("regexp_extract_all", args[0], args[1])), e.type)


def _java_replacement(rep: str) -> str:
    """Java's `$1` group references -> RE2's `\\1`; `\\x` escapes stay literal."""
    out: list[str] = []
    i = 0
    while i < len(rep):
        c = rep[i]
        if c == "\\" and i + 1 < len(rep):
            out.append("\\\\" if rep[i + 1] == "\\" else rep[i + 1])
            i += 2
        elif c == "$" and i + 1 < len(rep) and rep[i + 1].isdigit():
            out.append("\\" + rep[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _regexp_replace(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    rep = _java_replacement(literal_str(e.args[2], "the REGEXP_REPLACE replacement"))
    return fn("regexp_replace", args[0], args[1], _string(rep), _string("g"))


def _position(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # POSITION(needle IN haystack), LOCATE(needle, haystack): code points, 0 when absent.
    if len(args) == 2:
        return fn("instr", args[1], args[0])
    # LOCATE(needle, haystack, from): the first occurrence at or after position `from`
    # (1-based); 0 when absent or when `from` is below 1
    needle, haystack, start = args
    found = fn("instr", fn("substring", haystack, start), needle)
    position = exp.Add(this=found.copy(), expression=exp.Sub(this=start.copy(), expression=_num(1)))
    missing = exp.Or(
        this=exp.LT(this=start.copy(), expression=_num(1)),
        expression=exp.EQ(this=found, expression=_num(0)),
    )
    return cast(exp.Case(ifs=[exp.If(this=missing, true=_num(0))], default=position), e.type)


def _left_right(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink: a negative length gives ''; DuckDB's left/right count from the other end.
    s, length = args
    body = fn(e.name.lower(), s, length)
    negative = exp.LT(this=length.copy(), expression=_num(0))
    return exp.Case(ifs=[exp.If(this=negative, true=_string(""))], default=body)


def _overlay(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # OVERLAY(s PLACING r FROM p [FOR l]): l defaults to the length of r.
    s, r, p = args[:3]
    length = args[3] if len(args) > 3 else fn("length", r.copy())
    head = fn("substring", s, _num(1), exp.Sub(this=p, expression=_num(1)))
    tail = fn("substring", s.copy(), exp.Add(this=p.copy(), expression=length))
    return exp.DPipe(
        this=exp.DPipe(this=head, expression=r, safe=False), expression=tail, safe=False
    )


def _base64(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    if e.name == "TO_BASE64":
        return fn("to_base64", fn("encode", args[0]))
    return fn("decode", fn("from_base64", args[0]))


def _sha2(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    bits = e.args[1]
    if isinstance(bits, Literal) and bits.value == 256:
        return fn("sha256", args[0])
    raise UnsupportedError("SHA2 supports only 256 bits in the batch target")


def _greatest_least(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    name = "nrtg_greatest2" if e.name == "GREATEST" else "nrtg_least2"
    out = args[0]
    for a in args[1:]:
        out = ctx.macro(name, out, a)
    return out


def _elt(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # ELT(n, e1, ...): the n-th expression, NULL when n is out of range.
    return fn("list_extract", exp.Array(expressions=args[1:]), args[0])


def _is_alpha_digit(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink IS_ALPHA / IS_DIGIT (SqlFunctionUtils): commons-lang isAlpha / isNumeric (every
    # character a Unicode letter / decimal digit); FALSE for '' and NULL.
    pattern = r"\p{L}+" if e.name == "IS_ALPHA" else r"\p{Nd}+"
    return fn("coalesce", fn("regexp_full_match", args[0], _string(pattern)), exp.false())


def _is_decimal(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return ctx.macro("nrtg_is_decimal", args[0])


def _initcap(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return ctx.macro("nrtg_initcap", args[0])


def _url_encode(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Java's URLEncoder (UTF-8): a space is '+', '*' is kept, '~' is escaped; DuckDB's
    # url_encode (RFC 3986) does the opposite for these three.
    out = fn("url_encode", args[0])
    for old, new in (("%20", "+"), ("%2A", "*"), ("~", "%7E")):
        out = fn("replace", out, _string(old), _string(new))
    return out


def _url_decode(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Java's URLDecoder: '+' is a space; a '%' without two hex digits is an error (Flink:
    # NULL), and so are bytes that are no UTF-8 (DuckDB raises: try gives NULL).
    s = args[0]
    bad = fn(
        "regexp_matches",
        s,
        _string("%([^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|[0-9A-Fa-f]?$)"),
    )
    decoded = fn("try", fn("url_decode", fn("replace", s.copy(), _string("+"), _string(" "))))
    return exp.Case(ifs=[exp.If(this=bad, true=exp.Null())], default=decoded)


def _charset(e: Call, what: str) -> None:
    charset = literal_str(e.args[1], f"the {what} charset").upper().replace("_", "-")
    if charset not in ("UTF-8", "UTF8"):
        raise UnsupportedError(f"{what} supports only the UTF-8 charset on both targets", e.span)


def _encode(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    _charset(e, "ENCODE")
    return fn("encode", args[0])


def _decode(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    _charset(e, "DECODE")
    if e.args[0].type.is_string:  # Flink reads a string argument as its UTF-8 bytes
        return args[0]
    return fn("try", fn("decode", args[0]))


def _unhex(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink UNHEX: NULL for a non-hex character; an odd length gets a leading 0 nibble.
    s = args[0]
    hexes = fn("regexp_full_match", s, _string("[0-9A-Fa-f]*"))
    odd = exp.EQ(this=exp.Mod(this=fn("length", s.copy()), expression=_num(2)), expression=_num(1))
    even = exp.Case(
        ifs=[exp.If(this=odd, true=exp.DPipe(this=_string("0"), expression=s.copy(), safe=False))],
        default=s.copy(),
    )
    return exp.Case(ifs=[exp.If(this=hexes, true=fn("unhex", even))])


def _typeof(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # The argument's type is known when compiling: Flink's summary string, or its serializable
    # form when the second argument is TRUE.
    serializable = len(e.args) == 2 and isinstance(e.args[1], Literal) and e.args[1].value is True
    if len(e.args) == 2 and not isinstance(e.args[1], Literal):
        raise UnsupportedError("TYPEOF needs a literal force_serializable argument", e.span)
    ty = e.args[0].type
    return _string(ty.serializable() if serializable else str(ty))


def _array_remove(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink removes the elements equal to the needle (NULL elements for a NULL needle).
    x = exp.to_identifier("x")
    keep = exp.NullSafeNEQ(this=exp.column("x"), expression=args[1])
    return fn("list_filter", args[0], exp.Lambda(this=keep, expressions=[x]))


def _regexp_substr(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return ctx.macro("nrtg_regexp_extract", *args, _num(0))


def _regexp_instr(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # The text before the first match is what remains when the match and everything after it
    # are removed (RE2 finds the same leftmost match of `(regex)[\s\S]*` as of regex).
    s, regex = args
    rest = exp.DPipe(
        this=exp.DPipe(this=_string("("), expression=regex, safe=False),
        expression=_string(r")[\s\S]*"),
        safe=False,
    )
    before = fn("length", fn("regexp_replace", s, rest, _string("")))
    found = fn("regexp_matches", s.copy(), regex.copy())
    position = exp.Add(this=before, expression=_num(1))
    first = exp.Case(ifs=[exp.If(this=found, true=position)], default=_num(0))
    return cast(_null_guarded(args, first), e.type)


# Flink JSON_QUOTE: '"' and '\' escaped, and '/', backspace, form feed, newline, carriage
# return and tab written \/, \b, \f, \n, \r, \t; the backslash first.
_JSON_ESCAPES = (
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("/", "\\/"),
    ("\b", "\\b"),
    ("\f", "\\f"),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
)


def _json_quote(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    out = args[0]
    for old, new in _JSON_ESCAPES:
        out = fn("replace", out, _string(old), _string(new))
    quote = _string('"')
    return exp.DPipe(
        this=exp.DPipe(this=quote, expression=out, safe=False), expression=quote.copy(), safe=False
    )


def _json_unquote(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # A valid JSON string literal (quotes at both ends) gives its value; anything else as is.
    s = args[0]
    quoted = exp.And(
        this=exp.Like(this=s, expression=_string('"%"')),
        expression=exp.GTE(this=fn("length", s.copy()), expression=_num(2)),
    )
    literal = exp.And(
        this=exp.And(this=quoted, expression=fn("json_valid", s.copy())),
        expression=_is(fn("json_type", s.copy()), "VARCHAR"),
    )
    value = fn("json_extract_string", s.copy(), _string("$"))
    return exp.Case(ifs=[exp.If(this=literal, true=value)], default=s.copy())


def _starts_ends(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return fn("starts_with" if e.name == "STARTSWITH" else "ends_with", *args)


def _btrim(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return fn("trim", *args)


def _null_guarded(args: Args, body: exp.Expression) -> exp.Expression:
    """NULL when any argument is NULL (DuckDB's list functions read a NULL list as empty)."""
    absent: exp.Expression | None = None
    for a in args:
        test = exp.Is(this=a.copy(), expression=exp.Null())
        absent = test if absent is None else exp.Or(this=absent, expression=test)
    assert absent is not None
    return exp.Case(ifs=[exp.If(this=absent, true=exp.Null())], default=body)


def _array_append(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    arr, value = args
    if e.name == "ARRAY_APPEND":
        body = fn("list_append", arr, value)
    else:
        body = fn("list_prepend", value, arr)
    return _null_guarded([arr], body)


def _array_sort(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink: ascending with NULLs first by default; descending puts NULLs last; null_first
    # decides on its own when given. DuckDB's list_sort takes both as constants.
    flags: list[bool | None] = []
    for flag in e.args[1:]:
        if not isinstance(flag, Literal):
            raise UnsupportedError("ARRAY_SORT needs literal sort flags on both targets", e.span)
        flags.append(flag.value if isinstance(flag.value, bool) else None)
    if None in flags:
        return cast(exp.Null(), e.type)  # a NULL flag gives NULL
    ascending = flags[0] if flags else True
    nulls_first = flags[1] if len(flags) > 1 else ascending
    order = _string("ASC" if ascending else "DESC")
    nulls = _string("NULLS FIRST" if nulls_first else "NULLS LAST")
    return fn("list_sort", args[0], order, nulls)


def _distinct_in_order(arr: exp.Expression) -> exp.Expression:
    """The first occurrence of each element, NULL included, in order (DuckDB's list_distinct
    drops NULL and does not keep the order)."""
    x, i = exp.to_identifier("x"), exp.to_identifier("i")
    position = fn("list_position", arr.copy(), exp.column("x"))
    first = exp.EQ(this=position, expression=exp.column("i"))
    return fn("list_filter", arr, exp.Lambda(this=first, expressions=[x, i]))


def _array_distinct(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return _distinct_in_order(args[0])


def _array_set(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink: without duplicates, in the order of the first array (then the second's, UNION)
    a, b = args
    if e.name == "ARRAY_UNION":
        return _null_guarded(args, _distinct_in_order(fn("list_concat", a, b)))
    x = exp.to_identifier("x")
    absent = exp.Is(this=fn("list_position", b, exp.column("x")), expression=exp.Null())
    keep = absent if e.name == "ARRAY_EXCEPT" else exp.Not(this=absent)
    kept = fn("list_filter", a, exp.Lambda(this=keep, expressions=[x]))
    return _null_guarded(args, _distinct_in_order(kept))


def _map_union(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # DuckDB's map_concat keeps the last map's value for a shared key, as Flink
    return _null_guarded(args, fn("map_concat", *args))


# -- JSON construction: JSON_OBJECT, JSON_ARRAY, JSON_STRING ----------------------------------
# The text is assembled with concat_ws, which skips NULL parts: an ABSENT ON NULL entry is a
# NULL part. A value that is itself a JSON_OBJECT / JSON_ARRAY goes in as JSON, not as a string.
_JSON_BUILT = frozenset({"JSON_OBJECT", "JSON_ARRAY"})


def _json_text(value: Expr, lowered: exp.Expression, ctx: LowerContext) -> exp.Expression:
    """A non-NULL value as JSON text, as Flink's Jackson writes it: a DECIMAL with its scale
    (DuckDB's to_json drops trailing zeros), a DOUBLE in Java's notation."""
    if isinstance(value, Call) and value.name in _JSON_BUILT:
        return lowered
    kind = value.type.kind
    if kind is Kind.DECIMAL:
        return exp.Cast(this=lowered, to=data_type("VARCHAR"))
    if kind in (Kind.FLOAT, Kind.DOUBLE):
        return ctx.macro("nrtg_double_to_string", lowered)
    return exp.Cast(this=fn("to_json", lowered), to=data_type("VARCHAR"))


def _json_entry(
    value: Expr, lowered: exp.Expression, prefix: str, absent: bool, ctx: LowerContext
) -> exp.Expression:
    """`prefix` and the value's JSON; for a NULL value `prefix` and null, or nothing (ABSENT)."""
    text = _json_text(value, lowered, ctx)
    if prefix:
        text = exp.DPipe(this=_string(prefix), expression=text, safe=False)
    missing = exp.Null() if absent else _string(prefix + "null")
    is_null = exp.Is(this=lowered.copy(), expression=exp.Null())
    return exp.Case(ifs=[exp.If(this=is_null, true=missing)], default=text)


def _json_built(e: Call, entries: list[exp.Expression], open_: str, close: str) -> exp.Expression:
    if not entries:
        return _string(open_ + close)
    body = fn("concat_ws", _string(","), *entries)
    inner = exp.DPipe(this=_string(open_), expression=body, safe=False)
    return exp.DPipe(this=inner, expression=_string(close), safe=False)


def _json_object(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    absent = _mode(e, len(e.args) - 1) == "ABSENT"
    entries = []
    for i in range(0, len(e.args) - 1, 2):
        key = e.args[i]
        assert isinstance(key, Literal) and isinstance(key.value, str)
        prefix = json.dumps(key.value, ensure_ascii=False) + ":"
        entries.append(_json_entry(e.args[i + 1], args[i + 1], prefix, absent, ctx))
    return _json_built(e, entries, "{", "}")


def _json_array(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    absent = _mode(e, len(e.args) - 1) == "ABSENT"
    entries = [_json_entry(v, a, "", absent, ctx) for v, a in zip(e.args[:-1], args, strict=False)]
    return _json_built(e, entries, "[", "]")


def _json_string(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    value = _json_text(e.args[0], args[0], ctx)
    return exp.Case(
        ifs=[exp.If(this=exp.Is(this=args[0].copy(), expression=exp.Null()), true=exp.Null())],
        default=value,
    )


_JSON_KINDS = MappingProxyType({"ARRAY": "ARRAY", "OBJECT": "OBJECT"})


def _is_json(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # `s IS JSON [VALUE | SCALAR | ARRAY | OBJECT]`: FALSE for NULL and for what does not parse
    kind = _mode(e, 1)
    valid = fn("coalesce", fn("json_valid", args[0]), exp.false())
    if kind == "VALUE":
        return valid
    json_kind = fn("json_type", args[0].copy())
    if kind == "SCALAR":
        test: exp.Expression = exp.Not(this=_is(json_kind, "OBJECT", "ARRAY"))
    else:
        test = _is(json_kind, _JSON_KINDS[kind])
    return exp.Case(ifs=[exp.If(this=valid, true=test)], default=exp.false())


# Flink PARSE_URL (SqlFunctionUtils.parseUrl) reads the string with java.net.URL: a known
# protocol, then [//authority] path [?query] [#ref]; NULL when it does not parse.
_URL = r"^([a-zA-Z][a-zA-Z0-9+.-]*):(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?$"
_URL_PROTOCOLS = ("http", "https", "ftp", "file", "jar", "mailto")
# part -> the group of _URL it is, or a rule over the authority (group 3)
_URL_GROUPS = MappingProxyType({"PROTOCOL": 1, "AUTHORITY": 3, "PATH": 4, "QUERY": 6, "REF": 8})
# whether the part is NULL (rather than '') when its delimiter is absent: the group that
# holds the delimiter
_URL_PRESENT = MappingProxyType({"AUTHORITY": 2, "QUERY": 5, "REF": 7})


def _str_to_map(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # delimiters: ',' between pairs and '=' within one by default (regular expressions)
    defaults = (_string(","), _string("="))
    return ctx.macro("nrtg_str_to_map", args[0], *args[1:], *defaults[len(args) - 1 :])


def _parse_url(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    url = args[0]
    part = literal_str(e.args[1], "the PARSE_URL part").upper()

    def group(n: int) -> exp.Expression:
        return fn("regexp_extract", url.copy(), _string(_URL), _num(n))

    def present(n: int, value: exp.Expression) -> exp.Expression:
        absent = exp.EQ(this=group(n), expression=_string(""))
        return exp.Case(ifs=[exp.If(this=absent, true=exp.Null())], default=value)

    authority = group(3)
    if part == "PROTOCOL":
        value: exp.Expression = fn("lower", group(1))
    elif part in _URL_GROUPS:
        value = group(_URL_GROUPS[part])
    elif part == "FILE":  # the path and ?query
        value = exp.DPipe(this=group(4), expression=group(5), safe=False)
    elif part == "USERINFO":
        info = fn("regexp_extract", authority, _string("^([^@]*)@"), _num(1))
        has_info = fn("contains", authority.copy(), _string("@"))
        value = exp.Case(ifs=[exp.If(this=has_info, true=info)])
    elif part == "HOST":  # the authority without user info and port ([v6] kept)
        host = r"^(?:[^@]*@)?(\[[^\]]*\]|[^:]*)"
        value = fn("regexp_extract", authority, _string(host), _num(1))
    else:
        return cast(exp.Null(), e.type)  # Flink: NULL for any other part
    if part in _URL_PRESENT:
        value = present(_URL_PRESENT[part], value)
    if len(args) == 3:
        if part != "QUERY":
            return cast(exp.Null(), e.type)
        # the key's value in the query: Pattern.quote(key), as \Q...\E for RE2
        pattern = exp.DPipe(
            this=exp.DPipe(this=_string(r"(&|^)\Q"), expression=args[2], safe=False),
            expression=_string(r"\E=([^&]*)"),
            safe=False,
        )
        query = value
        found = fn("regexp_matches", query, pattern)
        value = exp.Case(
            ifs=[
                exp.If(this=found, true=fn("regexp_extract", query.copy(), pattern.copy(), _num(2)))
            ]
        )
    known = _is(fn("lower", group(1)), *_URL_PROTOCOLS)
    parses = exp.And(this=fn("regexp_full_match", url.copy(), _string(_URL)), expression=known)
    return exp.Case(ifs=[exp.If(this=parses, true=value)])


# Flink PRINTF: java.util.Formatter (Locale.US). A literal format with the conversions DuckDB's
# printf writes the same way: %s/%S, %d, %o, %x/%X, %f, %e/%E with the flags - + space 0, a
# width and a precision; %% and %n. A NULL argument is written "null"; a missing one makes
# the format invalid (Flink: NULL).
_JAVA_SPEC = re.compile(r"%[^a-zA-Z%]*(?:[tT][a-zA-Z]|[a-zA-Z%])")  # %tY: a date conversion
_JAVA_SPEC_PARTS = re.compile(
    r"%(?P<flags>[-+ 0]*)(?P<width>\d*)(?P<precision>\.\d+)?(?P<conv>[sSdoxXfeE%n])"
)


def _java_string(value: Expr, lowered: exp.Expression, ctx: LowerContext) -> exp.Expression:
    """String.valueOf of an argument: 'null', 'true'/'false', a double in Java's notation."""
    if value.type.kind in (Kind.FLOAT, Kind.DOUBLE):
        text = ctx.macro("nrtg_double_to_string", lowered)
    else:
        text = exp.Cast(this=lowered, to=data_type("VARCHAR"))  # DuckDB's: 'true', '1.50'
    return fn("coalesce", text, _string("null"))


def _printf(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    fmt = literal_str(e.args[0], "the PRINTF format")
    pieces: list[exp.Expression] = []
    at, used = 0, 1
    for found in _JAVA_SPEC.finditer(fmt):
        pieces.append(_string(fmt[at : found.start()]))
        at = found.end()
        spec = _JAVA_SPEC_PARTS.fullmatch(found.group())
        if spec is None:
            raise UnsupportedError(
                f"PRINTF conversion {found.group()} is not supported on both targets",
                e.span,
                hint="%s, %d, %o, %x, %f, %e with flags - + space 0, width, precision; %%, %n",
            )
        conv = spec["conv"]
        if conv in "%n":
            pieces.append(_string("%" if conv == "%" else "\n"))
            continue
        if used >= len(args):
            return cast(exp.Null(), e.type)  # MissingFormatArgumentException: NULL
        value, lowered = e.args[used], args[used]
        used += 1
        head = f"%{spec['flags']}{spec['width']}{spec['precision'] or ''}"
        if conv in "sS":
            text = fn("printf", _string(head + "s"), _java_string(value, lowered, ctx))
            pieces.append(fn("upper", text) if conv == "S" else text)
            continue
        integral = conv in "doxX"
        if not (value.type.is_integer if integral else value.type.is_numeric):
            what = "an integer" if integral else "a number"
            raise UnsupportedError(f"PRINTF {found.group()} needs {what} argument", e.span)
        number = lowered if integral else exp.Cast(this=lowered, to=data_type("DOUBLE"))
        null_text = fn(
            "printf", _string(f"%{spec['flags'].replace('0', '')}{spec['width']}s"), _string("null")
        )
        pieces.append(fn("coalesce", fn("printf", _string(head + conv), number), null_text))
    pieces.append(_string(fmt[at:]))
    out = pieces[0]
    for piece in pieces[1:]:
        out = exp.DPipe(this=out, expression=piece, safe=False)
    return out


# -- SQL/JSON (compiler/bind/functions_json.py has the call layout) ----------------------------
# Calcite's semantics, which Flink's are (SqlJsonUtils): NULL input gives NULL; a document that
# does not parse is an error; in lax mode (the default) a missing value, JSON null and, for
# JSON_VALUE, an object or array are "empty", in strict mode a missing value and a value of the
# wrong kind are errors. The ON EMPTY / ON ERROR clauses decide what an empty result or an
# error gives. DuckDB's json functions raise on a malformed document, so json_valid guards them.
_JSON_MODE = re.compile(r"^\s*(lax|strict)\s+", re.IGNORECASE)
# Flink's `['name']` / `["name"]` member steps; DuckDB reads `."name"`.
_JSON_BRACKET_NAME = re.compile(r"""\.?\[\s*(?:'([^']*)'|"([^"]*)")\s*\]""")


def _json_path(
    e: Call, path: exp.Expression
) -> tuple[exp.Expression, exp.Expression | None, bool, bool]:
    """(DuckDB path, the path when it may be NULL, strict, wildcard) of a call's path: a
    literal's mode prefix and member brackets are rewritten; a path computed per row is read in
    lax mode (its `lax ` dropped)."""
    arg = e.args[1]
    if not (isinstance(arg, Literal) and isinstance(arg.value, str)):
        stripped = fn("regexp_replace", path, _string(r"^\s*lax\s+"), _string(""))
        return stripped, path, False, False
    text = arg.value
    mode = _JSON_MODE.match(text)
    if mode is not None:
        text = text[mode.end() :]
    text = _JSON_BRACKET_NAME.sub(
        lambda m: '."' + (m.group(1) if m.group(1) is not None else m.group(2)) + '"', text
    )
    strict = mode is not None and mode.group(1).lower() == "strict"
    return _string(text), None, strict, "*" in text


def _json_at(doc: exp.Expression, path: exp.Expression, wildcard: bool) -> exp.Expression:
    """The JSON value at `path` (NULL when missing); a wildcard path's matches as one array."""
    found = fn("json_extract", doc.copy(), path.copy())
    return fn("to_json", found) if wildcard else found


def _is(e: exp.Expression, *values: str) -> exp.Expression:
    if len(values) == 1:
        return exp.EQ(this=e, expression=_string(values[0]))
    return exp.In(this=e, expressions=[_string(v) for v in values])


def _json_guarded(
    doc: exp.Expression,
    path: exp.Expression | None,
    cases: list[tuple[exp.Expression, exp.Expression]],
    on_invalid: exp.Expression,
    default: exp.Expression | None,
) -> exp.Expression:
    """CASE: NULL for a NULL document or path (None: a literal), `on_invalid` for a malformed
    document, then `cases` (which may call DuckDB's json functions on the document)."""
    guarded = _absent_or(doc, path, exp.Null())
    invalid = exp.Not(this=fn("json_valid", doc.copy()))
    ifs = [*guarded.args["ifs"], exp.If(this=invalid, true=on_invalid)]
    ifs += [exp.If(this=c, true=v) for c, v in cases]
    return exp.Case(ifs=ifs, default=default)


def _absent_or(
    doc: exp.Expression, path: exp.Expression | None, value: exp.Expression
) -> exp.Expression:
    """NULL for a NULL document or path (None: a literal), else `value`."""
    absent: exp.Expression = exp.Is(this=doc.copy(), expression=exp.Null())
    if path is not None:
        absent = exp.Or(this=absent, expression=exp.Is(this=path.copy(), expression=exp.Null()))
    return exp.Case(ifs=[exp.If(this=absent, true=exp.Null())], default=value)


def _json_error(name: str, what: str) -> exp.Expression:
    return fn("error", _string(f"{name}: {what}"))


# JSON_VALUE's conversions of a scalar's JSON text (DuckDB's json_value gives it, NULL for a
# missing value, JSON null, an object or an array): the text of a JSON number, boolean or
# string that the RETURNING kind converts from, so that the scalar is read once.
_JSON_NUMBER = r"^(-?[0-9][0-9.eE+-]*)$"
_JSON_SCALAR_TEXT: MappingProxyType[Kind, str] = MappingProxyType(
    {
        Kind.BOOLEAN: "^(true|false)$",
        **{k: "^(-?[0-9]+)$" for k in INTEGER_KINDS},
        Kind.FLOAT: _JSON_NUMBER,
        Kind.DOUBLE: _JSON_NUMBER,
        Kind.DECIMAL: _JSON_NUMBER,
    }
)


def _json_scalar(scalar: exp.Expression, rtype: SqlType) -> exp.Expression:
    """The RETURNING value of a scalar's JSON text; NULL when it does not convert."""
    pattern = _JSON_SCALAR_TEXT.get(rtype.kind)
    if pattern is not None:
        text = fn(
            "regexp_extract",
            exp.Cast(this=scalar, to=data_type("VARCHAR")),
            _string(pattern),
            _num(1),
        )
        return cast(text, rtype, safe=True)
    value = fn("json_extract_string", scalar, _string("$"))
    return value if rtype.is_string else cast(value, rtype, safe=True)


def _json_value(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    doc = args[0]
    path, nullable_path, strict, wildcard = _json_path(e, args[1])
    rtype = e.type
    modes = ("NULL", "NULL") if len(args) == 2 else (_mode(e, 2), _mode(e, 4))
    defaults = (None, None) if len(args) == 2 else (e.args[3], e.args[5])
    lowered_defaults = (None, None) if len(args) == 2 else (args[3], args[5])

    def behavior(which: int, what: str) -> exp.Expression:
        mode, default = modes[which], lowered_defaults[which]
        if mode == "ERROR":
            return _json_error("JSON_VALUE", what)
        if mode == "DEFAULT" and default is not None:
            # DuckDB's own cast: a BOOLEAN default becomes 'false' (Java's String.valueOf)
            return cast(default.copy(), rtype)
        return cast(exp.Null(), rtype)

    if (
        not strict
        and not wildcard
        and modes[0] == modes[1] != "ERROR"
        and defaults[0] == defaults[1]
    ):
        # An empty result and an error give the same value (the defaults: NULL ON EMPTY NULL ON
        # ERROR): the document is read once, a malformed one gives NULL (try).
        value = _json_scalar(fn("try", fn("json_value", doc, path)), rtype)
        if modes[0] == "NULL":
            return value
        return _absent_or(doc, nullable_path, fn("coalesce", value, behavior(0, "")))

    def empty() -> exp.Expression:
        return behavior(0, "the path selects no scalar (ERROR ON EMPTY)")

    def error(what: str) -> exp.Expression:
        return behavior(1, f"{what} (ERROR ON ERROR)")

    at = _json_at(doc, path, wildcard)
    kind = fn("json_type", at)
    # a missing value (NULL kind) is empty in lax mode, an error in strict mode, like an
    # object or array; JSON null is empty in both
    if strict:
        no_scalar = _is(fn("coalesce", kind, _string("MISSING")), "MISSING", "OBJECT", "ARRAY")
        cases = [
            (no_scalar, error("no scalar at the strict path")),
            (_is(kind.copy(), "NULL"), empty()),
        ]
    else:
        cases = [(_is(fn("coalesce", kind, _string("NULL")), "NULL", "OBJECT", "ARRAY"), empty())]
    if not wildcard:  # a wildcard's matches form an array: never a scalar
        value = _json_scalar(fn("json_value", doc.copy(), path.copy()), rtype)
        cases.append((exp.Not(this=exp.Is(this=value, expression=exp.Null())), value.copy()))
    target = str(rtype.with_nullable(True))
    return _json_guarded(
        doc,
        nullable_path,
        cases,
        error("the input is not valid JSON"),
        error(f"the value at the path is no {target}"),
    )


def _mode(e: Call, at: int) -> str:
    value = e.args[at]
    assert isinstance(value, Literal) and isinstance(value.value, str)
    return value.value


_JSON_QUERY_FALLBACKS = MappingProxyType({"EMPTY ARRAY": "[]", "EMPTY OBJECT": "{}"})


def _json_query(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    doc = args[0]
    path, nullable_path, strict, wildcard = _json_path(e, args[1])
    wrapper, on_empty, on_error = (
        ("WITHOUT", "NULL", "NULL") if len(args) == 2 else (_mode(e, 2), _mode(e, 3), _mode(e, 4))
    )

    def behavior(mode: str, what: str) -> exp.Expression:
        if mode == "ERROR":
            return _json_error("JSON_QUERY", what)
        fallback = _JSON_QUERY_FALLBACKS.get(mode)
        if fallback is None:
            return exp.Cast(this=exp.Null(), to=data_type("VARCHAR"))
        return _string(fallback)

    empty = behavior(on_empty, "the path selects nothing (ERROR ON EMPTY)")
    if (wrapper, on_empty, on_error, strict, wildcard) == ("WITHOUT", "NULL", "NULL", False, False):
        # the defaults: only an object or an array is returned, anything else (a malformed
        # document too) gives NULL; the document is read once
        found = exp.Cast(this=fn("try", fn("json_extract", doc, path)), to=data_type("VARCHAR"))
        text = fn("regexp_extract", found, _string(r"^([\[{][\s\S]*)$"), _num(1))
        found_text = fn("nullif", text, _string(""))
        return found_text if e.type.is_string else _json_strings(found_text)
    at = _json_at(doc, path, wildcard)
    missing = exp.Is(this=at.copy(), expression=exp.Null())
    cases: list[tuple[exp.Expression, exp.Expression]] = []
    if strict:
        cases.append((missing, behavior(on_error, "no value at the strict path (ERROR ON ERROR)")))
    if wrapper == "WITHOUT":
        kind = fn("json_type", at.copy())
        cases.append((exp.Or(this=missing.copy(), expression=_is(kind, "NULL")), empty))
        scalar = exp.Not(this=_is(kind.copy(), "OBJECT", "ARRAY"))
        if strict:
            what = "the value at the strict path is a scalar (ERROR ON ERROR)"
            cases.append((scalar, behavior(on_error, what)))
        else:
            cases.append((scalar, empty.copy()))
        result: exp.Expression = at
    elif wrapper == "UNCONDITIONAL":
        result = fn("json_array", at)
    else:  # CONDITIONAL: an array as it is, anything else wrapped
        is_array = _is(fn("json_type", at.copy()), "ARRAY")
        result = exp.Case(ifs=[exp.If(this=is_array, true=at)], default=fn("json_array", at.copy()))
    text = _json_guarded(
        doc,
        nullable_path,
        cases,
        behavior(on_error, "the input is not valid JSON (ERROR ON ERROR)"),
        exp.Cast(this=result, to=data_type("VARCHAR")),
    )
    return text if e.type.is_string else _json_strings(text)


def _json_strings(text: exp.Expression) -> exp.Expression:
    """RETURNING ARRAY<STRING>: a JSON array's elements as strings (a string element without
    its quotes, JSON null as NULL, other values as JSON text); NULL for anything else."""
    x = exp.to_identifier("x")
    element = exp.Case(
        ifs=[
            exp.If(
                this=_is(fn("json_type", exp.column("x")), "VARCHAR"),
                true=fn("json_extract_string", exp.column("x"), _string("$")),
            ),
            exp.If(this=_is(fn("json_type", exp.column("x")), "NULL"), true=exp.Null()),
        ],
        default=exp.Cast(this=exp.column("x"), to=data_type("VARCHAR")),
    )
    elements = fn(
        "list_transform",
        fn("json_extract", text, _string("$[*]")),
        exp.Lambda(this=element, expressions=[x]),
    )
    is_array = _is(fn("json_type", text.copy()), "ARRAY")
    return exp.Case(ifs=[exp.If(this=is_array, true=elements)])


_JSON_EXISTS_ERRORS = MappingProxyType(
    {"TRUE": exp.true(), "FALSE": exp.false(), "UNKNOWN": exp.Null()}
)


def _json_exists(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    doc = args[0]
    path, nullable_path, strict, wildcard = _json_path(e, args[1])
    mode = _mode(e, 2) if len(args) == 3 else "FALSE"
    fixed = _JSON_EXISTS_ERRORS.get(mode)

    def error(what: str) -> exp.Expression:
        if fixed is None:
            return _json_error("JSON_EXISTS", f"{what} (ERROR ON ERROR)")
        return fixed.copy()

    if not strict and not wildcard and mode == "FALSE":
        # a malformed document gives FALSE like a missing value: the document is read once
        kind = fn("try", fn("json_type", doc, path))
        found = fn("coalesce", exp.NEQ(this=kind, expression=_string("NULL")), exp.false())
        return _absent_or(doc, nullable_path, found)
    at = _json_at(doc, path, wildcard)
    cases: list[tuple[exp.Expression, exp.Expression]] = []
    if strict:
        cases.append(
            (exp.Is(this=at.copy(), expression=exp.Null()), error("no value at the strict path"))
        )
    # Calcite: a value exists when the path selects something other than JSON null
    found = fn(
        "coalesce", exp.NEQ(this=fn("json_type", at), expression=_string("NULL")), exp.false()
    )
    return _json_guarded(doc, nullable_path, cases, error("the input is not valid JSON"), found)


# -- numbers ----------------------------------------------------------------------------------
def _log(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # LOG(x) is the natural logarithm; LOG(b, x) the logarithm of x to base b.
    return fn("ln", args[0]) if len(args) == 1 else fn("log", args[0], args[1])


def _floor_ceil(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    if len(args) == 2:
        unit = literal_str(e.args[1], "the FLOOR/CEIL unit").lower()
        floor = fn("date_trunc", _string(unit), args[0])
        if e.name == "FLOOR":
            return floor
        # CEIL: the value itself when already at a unit boundary, else the next boundary
        step = exp.Interval(this=_string("1"), unit=exp.Var(this=unit.upper()))
        on_boundary = exp.EQ(this=floor.copy(), expression=args[0].copy())
        up = exp.Case(
            ifs=[exp.If(this=on_boundary, true=args[0].copy())],
            default=exp.Add(this=floor.copy(), expression=step),
        )
        return cast(up, e.type)
    out = fn("floor" if e.name == "FLOOR" else "ceil", args[0])
    return cast(out, e.type) if e.type.is_integer or e.type.kind is Kind.DECIMAL else out


def _round(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # DuckDB rounds half away from zero, which is Java's HALF_UP.
    return cast(fn("round", *args), e.type)


def _truncate(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return cast(fn("trunc", *args), e.type)


def _e(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return fn("exp", _num(1))


def _rand_integer(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    bound = args[-1]
    return cast(fn("floor", exp.Mul(this=fn("random"), expression=bound)), e.type)


def _unary_plus(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return args[0]


# -- time -------------------------------------------------------------------------------------
def _dayofweek(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink DAYOFWEEK: 1 = Sunday ... 7 = Saturday; DuckDB's dayofweek: 0 = Sunday.
    return exp.Add(this=fn("dayofweek", args[-1]), expression=_num(1))


def _extract(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    unit = literal_str(e.args[0], "the EXTRACT unit").upper()
    if unit == "DOW":
        return _dayofweek(e, args, ctx)
    part = _EXTRACT_UNITS.get(unit)
    if part is None:
        raise UnsupportedError(f"EXTRACT({unit} ...) is not supported by the batch target yet")
    return cast(fn("date_part", _string(part), args[1]), e.type)


def _date_format(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    x = args[0]
    pattern = java_to_strftime(literal_str(e.args[1], "the DATE_FORMAT pattern"))
    if e.args[0].type.is_string:
        # DATE_FORMAT(string, fmt) first parses 'yyyy-MM-dd HH:mm:ss[.fff]'.
        x = exp.TryCast(this=x, to=data_type("TIMESTAMP"))
    return fn("strftime", x, _string(pattern))


def _to_timestamp(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    if len(args) == 1:
        return cast(args[0], e.type, safe=True)
    pattern = java_to_strftime(literal_str(e.args[1], "the TO_TIMESTAMP pattern"))
    return fn("try_strptime", args[0], _string(pattern))


def _to_date(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    if len(args) == 1:
        return cast(args[0], e.type, safe=True)
    pattern = java_to_strftime(literal_str(e.args[1], "the TO_DATE pattern"))
    return cast(fn("try_strptime", args[0], _string(pattern)), e.type)


def _to_timestamp_ltz(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # TO_TIMESTAMP_LTZ(n[, precision]): epoch seconds (precision 0) or milliseconds (3).
    precision = e.args[1].value if len(e.args) > 1 and isinstance(e.args[1], Literal) else 3
    n = args[0]
    ms = n if precision == 3 else exp.Mul(this=n, expression=_num(1000))
    return fn("timezone", _string("UTC"), fn("epoch_ms", cast(ms, e.args[0].type)))


def _from_unixtime(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    pattern = "yyyy-MM-dd HH:mm:ss"
    if len(args) == 2:
        pattern = literal_str(e.args[1], "the FROM_UNIXTIME pattern")
    # to_timestamp gives TIMESTAMPTZ; strftime renders it in the session time zone, as Flink.
    return fn("strftime", fn("to_timestamp", args[0]), _string(java_to_strftime(pattern)))


def _unix_timestamp(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    if not args:
        ts: exp.Expression = exp.Var(this="CURRENT_TIMESTAMP")
    else:
        pattern = "yyyy-MM-dd HH:mm:ss"
        if len(args) == 2:
            pattern = literal_str(e.args[1], "the UNIX_TIMESTAMP pattern")
        parsed = fn("try_strptime", args[0], _string(java_to_strftime(pattern)))
        # The string is wall-clock time in the session time zone.
        ts = exp.Cast(this=parsed, to=data_type("TIMESTAMPTZ"))
    return cast(fn("floor", fn("epoch", ts)), e.type)


def _time_of_day(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # CURRENT_TIME and LOCALTIME are TIME(0) in Flink: the session's wall-clock time to the
    # second (DuckDB's current_localtime keeps microseconds).
    whole = fn("date_trunc", _string("second"), fn("current_localtimestamp"))
    return cast(whole, e.type)


# Java's TimeZone.getTimeZone, which Flink's CONVERT_TZ calls: the tz database's IDs, the
# legacy three-letter IDs below (ZoneId.SHORT_IDS; EST, MST and HST are tz database zones) and
# custom `GMT+h[h][[:]mm]` IDs; any other name silently means GMT.
_JAVA_SHORT_IDS = MappingProxyType(
    {
        "ACT": "Australia/Darwin",
        "AET": "Australia/Sydney",
        "AGT": "America/Argentina/Buenos_Aires",
        "ART": "Africa/Cairo",
        "AST": "America/Anchorage",
        "BET": "America/Sao_Paulo",
        "BST": "Asia/Dhaka",
        "CAT": "Africa/Harare",
        "CNT": "America/St_Johns",
        "CST": "America/Chicago",
        "CTT": "Asia/Shanghai",
        "EAT": "Africa/Addis_Ababa",
        "ECT": "Europe/Paris",
        "IET": "America/Indiana/Indianapolis",
        "IST": "Asia/Kolkata",
        "JST": "Asia/Tokyo",
        "MIT": "Pacific/Apia",
        "NET": "Asia/Yerevan",
        "NST": "Pacific/Auckland",
        "PLT": "Asia/Karachi",
        "PNT": "America/Phoenix",
        "PRT": "America/Puerto_Rico",
        "PST": "America/Los_Angeles",
        "SST": "Pacific/Guadalcanal",
        "VST": "Asia/Ho_Chi_Minh",
    }
)
_JAVA_CUSTOM_ZONE = re.compile(r"GMT([+-])(\d{1,2})(?::?(\d{2}))?")


@functools.cache
def _tz_database() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def java_zone(name: str) -> str:
    """The zone Java's TimeZone.getTimeZone(name) gives, as a name DuckDB (ICU) reads."""
    if name in _tz_database() or name in ("UTC", "GMT"):
        return name
    if name in _JAVA_SHORT_IDS:
        return _JAVA_SHORT_IDS[name]
    custom = _JAVA_CUSTOM_ZONE.fullmatch(name)
    if custom is not None:
        sign, hours, minutes = custom.group(1), int(custom.group(2)), int(custom.group(3) or 0)
        if hours <= 23 and minutes <= 59:
            return f"GMT{sign}{hours:02d}:{minutes:02d}"
    return "GMT"


def _zone(e: Expr, lowered: exp.Expression) -> exp.Expression:
    if isinstance(e, Literal) and isinstance(e.value, str):
        return _string(java_zone(e.value))
    return lowered  # a zone computed per row: DuckDB's names (an unknown one is an error)


def _convert_tz(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink (DateTimeUtils.convertTz): 'yyyy-MM-dd HH:mm:ss' read in the first zone, written in
    # the second; SimpleDateFormat ignores what follows the seconds; NULL when it does not parse.
    fmt = _string("%Y-%m-%d %H:%M:%S")
    local = fn("try_strptime", fn("left", args[0], _num(19)), fmt)
    instant = fn("timezone", _zone(e.args[1], args[1]), local)
    return fn("strftime", fn("timezone", _zone(e.args[2], args[2]), instant), fmt.copy())


def _timestampadd(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    unit = literal_str(e.args[0], "the TIMESTAMPADD unit").upper()
    one = exp.Interval(this=_string("1"), unit=exp.Var(this=unit))
    out = exp.Add(this=args[2], expression=exp.Mul(this=args[1], expression=one))
    # DATE plus whole days is a DATE in Flink; DuckDB's DATE + INTERVAL is a TIMESTAMP
    return cast(out, e.type) if e.type.kind is Kind.DATE else out


def _timestampdiff(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Whole units elapsed from t1 to t2, truncated (DuckDB's date_sub, not date_diff, which
    # counts boundaries crossed).
    unit = literal_str(e.args[0], "the TIMESTAMPDIFF unit").lower()
    return cast(fn("date_sub", _string(unit), args[1], args[2]), e.type)


# -- collections and misc ---------------------------------------------------------------------
def _item(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    if e.args[0].type.kind is Kind.MAP:
        return fn("map_extract_value", *args)
    return fn("list_extract", *args)  # 1-based, NULL out of range: as Flink


def _array(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return exp.Array(expressions=args)


def _map(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    keys = exp.Array(expressions=args[0::2])
    values = exp.Array(expressions=args[1::2])
    return fn("map", keys, values)


def _row(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    names = [f.name for f in e.type.fields] or [f"EXPR${i}" for i in range(len(args))]
    pairs = [
        exp.PropertyEQ(this=exp.to_identifier(n, quoted=True), expression=a)
        for n, a in zip(names, args, strict=True)
    ]
    return exp.Struct(expressions=pairs)


def _cardinality(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    kind = e.args[0].type.kind
    return cast(fn("cardinality" if kind is Kind.MAP else "len", args[0]), e.type)


def _element(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # ELEMENT(array): the only element; NULL when empty; an error for more than one.
    a = args[0]
    size = fn("len", a)
    return exp.Case(
        ifs=[
            exp.If(this=exp.EQ(this=size, expression=_num(0)), true=exp.Null()),
            exp.If(
                this=exp.EQ(this=size.copy(), expression=_num(1)),
                true=fn("list_extract", a.copy(), _num(1)),
            ),
        ],
        default=fn("error", _string("ELEMENT: the array has more than one element")),
    )


def _array_position(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink: 0 when absent (DuckDB: NULL).
    found = fn("list_position", *args)
    return cast(fn("coalesce", found, _num(0)), e.type)


def _array_join(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    if len(args) == 3:
        # NULL elements replaced by the third argument.
        lam = exp.Lambda(
            this=fn("coalesce", exp.column("x"), args[2]), expressions=[exp.to_identifier("x")]
        )
        return fn("array_to_string", fn("list_transform", args[0], lam), args[1])
    return fn("array_to_string", *args)


def _array_slice(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    # Flink: an omitted end_offset is the array's length (DuckDB's list_slice needs it)
    if len(args) == 2:
        args = [*args, fn("len", args[0].copy())]
    return fn("list_slice", *args)


def _uuid(e: Call, args: Args, ctx: LowerContext) -> exp.Expression:
    return exp.Cast(this=fn("uuid"), to=data_type("VARCHAR"))


_HANDLERS: MappingProxyType[str, Handler] = MappingProxyType(
    {
        "SUBSTRING": _substring,
        "SUBSTR": _substring,
        "SPLIT_INDEX": _split_index,
        "REGEXP_EXTRACT": _regexp_extract,
        "REGEXP_EXTRACT_ALL": _regexp_extract_all,
        "REGEXP_COUNT": _regexp_count,
        "REGEXP_REPLACE": _regexp_replace,
        "POSITION": _position,
        "LOCATE": _position,
        "LEFT": _left_right,
        "RIGHT": _left_right,
        "OVERLAY": _overlay,
        "TO_BASE64": _base64,
        "FROM_BASE64": _base64,
        "SHA2": _sha2,
        "GREATEST": _greatest_least,
        "LEAST": _greatest_least,
        "ELT": _elt,
        "IS_ALPHA": _is_alpha_digit,
        "IS_DIGIT": _is_alpha_digit,
        "IS_DECIMAL": _is_decimal,
        "INITCAP": _initcap,
        "URL_ENCODE": _url_encode,
        "URL_DECODE": _url_decode,
        "ENCODE": _encode,
        "DECODE": _decode,
        "UNHEX": _unhex,
        "TYPEOF": _typeof,
        "ARRAY_DISTINCT": _array_distinct,
        "ARRAY_REMOVE": _array_remove,
        "ARRAY_APPEND": _array_append,
        "ARRAY_PREPEND": _array_append,
        "ARRAY_SORT": _array_sort,
        "ARRAY_UNION": _array_set,
        "ARRAY_EXCEPT": _array_set,
        "ARRAY_INTERSECT": _array_set,
        "MAP_UNION": _map_union,
        "STARTSWITH": _starts_ends,
        "ENDSWITH": _starts_ends,
        "BTRIM": _btrim,
        "REGEXP_SUBSTR": _regexp_substr,
        "REGEXP_INSTR": _regexp_instr,
        "JSON_QUOTE": _json_quote,
        "PARSE_URL": _parse_url,
        "PRINTF": _printf,
        "STR_TO_MAP": _str_to_map,
        "JSON_OBJECT": _json_object,
        "JSON_ARRAY": _json_array,
        "JSON_STRING": _json_string,
        "IS_JSON": _is_json,
        "JSON_UNQUOTE": _json_unquote,
        "JSON_VALUE": _json_value,
        "JSON_QUERY": _json_query,
        "JSON_EXISTS": _json_exists,
        "LOG": _log,
        "FLOOR": _floor_ceil,
        "CEIL": _floor_ceil,
        "CEILING": _floor_ceil,
        "ROUND": _round,
        "TRUNCATE": _truncate,
        "E": _e,
        "RAND_INTEGER": _rand_integer,
        "UNARY_PLUS": _unary_plus,
        "DAYOFWEEK": _dayofweek,
        "EXTRACT": _extract,
        "DATE_FORMAT": _date_format,
        "TO_TIMESTAMP": _to_timestamp,
        "TO_DATE": _to_date,
        "TO_TIMESTAMP_LTZ": _to_timestamp_ltz,
        "FROM_UNIXTIME": _from_unixtime,
        "UNIX_TIMESTAMP": _unix_timestamp,
        "CURRENT_TIME": _time_of_day,
        "LOCALTIME": _time_of_day,
        "CONVERT_TZ": _convert_tz,
        "TIMESTAMPADD": _timestampadd,
        "TIMESTAMPDIFF": _timestampdiff,
        "ITEM": _item,
        "ARRAY": _array,
        "ARRAY_VALUE": _array,
        "MAP_VALUE": _map,
        "ROW": _row,
        "CARDINALITY": _cardinality,
        "ELEMENT": _element,
        "ARRAY_POSITION": _array_position,
        "ARRAY_JOIN": _array_join,
        "ARRAY_SLICE": _array_slice,
        "UUID": _uuid,
    }
)
