"""SQL-like text for scalar expressions: stable, used by explain output and golden files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from nrtg.catalog.types import Kind

from .expr import AggCall, Call, Case, Cast, ColumnRef, Expr, FieldAccess, Literal

INFIX = {
    "PLUS": "+",
    "MINUS": "-",
    "TIMES": "*",
    "DIVIDE": "/",
    "EQUALS": "=",
    "NOT_EQUALS": "<>",
    "LESS_THAN": "<",
    "LESS_THAN_OR_EQUAL": "<=",
    "GREATER_THAN": ">",
    "GREATER_THAN_OR_EQUAL": ">=",
    "AND": "AND",
    "OR": "OR",
    "CONCAT_OP": "||",
    "LIKE": "LIKE",
    "SIMILAR_TO": "SIMILAR TO",
    "IS_DISTINCT_FROM": "IS DISTINCT FROM",
    "IS_NOT_DISTINCT_FROM": "IS NOT DISTINCT FROM",
}
POSTFIX = {
    "IS_NULL": "IS NULL",
    "IS_NOT_NULL": "IS NOT NULL",
    "IS_TRUE": "IS TRUE",
    "IS_FALSE": "IS FALSE",
    "IS_NOT_TRUE": "IS NOT TRUE",
    "IS_NOT_FALSE": "IS NOT FALSE",
}


def sql(e: Expr, names: tuple[str, ...] | None = None) -> str:
    """Render `e`; with `names`, column references print the input's current column names."""
    return _sql(e, names, top=True)


def _sql(e: Expr, names: tuple[str, ...] | None, top: bool = False) -> str:
    if isinstance(e, ColumnRef):
        name = names[e.index] if names is not None and e.index < len(names) else e.name
        return _ident(name)
    if isinstance(e, Literal):
        return literal(e)
    if isinstance(e, Cast):
        fn = "TRY_CAST" if e.safe else "CAST"
        return f"{fn}({_sql(e.input, names, True)} AS {e.type.with_nullable(True)})"
    if isinstance(e, FieldAccess):
        return f"{_sql(e.input, names)}.{_ident(e.field_name)}"
    if isinstance(e, Case):
        parts = ["CASE"]
        for c, v in e.whens:
            parts.append(f"WHEN {_sql(c, names, True)} THEN {_sql(v, names, True)}")
        if e.default is not None:
            parts.append(f"ELSE {_sql(e.default, names, True)}")
        parts.append("END")
        return " ".join(parts)
    if isinstance(e, Call):
        args = e.args
        if e.name in INFIX and len(args) >= 2:
            text = f" {INFIX[e.name]} ".join(_sql(a, names) for a in args)
            return text if top else f"({text})"
        if e.name in POSTFIX:
            text = f"{_sql(args[0], names)} {POSTFIX[e.name]}"
            return text if top else f"({text})"
        if e.name == "NOT":
            return f"NOT {_sql(args[0], names)}"
        if e.name == "UNARY_MINUS":
            return f"-{_sql(args[0], names)}"
        if e.name == "IN":
            inner = ", ".join(_sql(a, names, True) for a in args[1:])
            return f"{_sql(args[0], names)} IN ({inner})"
        return f"{e.name}({', '.join(_sql(a, names, True) for a in args)})"
    raise TypeError(type(e).__name__)


def _ident(name: str) -> str:
    if name.replace("_", "a").isalnum() and not name[:1].isdigit():
        return name
    return "`" + name.replace("`", "``") + "`"


def literal(e: Literal) -> str:
    v = e.value
    if v is None:
        return "NULL" if e.type.is_null else f"CAST(NULL AS {e.type.with_nullable(True)})"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    if isinstance(v, dt.timedelta):
        return interval_text(v)
    if isinstance(v, dt.datetime):
        return f"TIMESTAMP '{v.isoformat(sep=' ', timespec='milliseconds')}'"
    if isinstance(v, dt.date):
        return f"DATE '{v.isoformat()}'"
    if isinstance(v, dt.time):
        return f"TIME '{v.isoformat()}'"
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, int) and e.type.kind is Kind.INTERVAL_YEAR_MONTH:
        return f"INTERVAL '{v}' MONTH"
    if isinstance(v, bytes):
        return "X'" + v.hex().upper() + "'"
    return repr(v) if isinstance(v, float) else str(v)


def interval_text(v: dt.timedelta) -> str:
    ms = round(v.total_seconds() * 1000)
    for unit, size in (
        ("DAY", 86_400_000),
        ("HOUR", 3_600_000),
        ("MINUTE", 60_000),
        ("SECOND", 1000),
    ):
        if ms % size == 0:
            return f"INTERVAL '{ms // size}' {unit}"
    return f"INTERVAL '{ms / 1000:.3f}' SECOND"


def agg(a: AggCall, names: tuple[str, ...]) -> str:
    args = (
        ", ".join(_ident(names[i]) for i in a.args)
        if a.args
        else ("*" if a.name == "COUNT" else "")
    )
    text = f"{a.name}({'DISTINCT ' if a.distinct else ''}{args})"
    if a.filter is not None:
        text += f" FILTER (WHERE {_ident(names[a.filter])})"
    return f"{text} AS {_ident(a.alias)}" if a.alias else text
