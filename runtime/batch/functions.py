"""Python UDF registration for the batch runtime, and Java-style value rendering (the print
sink shows values as Flink's Row.toString does)."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import struct
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from nrtg.compiler.lower.duckdb_context import PythonUdf


def java_double_to_string(d: float) -> str:
    """Java's Double.toString: plain notation in [1e-3, 1e7), else `d.dddE<exp>`."""
    if math.isnan(d):
        return "NaN"
    if math.isinf(d):
        return "Infinity" if d > 0 else "-Infinity"
    return _java_float_text(d, repr(abs(d)))


def java_float_to_string(f: float) -> str:
    """Java's Float.toString, from the shortest decimal that round-trips through float32."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    a = abs(f)
    target = struct.pack("<f", a)
    text = repr(a)
    for p in range(1, 10):
        candidate = f"{a:.{p}g}"
        if struct.pack("<f", float(candidate)) == target:
            text = candidate
            break
    return _java_float_text(f, text)


def _java_float_text(value: float, shortest: str) -> str:
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0.0"
    digits_t = Decimal(shortest).as_tuple()
    digits = "".join(str(x) for x in digits_t.digits).lstrip("0")
    exponent = int(digits_t.exponent) + (len(digits_t.digits) - len(digits) if digits else 0)
    # value = int(digits) * 10**exponent, with trailing zeros stripped
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped or "0"
    sci = len(digits) - 1 + exponent  # value = d.ddd * 10**sci
    if -3 <= sci < 7:
        if exponent >= 0:
            return f"{sign}{digits}{'0' * exponent}.0"
        point = len(digits) + exponent
        if point > 0:
            return f"{sign}{digits[:point]}.{digits[point:]}"
        return f"{sign}0.{'0' * -point}{digits}"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{sci}"


def java_value(v: Any) -> str:
    """A value as Flink's print sink shows it (Row.toString of Java objects)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return java_double_to_string(v)
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return _java_instant(v)
    if isinstance(v, dt.datetime):
        return _java_local_datetime(v)
    if isinstance(v, dt.time):
        return _java_time(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(java_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{java_value(k)}={java_value(x)}" for k, x in v.items()) + "}"
    return str(v)


def _java_time(t: dt.time) -> str:
    text = f"{t.hour:02d}:{t.minute:02d}"
    if t.second or t.microsecond:
        text += f":{t.second:02d}"
    if t.microsecond:
        us = f"{t.microsecond:06d}"
        text += "." + (us[:3] if us.endswith("000") else us)
    return text


def _java_instant(v: dt.datetime) -> str:
    # java.time.Instant.toString (TIMESTAMP_LTZ): UTC, seconds always, fraction when set.
    u = v.astimezone(dt.UTC)
    text = f"{u.date().isoformat()}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
    if u.microsecond:
        us = f"{u.microsecond:06d}"
        text += "." + (us[:3] if us.endswith("000") else us)
    return text + "Z"


def _java_local_datetime(v: dt.datetime) -> str:
    # java.time.LocalDateTime.toString: 2020-01-01T10:00, seconds and fraction only when set.
    return f"{v.date().isoformat()}T{_java_time(v.time())}"


def register_udfs(con: duckdb.DuckDBPyConnection, udfs: tuple[PythonUdf, ...]) -> None:
    """Register a query's Python UDFs as Arrow-vectorized DuckDB functions: the callable is
    applied per row (NULL arguments included, as PyFlink passes None). DuckDB needs numpy for
    any Python function."""
    import importlib

    from nrtg.catalog.errors import ExecutionError
    from nrtg.catalog.type_mapping import to_arrow_type
    from nrtg.compiler.lower.duckdb_types import duck_type_text

    for u in udfs:
        module_name, _, attr = u.class_name.rpartition(".")
        try:
            target = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as e:
            raise ExecutionError(f"cannot load Python function {u.class_name}: {e}") from e
        with contextlib.suppress(Exception):  # not registered yet on this connection
            con.remove_function(u.sql_name)
        try:
            con.create_function(
                u.sql_name,
                _row_wise(target, to_arrow_type(u.result_type), len(u.arg_types)),
                [duck_type_text(a) for a in u.arg_types],
                duck_type_text(u.result_type),
                type="arrow",
                null_handling="special",
                side_effects=True,
            )
        except Exception as e:
            raise ExecutionError(f"cannot register Python function {u.class_name}: {e}") from e


def _row_wise(target: Callable[..., Any], result_type: Any, arity: int) -> Callable[..., Any]:
    import inspect

    def apply(*columns: Any) -> Any:
        import pyarrow as pa

        values = [c.to_pylist() for c in columns]
        n = len(values[0]) if values else 0
        return pa.array([target(*(v[i] for v in values)) for i in range(n)], type=result_type)

    # DuckDB checks the parameter count against the signature.
    params = [inspect.Parameter(f"a{i}", inspect.Parameter.POSITIONAL_ONLY) for i in range(arity)]
    apply.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return apply
