"""Python scalar UDFs (`CREATE FUNCTION f AS 'module.attr' LANGUAGE PYTHON`): their result type.

The callable declares its result type as a Flink type string in a `result_type` attribute
(what PyFlink's `@udf(result_type=...)` takes), or through its return annotation
(int -> BIGINT, float -> DOUBLE, str -> STRING, bool -> BOOLEAN, bytes -> BYTES).
"""

from __future__ import annotations

import importlib
from typing import Any

from nrtg.catalog import types as t
from nrtg.catalog.schema import FunctionDef
from nrtg.catalog.type_parser import parse_flink_type

from ..errors import BindError, UnsupportedError

_ANNOTATIONS: dict[Any, t.SqlType] = {
    int: t.bigint(),
    float: t.double(),
    str: t.string(),
    bool: t.boolean(),
    bytes: t.bytes_(),
    "int": t.bigint(),
    "float": t.double(),
    "str": t.string(),
    "bool": t.boolean(),
    "bytes": t.bytes_(),
}


def load_udf(fn: FunctionDef) -> Any:
    if fn.language != "PYTHON":
        raise UnsupportedError(
            f"function {fn.ident.name} is implemented in {fn.language} ('{fn.class_name}'); "
            "nrtg runs Python UDFs only",
            hint=f"CREATE FUNCTION {fn.ident.name} AS 'module.attr' LANGUAGE PYTHON",
        )
    module_name, _, attr = fn.class_name.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError, ValueError) as e:
        raise BindError(
            f"cannot load Python function '{fn.class_name}' for {fn.ident.name}: {e}"
        ) from e


def resolve_udf(fn: FunctionDef) -> t.SqlType:
    target = load_udf(fn)
    declared = getattr(target, "result_type", None)
    if isinstance(declared, str):
        return parse_flink_type(declared)
    annotation = getattr(target, "__annotations__", {}).get("return")
    if annotation in _ANNOTATIONS:
        return _ANNOTATIONS[annotation]
    raise BindError(
        f"Python function '{fn.class_name}' declares no result type",
        hint="set `result_type = 'BIGINT'` on the function or annotate its return type",
    )
