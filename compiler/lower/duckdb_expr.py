"""Scalar expressions -> sqlglot DuckDB expressions, with Flink's semantics.

Where DuckDB differs from Flink (FLINK_SEMANTICS.md) the lowering emits an equivalent: a CASE
or a macro from `duckdb_macros`; named functions are in `duckdb_funcs`.
Column references are resolved through `cols` (one sqlglot expression per input ordinal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from types import MappingProxyType

from sqlglot import exp

from nrtg.catalog.types import Kind, SqlType
from nrtg.compiler.errors import InternalError, UnsupportedError
from nrtg.compiler.plan.expr import Call, Case, Cast, ColumnRef, Expr, FieldAccess, Literal

from .duckdb_context import ColRefs, LowerContext, cast, fn, interval_ms, paren
from .duckdb_funcs import lower_function
from .duckdb_types import data_type, is_integer, timestamp_string_format

__all__ = [
    "FIELD_OF",
    "Cols",
    "LowerContext",
    "cast",
    "decimal_quotient",
    "fn",
    "interval_ms",
    "lower_expr",
    "paren",
]

# The input's columns by ordinal: the batch lowering's ColRefs (a new node per access), or any
# sequence of expressions (the streaming runtime's), whose elements are copied when used.
Cols = Sequence[exp.Expression]

_BINARY: MappingProxyType[str, type[exp.Binary]] = MappingProxyType(
    {
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
)


FIELD_OF = "struct_extract"  # a ROW value's field: FIELD_OF(row, 'name')


def lower_expr(e: Expr, cols: Cols, ctx: LowerContext) -> exp.Expression:
    """Lower one scalar expression over an input whose columns are `cols`."""
    if isinstance(e, ColumnRef):
        if e.index >= len(cols):
            raise InternalError(f"column ref {e.name} (#{e.index}) out of range in lowering")
        ref = cols[e.index]
        return ref if type(cols) is ColRefs else ref.copy()
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
        return fn(FIELD_OF, lower_expr(e.input, cols, ctx), exp.Literal.string(e.field_name))
    if isinstance(e, Call):
        return _lower_call(e, cols, ctx)
    raise InternalError(f"cannot lower expression {type(e).__name__}")


# -- literals ---------------------------------------------------------------------------------
def lower_literal(e: Literal, ctx: LowerContext) -> exp.Expression:
    v = e.value
    k = e.type.kind
    if v is None:
        return exp.Null() if e.type.is_null else cast(exp.Null(), e.type)
    if isinstance(v, bool):
        return exp.Boolean(this=v)
    if isinstance(v, int) and k is Kind.INTERVAL_YEAR_MONTH:
        return exp.Interval(this=exp.Literal.string(str(v)), unit=exp.Var(this="MONTH"))
    if isinstance(v, int):
        num = exp.Literal.number(v)
        # DuckDB types small integer literals as INTEGER; keep Flink's declared width.
        return num if k in (Kind.INT, Kind.DECIMAL) else cast(num, e.type)
    if isinstance(v, float):
        return cast(exp.Literal.number(repr(v)), e.type)
    if isinstance(v, Decimal):
        return cast(exp.Literal.number(str(v)), e.type)
    if isinstance(v, str):
        return exp.Literal.string(v)
    if isinstance(v, bytes):
        return fn("from_hex", exp.Literal.string(v.hex().upper()))
    if isinstance(v, dt.timedelta):
        return interval_ms(round(v.total_seconds() * 1000))
    if isinstance(v, dt.datetime):
        text = v.isoformat(sep=" ")
        return cast(exp.Literal.string(text), e.type)
    if isinstance(v, dt.date):
        return cast(exp.Literal.string(v.isoformat()), e.type)
    if isinstance(v, dt.time):
        return cast(exp.Literal.string(v.isoformat()), e.type)
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
            return fn("upper", cast(x, dst))
        if src.kind is Kind.TIMESTAMP or src.kind is Kind.TIMESTAMP_LTZ:
            # Flink pads the fraction to the type's precision: '2020-01-01 00:00:00.000'.
            return fn("strftime", x, exp.Literal.string(timestamp_string_format(src.precision)))
    if dst.kind is Kind.TIMESTAMP and dst.precision in (0, 3):
        src_precision = src.precision if src.kind is Kind.TIMESTAMP else None
        if src_precision is None or src_precision > dst.precision:
            # Flink truncates to the target precision (DuckDB's TIMESTAMP_MS cast rounds).
            unit = "second" if dst.precision == 0 else "millisecond"
            return fn("date_trunc", exp.Literal.string(unit), cast(x, dst, e.safe))
    if is_integer(dst) and src.is_string:
        text = ctx.macro("nrtg_integral_text" if e.safe else "nrtg_integral_text_strict", x)
        return cast(text, dst, e.safe)  # an out-of-range value: NULL (TRY_CAST) or an error
    if is_integer(dst) and (src.is_approx or src.kind is Kind.DECIMAL):
        # Flink truncates toward zero (Java narrowing); DuckDB rounds.
        return cast(fn("trunc", x), dst, e.safe)
    if src.kind is Kind.ROW and dst.kind is Kind.ROW and _renames_fields(src, dst):
        return _cast_row(x, src, dst, e.safe)
    return cast(x, dst, e.safe)


def _renames_fields(src: SqlType, dst: SqlType) -> bool:
    return len(src.fields) == len(dst.fields) and any(
        a.name != b.name for a, b in zip(src.fields, dst.fields, strict=True)
    )


def _cast_row(x: exp.Expression, src: SqlType, dst: SqlType, safe: bool) -> exp.Expression:
    """Flink casts a ROW field by field in order (`ROW(a, b)` into `ROW<x, y>`); DuckDB matches
    STRUCT fields by name."""
    pairs = [
        exp.PropertyEQ(
            this=exp.to_identifier(b.name, quoted=True),
            expression=cast(
                fn("struct_extract", x.copy(), exp.Literal.string(a.name)), b.type, safe
            ),
        )
        for a, b in zip(src.fields, dst.fields, strict=True)
    ]
    absent = exp.Is(this=paren(x.copy()), expression=exp.Null())
    return exp.Case(
        ifs=[exp.If(this=absent, true=cast(exp.Null(), dst))], default=exp.Struct(expressions=pairs)
    )


# -- calls ------------------------------------------------------------------------------------
def _lower_call(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    name = e.name
    special = _OPERATORS.get(name)
    if special is not None:
        return special(e, cols, ctx)
    args = [lower_expr(a, cols, ctx) for a in e.args]
    if name in _WRAPPING and is_integer(e.type) and len(args) == 2:
        wide = [_widened(a, e.type) for a in args]
        return wrapped(_BINARY[name](this=wide[0], expression=wide[1]), e.type, ctx)
    if name in _BINARY and len(args) == 2:
        out: exp.Expression = _BINARY[name](this=paren(args[0]), expression=paren(args[1]))
        if name in ("PLUS", "MINUS", "TIMES", "MOD") and e.type.kind is Kind.DECIMAL:
            # DuckDB's exact result, rounded HALF_UP to Flink's derived precision and scale.
            out = cast(out, e.type)
        return out
    lowered = lower_function(e, args, ctx)
    if lowered is None:
        arg_types = tuple(a.type.with_nullable(True) for a in e.args)
        lowered = ctx.udf(name, args, arg_types, e.type.with_nullable(True))
    if lowered is None:
        raise UnsupportedError(
            f"function {name} is not supported by the batch (DuckDB) target yet", e.span
        )
    return lowered


def _args(e: Call, cols: Cols, ctx: LowerContext) -> list[exp.Expression]:
    return [lower_expr(a, cols, ctx) for a in e.args]


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
    x = lower_expr(e.args[0], cols, ctx)
    if is_integer(e.type):  # -MIN_VALUE is MIN_VALUE in Java
        return wrapped(exp.Neg(this=_widened(x, e.type)), e.type, ctx)
    return exp.Neg(this=paren(x))


_WRAPPING = frozenset({"PLUS", "MINUS", "TIMES"})
_BITS = {Kind.TINYINT: 8, Kind.SMALLINT: 16, Kind.INT: 32, Kind.BIGINT: 64}


def _widened(x: exp.Expression, typ: SqlType) -> exp.Expression:
    """`x` in a type that holds any sum, difference or product of two `typ` values exactly."""
    wide = "HUGEINT" if typ.kind is Kind.BIGINT else "BIGINT"
    return exp.Cast(this=x, to=data_type(wide))


def wrapped(x: exp.Expression, typ: SqlType, ctx: LowerContext) -> exp.Expression:
    """`x` (exact, in a wider type) wrapped into integer type `typ` as Java's arithmetic does."""
    half = 1 << (_BITS[typ.kind] - 1)
    big = exp.Literal.number(half)
    mask = exp.Literal.number(2 * half - 1)
    return cast(ctx.macro("nrtg_wrap", x, big, mask), typ)


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
        return _decimal_divide(e, a, b, ctx)
    return exp.Div(this=a, expression=b)


def _decimal_divide(
    e: Call, a: exp.Expression, b: exp.Expression, ctx: LowerContext
) -> exp.Expression:
    """Flink derives DECIMAL(p, s) for a decimal quotient (1.0 / 3 = 0.333333333333) and rounds
    HALF_UP (DecimalDataUtils.divide); DuckDB's decimal division gives DOUBLE."""
    sa, sb = (_scale(x.type) for x in e.args)
    return decimal_quotient(a, sa, b, sb, e.type, ctx)


def decimal_quotient(
    a: exp.Expression, sa: int, b: exp.Expression, sb: int, result: SqlType, ctx: LowerContext
) -> exp.Expression:
    """a / b as DECIMAL `result`, exact: the unscaled values divide in HUGEINT,
    q = round_half_up(a * 10^sa * 10^k / (b * 10^sb)) with k = s - sa + sb, and q is scaled
    back by 10^-s. Operands beyond 38 digits overflow (an error, never a wrong digit)."""
    assert result.scale is not None
    k = result.scale - sa + sb

    def unscaled(x: exp.Expression, scale: int, extra: int) -> exp.Expression:
        scaled = exp.Mul(this=x, expression=exp.Literal.number(10**scale)) if scale else x
        out: exp.Expression = exp.Cast(this=scaled, to=data_type("HUGEINT"))
        if extra:
            ten = exp.Cast(this=exp.Literal.number(10**extra), to=data_type("HUGEINT"))
            out = exp.Mul(this=out, expression=ten)
        return out

    n = unscaled(a, sa, max(k, 0))
    d = unscaled(b, sb, max(-k, 0))
    q = ctx.macro("nrtg_div_half_up", n, d)
    digits = result.scale
    unit = exp.Literal.number("1" if not digits else "0." + "0" * (digits - 1) + "1")
    value = exp.Mul(this=exp.Cast(this=q, to=data_type("DECIMAL(38, 0)")), expression=unit)
    return cast(value, result)


def _scale(typ: SqlType) -> int:
    if typ.kind is Kind.DECIMAL:
        return typ.scale or 0
    if typ.is_integer:
        return 0
    raise UnsupportedError(f"decimal division with a {typ} operand in the batch target")


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
    # SIMILAR TO: the whole string matches a SQL regex (% any string, _ one character, '.'
    # literal, regex operators as in Java).
    pattern = e.args[1]
    if not (isinstance(pattern, Literal) and isinstance(pattern.value, str)):
        raise UnsupportedError("SIMILAR TO needs a literal pattern in the batch target")
    out: list[str] = []
    text = pattern.value
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append("\\" + text[i + 1])
            i += 2
            continue
        out.append({"%": ".*", "_": ".", ".": "\\."}.get(c, c))
        i += 1
    x = lower_expr(e.args[0], cols, ctx)
    return fn("regexp_full_match", x, exp.Literal.string("".join(out)))


def _concat(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    # Flink CONCAT / ||: NULL if any argument is NULL. DuckDB's concat() skips NULLs, its ||
    # propagates them.
    args = [paren(a) for a in _args(e, cols, ctx)]
    out = args[0]
    for a in args[1:]:
        out = exp.DPipe(this=out, expression=a, safe=False)
    return out


def _if(e: Call, cols: Cols, ctx: LowerContext) -> exp.Expression:
    c, a, b = _args(e, cols, ctx)
    return exp.Case(ifs=[exp.If(this=c, true=a)], default=b)


_OPERATORS: MappingProxyType[str, Callable[[Call, Cols, LowerContext], exp.Expression]] = (
    MappingProxyType(
        {
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
            "IF": _if,
        }
    )
)
