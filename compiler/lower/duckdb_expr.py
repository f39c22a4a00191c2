"""Scalar expressions -> sqlglot DuckDB expressions, with Flink's semantics.

Where DuckDB differs from Flink (FLINK_SEMANTICS.md) the lowering emits an equivalent: a CASE,
a macro from `duckdb_macros`, or as a last resort a Python function the runtime registers.
Column references are resolved through `cols` (one sqlglot expression per input ordinal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from nrtg.catalog.types import Kind, SqlType
from nrtg.compiler.errors import InternalError, UnsupportedError
from nrtg.compiler.plan.expr import Call, Case, Cast, ColumnRef, Expr, FieldAccess, Literal
from sqlglot import exp

from .duckdb_macros import MACRO_DEPENDENCIES, MACROS, PY_FUNCTIONS
from .duckdb_types import TypeCache, is_integer, java_to_strftime, timestamp_string_format

Cols = Sequence[exp.Expression]

_BINARY: dict[str, type[exp.Binary]] = {
    "PLUS": exp.Add,
    "MINUS": exp.Sub,
    "TIMES": exp.Mul,
    "MOD": exp.Mod,
    "EQUALS": exp.EQ,
    "NOT_EQUALS": exp.NEQ,
    "LESS_THAN": exp.LT,
    "LESS_THAN_OR_EQUAL": exp.LTE,
    "GREATER_THAN": exp.GT,
    "GREATER_THAN_OR_EQUAL": exp.GTE,
    "IS_DISTINCT_FROM": exp.NullSafeNEQ,
    "IS_NOT_DISTINCT_FROM": exp.NullSafeEQ,
}

# Flink name -> DuckDB function with the same argument order and semantics.
_RENAMES = {
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
    "SIGN": "sign",
    "SIN": "sin",
    "COS": "cos",
    "TAN": "tan",
    "LTRIM": "ltrim",
    "RTRIM": "rtrim",
    "TRIM": "trim",
    "REPLACE": "replace",
    "REVERSE": "reverse",
    "REPEAT": "repeat",
    "LPAD": "lpad",
    "RPAD": "rpad",
    "MD5": "md5",
    "SHA256": "sha256",
    "COALESCE": "coalesce",
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
    "CARDINALITY": "len",
    "RAND": "random",
    "REGEXP": "regexp_matches",  # Flink REGEXP: any substring matches (find), as DuckDB
}

_NOW = {
    "PROCTIME": "current_timestamp",
    "NOW": "current_timestamp",
    "CURRENT_TIMESTAMP": "current_timestamp",
    "CURRENT_ROW_TIMESTAMP": "current_timestamp",
    "LOCALTIMESTAMP": "current_localtimestamp",
    "CURRENT_DATE": "current_date",
    "CURRENT_TIME": "current_localtime",
    "LOCALTIME": "current_localtime",
}

_EXTRACT_UNITS = {
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
}


class LowerContext:
    """State of one lowering run: parsed types, and the macros/functions the query uses."""

    def __init__(self) -> None:
        self.types = TypeCache()
        self.macros: set[str] = set()
        self.functions: set[str] = set()

    def macro(self, name: str, *args: exp.Expression) -> exp.Expression:
        if name not in MACROS:
            raise InternalError(f"unknown batch macro {name}")
        self.macros.update(MACRO_DEPENDENCIES.get(name, ()))
        self.macros.add(name)
        return exp.Anonymous(this=name, expressions=list(args))

    def py_function(self, name: str, *args: exp.Expression) -> exp.Expression:
        if name not in PY_FUNCTIONS:
            raise InternalError(f"unknown batch function {name}")
        self.functions.add(name)
        return exp.Anonymous(this=name, expressions=list(args))


def paren(e: exp.Expression) -> exp.Expression:
    """Parenthesize operators used as operands (sqlglot's builders do not add precedence)."""
    if isinstance(e, exp.Binary | exp.Not | exp.Neg | exp.Is | exp.In | exp.Between):
        return exp.Paren(this=e)
    return e


def fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def cast(e: exp.Expression, typ: SqlType, ctx: LowerContext, safe: bool = False) -> exp.Expression:
    cls = exp.TryCast if safe else exp.Cast
    return cls(this=e, to=ctx.types.get(typ))


def interval_ms(ms: int) -> exp.Expression:
    return exp.Interval(this=exp.Literal.string(str(ms)), unit=exp.Var(this="MILLISECOND"))


def lower_expr(e: Expr, cols: Cols, ctx: LowerContext) -> exp.Expression:
    """Lower one scalar expression over an input whose columns are `cols`."""
    if isinstance(e, ColumnRef):
        if e.index >= len(cols):
            raise InternalError(f"column ref {e.name} (#{e.index}) out of range in lowering")
        return cols[e.index].copy()
    if isinstance(e, Literal):
        return lower_literal(e, ctx)
    if isinstance(e, Cast):
        return _lower_cast(e, lower_expr(e.input, cols, ctx), ctx)
    if isinstance(e, Case):
        ifs = [
            exp.If(this=lower_expr(c, cols, ctx), true=lower_expr(v, cols, ctx)) for c, v in e.whens
        ]
        default = None if e.default is None else lower_expr(e.default, cols, ctx)
        return exp.Case(ifs=ifs, default=default)
    if isinstance(e, FieldAccess):
        return fn(
            "struct_extract", lower_expr(e.input, cols, ctx), exp.Literal.string(e.field_name)
        )
    if isinstance(e, Call):
        return _lower_call(e, cols, ctx)
    raise InternalError(f"cannot lower expression {type(e).__name__}")


# -- literals ---------------------------------------------------------------------------------
def lower_literal(e: Literal, ctx: LowerContext) -> exp.Expression:
    v = e.value
    k = e.type.kind
    if v is None:
        return exp.Null() if e.type.is_null else cast(exp.Null(), e.type, ctx)
    if isinstance(v, bool):
        return exp.Boolean(this=v)
    if isinstance(v, int) and k is Kind.INTERVAL_YEAR_MONTH:
        return exp.Interval(this=exp.Literal.string(str(v)), unit=exp.Var(this="MONTH"))
    if isinstance(v, int):
        num = exp.Literal.number(v)
        # DuckDB types small integer literals as INTEGER; keep Flink's declared width.
        return num if k in (Kind.INT, Kind.DECIMAL) else cast(num, e.type, ctx)
    if isinstance(v, float):
        return cast(exp.Literal.number(repr(v)), e.type, ctx)
    if isinstance(v, Decimal):
        return cast(exp.Literal.number(str(v)), e.type, ctx)
    if isinstance(v, str):
        return exp.Literal.string(v)
    if isinstance(v, bytes):
        return fn("from_hex", exp.Literal.string(v.hex().upper()))
    if isinstance(v, dt.timedelta):
        return interval_ms(round(v.total_seconds() * 1000))
    if isinstance(v, dt.datetime):
        text = v.isoformat(sep=" ")
        return cast(exp.Literal.string(text), e.type, ctx)
    if isinstance(v, dt.date):
        return cast(exp.Literal.string(v.isoformat()), e.type, ctx)
    if isinstance(v, dt.time):
        return cast(exp.Literal.string(v.isoformat()), e.type, ctx)
    raise InternalError(f"cannot lower literal of type {type(v).__name__}")


# -- casts ------------------------------------------------------------------------------------
def _lower_cast(e: Cast, x: exp.Expression, ctx: LowerContext) -> exp.Expression:
    src, dst = e.input.type, e.type
    if dst.is_string:
        if src.is_approx:
            # Java notation from 1e7 on: CAST(36190700.0 AS STRING) = '3.61907E7'.
            return ctx.macro("nrtg_double_to_string", x)
        if src.is_boolean:
            # Flink prints TRUE / FALSE.
            return fn("upper", cast(x, dst, ctx))
        if src.kind is Kind.TIMESTAMP or src.kind is Kind.TIMESTAMP_LTZ:
            # Flink pads the fraction to the type's precision: '2020-01-01 00:00:00.000'.
            return fn("strftime", x, exp.Literal.string(timestamp_string_format(src.precision)))
    if is_integer(dst) and (src.is_approx or src.kind is Kind.DECIMAL):
        # Flink truncates toward zero (Java narrowing); DuckDB rounds.
        return cast(fn("trunc", x), dst, ctx, e.safe)
    return cast(x, dst, ctx, e.safe)


# -- calls ------------------------------------------------------------------------------------
def _lower_call(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    name = e.name
    special = _SPECIAL.get(name)
    if special is not None:
        return special(e, cols, ctx)
    args = [lower_expr(a, cols, ctx) for a in e.args]
    if name in _BINARY and len(args) == 2:
        out: exp.Expression = _BINARY[name](this=paren(args[0]), expression=paren(args[1]))
        if name in ("PLUS", "MINUS", "TIMES", "MOD") and e.type.kind is Kind.DECIMAL:
            # DuckDB's exact result, rounded HALF_UP to Flink's derived precision and scale.
            out = cast(out, e.type, ctx)
        return out
    if name in _RENAMES:
        return fn(_RENAMES[name], *args)
    if name in _NOW:
        return (
            exp.Anonymous(this=_NOW[name], expressions=[])
            if _NOW[name].startswith("current_local")
            else exp.Var(this=_NOW[name].upper())
        )
    raise UnsupportedError(f"function {name} is not supported by the batch (DuckDB) target yet")


def _args(e: Call, cols: Cols, ctx: LowerContext) -> list[exp.Expression]:
    return [lower_expr(a, cols, ctx) for a in e.args]


def _literal_str(e: Expr, what: str) -> str:
    if isinstance(e, Literal) and isinstance(e.value, str):
        return e.value
    raise UnsupportedError(f"the batch target needs {what} to be a string literal")


def _and_or(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    args = [paren(a) for a in _args(e, cols, ctx)]
    cls = exp.And if e.name == "AND" else exp.Or
    out = args[0]
    for a in args[1:]:
        out = cls(this=out, expression=a)
    return out


def _not(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    return exp.Not(this=paren(lower_expr(e.args[0], cols, ctx)))


def _neg(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    return exp.Neg(this=paren(lower_expr(e.args[0], cols, ctx)))


def _postfix(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    x = paren(lower_expr(e.args[0], cols, ctx))
    target: exp.Expression = {
        "IS_NULL": exp.Null(),
        "IS_NOT_NULL": exp.Null(),
        "IS_TRUE": exp.Boolean(this=True),
        "IS_NOT_TRUE": exp.Boolean(this=True),
        "IS_FALSE": exp.Boolean(this=False),
        "IS_NOT_FALSE": exp.Boolean(this=False),
    }[e.name]
    if e.name in ("IS_NULL", "IS_NOT_NULL"):
        out: exp.Expression = exp.Is(this=x, expression=target)
        return exp.Not(this=exp.Paren(this=out)) if e.name == "IS_NOT_NULL" else out
    # IS [NOT] TRUE/FALSE never returns NULL: compare NULL-safely.
    cls = exp.NullSafeNEQ if "_NOT_" in e.name else exp.NullSafeEQ
    return cls(this=x, expression=target)


def _divide(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    a, b = (paren(x) for x in _args(e, cols, ctx))
    lt, rt = e.args[0].type, e.args[1].type
    if is_integer(lt) and is_integer(rt):
        # Flink: integer / integer stays integer and truncates toward zero (-7 / 2 = -3);
        # DuckDB's `//` on integers truncates the same way (its `/` would give DOUBLE).
        return exp.IntDiv(this=a, expression=b)
    if e.type.kind is Kind.DECIMAL:
        # Flink derives DECIMAL(p, s) (1.0 / 3 = 0.333333333333); DuckDB's decimal division
        # gives DOUBLE. Divide in DOUBLE and round HALF_UP to Flink's scale (exact while the
        # result has at most ~15 significant digits).
        q = exp.Div(
            this=exp.Cast(this=a, to=exp.DataType.build("DOUBLE")),
            expression=exp.Cast(this=b, to=exp.DataType.build("DOUBLE")),
        )
        return cast(q, e.type, ctx)
    return exp.Div(this=a, expression=b)


def _in(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    x, *rest = _args(e, cols, ctx)
    out: exp.Expression = exp.In(this=paren(x), expressions=rest)
    return exp.Not(this=exp.Paren(this=out)) if e.name == "NOT_IN" else out


def _between(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    x, lo, hi = (paren(a) for a in _args(e, cols, ctx))
    out: exp.Expression = exp.Between(this=x, low=lo, high=hi)
    return exp.Not(this=exp.Paren(this=out)) if e.name == "NOT_BETWEEN" else out


def _like(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    args = _args(e, cols, ctx)
    out: exp.Expression = exp.Like(this=paren(args[0]), expression=paren(args[1]))
    if len(args) == 3:
        out = exp.Escape(this=out, expression=args[2])
    return exp.Not(this=exp.Paren(this=out)) if e.name == "NOT_LIKE" else out


def _similar(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    raise UnsupportedError("SIMILAR TO is not supported by the batch target yet")


def _concat(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    # Flink CONCAT / ||: NULL if any argument is NULL. DuckDB's concat() skips NULLs, its ||
    # propagates them.
    args = [paren(a) for a in _args(e, cols, ctx)]
    out = args[0]
    for a in args[1:]:
        out = exp.DPipe(this=out, expression=a, safe=False)
    return out


def _substring(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    args = _args(e, cols, ctx)
    if len(args) == 2:
        args.append(exp.Literal.number(2147483647))
    return ctx.macro("nrtg_substring", *args)


def _split_index(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    return ctx.macro("nrtg_split_index", *_args(e, cols, ctx))


def _regexp_extract(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    args = _args(e, cols, ctx)
    if len(args) == 2:
        # Flink's default extract index is 0, the whole match (SqlFunctionUtils.regexpExtract).
        args.append(exp.Literal.number(0))
    elif not isinstance(e.args[2], Literal):
        raise UnsupportedError("REGEXP_EXTRACT needs a literal group index in the batch target")
    return ctx.macro("nrtg_regexp_extract", *args)


def _regexp_replace(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    s, r, _ = _args(e, cols, ctx)
    # Java's replacement refers to groups as $1; RE2's as \1.
    rep = _literal_str(e.args[2], "the REGEXP_REPLACE replacement")
    out: list[str] = []
    i = 0
    while i < len(rep):
        c = rep[i]
        if c == "\\" and i + 1 < len(rep):
            out.append("\\\\" if rep[i + 1] == "\\" else rep[i + 1])
            i += 2
            continue
        if c == "$" and i + 1 < len(rep) and rep[i + 1].isdigit():
            out.append("\\" + rep[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return fn("regexp_replace", s, r, exp.Literal.string("".join(out)), exp.Literal.string("g"))


def _if(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    c, a, b = _args(e, cols, ctx)
    return exp.Case(ifs=[exp.If(this=c, true=a)], default=b)


def _greatest_least(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    args = _args(e, cols, ctx)
    name = "nrtg_greatest2" if e.name == "GREATEST" else "nrtg_least2"
    out = args[0]
    for a in args[1:]:
        out = ctx.macro(name, out, a)
    return out


def _position(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    needle, haystack = _args(e, cols, ctx)[:2]
    return fn("instr", haystack, needle)  # code points, 0 when absent: as Flink


def _dayofweek(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    # Flink DAYOFWEEK: 1 = Sunday ... 7 = Saturday; DuckDB's dayofweek: 0 = Sunday.
    return exp.Add(this=fn("dayofweek", *_args(e, cols, ctx)), expression=exp.Literal.number(1))


def _extract(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    unit_expr, value = e.args[0], e.args[1]
    unit = _literal_str(unit_expr, "the EXTRACT unit").upper()
    x = lower_expr(value, cols, ctx)
    if unit == "DOW":
        return exp.Add(this=fn("dayofweek", x), expression=exp.Literal.number(1))
    part = _EXTRACT_UNITS.get(unit)
    if part is None:
        raise UnsupportedError(f"EXTRACT({unit} ...) is not supported by the batch target yet")
    out = fn("date_part", exp.Literal.string(part), x)
    return cast(out, e.type, ctx) if part == "epoch" else out


def _date_format(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    x = lower_expr(e.args[0], cols, ctx)
    pattern = java_to_strftime(_literal_str(e.args[1], "the DATE_FORMAT pattern"))
    if e.args[0].type.is_string:
        # DATE_FORMAT(string, fmt) first parses 'yyyy-MM-dd HH:mm:ss[.fff]'.
        x = exp.TryCast(this=x, to=exp.DataType.build("TIMESTAMP"))
    return fn("strftime", x, exp.Literal.string(pattern))


def _to_timestamp(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    args = _args(e, cols, ctx)
    if len(args) == 1:
        return cast(args[0], e.type, ctx, safe=True)
    pattern = java_to_strftime(_literal_str(e.args[1], "the TO_TIMESTAMP pattern"))
    return fn("try_strptime", args[0], exp.Literal.string(pattern))


def _to_date(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    args = _args(e, cols, ctx)
    if len(args) == 1:
        return cast(args[0], e.type, ctx, safe=True)
    pattern = java_to_strftime(_literal_str(e.args[1], "the TO_DATE pattern"))
    return cast(fn("try_strptime", args[0], exp.Literal.string(pattern)), e.type, ctx)


def _from_unixtime(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    args = _args(e, cols, ctx)
    pattern = "yyyy-MM-dd HH:mm:ss"
    if len(args) == 2:
        pattern = _literal_str(e.args[1], "the FROM_UNIXTIME pattern")
    # to_timestamp gives TIMESTAMPTZ; strftime renders it in the session time zone, as Flink.
    return fn(
        "strftime", fn("to_timestamp", args[0]), exp.Literal.string(java_to_strftime(pattern))
    )


def _unix_timestamp(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    args = _args(e, cols, ctx)
    if not args:
        ts: exp.Expression = exp.Var(this="CURRENT_TIMESTAMP")
    else:
        pattern = "yyyy-MM-dd HH:mm:ss"
        if len(args) == 2:
            pattern = _literal_str(e.args[1], "the UNIX_TIMESTAMP pattern")
        parsed = fn("try_strptime", args[0], exp.Literal.string(java_to_strftime(pattern)))
        # The string is wall-clock time in the session time zone.
        ts = exp.Cast(this=parsed, to=exp.DataType.build("TIMESTAMPTZ"))
    return cast(fn("floor", fn("epoch", ts)), e.type, ctx)


def _item(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    container, key = _args(e, cols, ctx)
    if e.args[0].type.kind is Kind.MAP:
        return fn("map_extract_value", container, key)
    return fn("list_extract", container, key)  # 1-based, NULL out of range: as Flink


def _array(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    return exp.Array(expressions=_args(e, cols, ctx))


def _uuid(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    return exp.Cast(this=fn("uuid"), to=exp.DataType.build("VARCHAR"))


def _floor_ceil(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    args = _args(e, cols, ctx)
    if len(args) == 2:
        # FLOOR(ts TO unit): the unit is a literal.
        unit = _literal_str(e.args[1], "the FLOOR/CEIL unit").lower()
        if e.name == "FLOOR":
            return fn("date_trunc", exp.Literal.string(unit), args[0])
        raise UnsupportedError("CEIL(ts TO unit) is not supported by the batch target yet")
    out = fn(e.name.lower(), args[0])
    return cast(out, e.type, ctx) if e.type.is_integer or e.type.kind is Kind.DECIMAL else out


def _round(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    # DuckDB rounds half away from zero, which is Java's HALF_UP.
    args = _args(e, cols, ctx)
    return cast(fn("round", *args), e.type, ctx)


_SPECIAL: dict[str, Callable[[Call, Cols, LowerContext], exp.Expression]] = {
    "AND": _and_or,
    "OR": _and_or,
    "NOT": _not,
    "UNARY_MINUS": _neg,
    "IS_NULL": _postfix,
    "IS_NOT_NULL": _postfix,
    "IS_TRUE": _postfix,
    "IS_NOT_TRUE": _postfix,
    "IS_FALSE": _postfix,
    "IS_NOT_FALSE": _postfix,
    "DIVIDE": _divide,
    "IN": _in,
    "NOT_IN": _in,
    "BETWEEN": _between,
    "NOT_BETWEEN": _between,
    "LIKE": _like,
    "NOT_LIKE": _like,
    "SIMILAR_TO": _similar,
    "CONCAT": _concat,
    "CONCAT_OP": _concat,
    "SUBSTRING": _substring,
    "SUBSTR": _substring,
    "SPLIT_INDEX": _split_index,
    "REGEXP_EXTRACT": _regexp_extract,
    "REGEXP_REPLACE": _regexp_replace,
    "IF": _if,
    "GREATEST": _greatest_least,
    "LEAST": _greatest_least,
    "POSITION": _position,
    "LOCATE": _position,
    "DAYOFWEEK": _dayofweek,
    "EXTRACT": _extract,
    "DATE_FORMAT": _date_format,
    "TO_TIMESTAMP": _to_timestamp,
    "TO_DATE": _to_date,
    "FROM_UNIXTIME": _from_unixtime,
    "UNIX_TIMESTAMP": _unix_timestamp,
    "ITEM": _item,
    "ARRAY": _array,
    "UUID": _uuid,
    "FLOOR": _floor_ceil,
    "CEIL": _floor_ceil,
    "ROUND": _round,
}
