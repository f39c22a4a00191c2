"""The SQL/JSON query functions (Flink "System (Built-in) Functions" page, JSON Functions):
JSON_VALUE, JSON_QUERY and JSON_EXISTS with their RETURNING, wrapper and ON EMPTY / ON ERROR
clauses.

The parser gives the clauses (dialect.py `_parse_json_fn`); a bound call carries the ones that
differ from Flink's defaults as trailing literal arguments, so that the lowering reads them:

- JSON_VALUE(doc, path[, empty, empty_default, error, error_default]): a behavior is 'NULL',
  'ERROR' or 'DEFAULT' (then its default is the expression, else a NULL literal); the RETURNING
  type is the call's type. Defaults: NULL ON EMPTY, NULL ON ERROR, RETURNING STRING.
- JSON_QUERY(doc, path[, wrapper, empty, error]): wrapper 'WITHOUT', 'CONDITIONAL' or
  'UNCONDITIONAL'; a behavior 'NULL', 'ERROR', 'EMPTY ARRAY' or 'EMPTY OBJECT'; the type is
  STRING or ARRAY<STRING>. Defaults: WITHOUT ARRAY WRAPPER, NULL ON EMPTY, NULL ON ERROR.
- JSON_EXISTS(doc, path[, error]): 'TRUE', 'FALSE', 'UNKNOWN' or 'ERROR'; default FALSE ON ERROR.
"""

from __future__ import annotations

from nrtg.catalog import types as t
from nrtg.catalog.errors import Span
from nrtg.catalog.types import Kind, SqlType

from ..errors import TypeCheckError
from ..plan.expr import Call, Cast, Expr, Literal
from . import coercion
from .functions_base import Spec, arg_error, custom, show

# A behavior as the binder passes it: the keyword(s) before ON EMPTY / ON ERROR, or the bound
# expression of DEFAULT <expr>; None when the clause is absent.
Behavior = str | Expr | None

# JSON_VALUE's RETURNING types: Flink 2.3's (STRING, BOOLEAN, INT, DOUBLE), the other numeric
# types FLINK-40463 adds, and the temporal types (from a JSON string, as CAST reads it).
_VALUE_KINDS = frozenset(
    {
        Kind.CHAR,
        Kind.VARCHAR,
        Kind.BOOLEAN,
        Kind.TINYINT,
        Kind.SMALLINT,
        Kind.INT,
        Kind.BIGINT,
        Kind.FLOAT,
        Kind.DOUBLE,
        Kind.DECIMAL,
        Kind.DATE,
        Kind.TIME,
        Kind.TIMESTAMP,
    }
)


def _keyword(word: str) -> Literal:
    return Literal(value=word, type=coercion.char(len(word), nullable=False))


def _string_arg(name: str, position: int, e: Expr, span: Span | None) -> Expr:
    if e.type.is_null:
        return Cast(input=e, type=t.string(), span=e.span)
    if not e.type.is_string:
        raise arg_error(name, position, "STRING", e.type, span)
    return e


def json_value(
    doc: Expr,
    path: Expr,
    returning: SqlType | None,
    on_empty: Behavior,
    on_error: Behavior,
    span: Span | None,
) -> Call:
    name = "JSON_VALUE"
    doc, path = _string_arg(name, 1, doc, span), _string_arg(name, 2, path, span)
    rtype = (returning or t.string()).with_nullable(True)
    if rtype.kind not in _VALUE_KINDS:
        raise TypeCheckError(
            f"JSON_VALUE cannot return {show(rtype)}",
            span,
            hint="RETURNING STRING, BOOLEAN, an integer type, FLOAT, DOUBLE, DECIMAL, DATE, "
            "TIME or TIMESTAMP (JSON_QUERY returns objects and arrays)",
        )
    args: tuple[Expr, ...] = (doc, path)
    if on_empty is not None or on_error is not None:
        args += (*_value_behavior(on_empty, rtype, span), *_value_behavior(on_error, rtype, span))
    return Call(name=name, args=args, type=rtype, span=span)


def _value_behavior(b: Behavior, rtype: SqlType, span: Span | None) -> tuple[Expr, Expr]:
    """(mode keyword, default) of one JSON_VALUE clause. A DEFAULT must convert to the
    RETURNING type: any value to a string (Flink takes its String.valueOf), otherwise a value
    of a type that converts implicitly."""
    null = Literal(value=None, type=t.null())
    if b is None or isinstance(b, str):
        return _keyword(b or "NULL"), null
    if not b.type.is_null:
        fits = (
            coercion.can_cast(b.type, rtype)
            if rtype.is_string
            else coercion.common_type([b.type, rtype]) is not None
        )
        if not fits:
            raise TypeCheckError(
                f"JSON_VALUE DEFAULT {show(b.type)} does not fit RETURNING {show(rtype)}", span
            )
    return _keyword("DEFAULT"), b


def json_query(
    doc: Expr,
    path: Expr,
    returning: SqlType | None,
    wrapper: str | None,
    on_empty: str | None,
    on_error: str | None,
    span: Span | None,
) -> Call:
    name = "JSON_QUERY"
    doc, path = _string_arg(name, 1, doc, span), _string_arg(name, 2, path, span)
    rtype = (returning or t.string()).with_nullable(True)
    element = rtype.element if rtype.kind is Kind.ARRAY else None
    if not (rtype.is_string or (element is not None and element.is_string)):
        raise TypeCheckError(
            f"JSON_QUERY cannot return {show(rtype)}",
            span,
            hint="RETURNING STRING or ARRAY<STRING>",
        )
    args: tuple[Expr, ...] = (doc, path)
    if wrapper is not None or on_empty is not None or on_error is not None:
        modes = (wrapper or "WITHOUT", on_empty or "NULL", on_error or "NULL")
        args += tuple(_keyword(m) for m in modes)
    return Call(name=name, args=args, type=rtype, span=span)


def json_exists(doc: Expr, path: Expr, on_error: str | None, span: Span | None) -> Call:
    name = "JSON_EXISTS"
    doc, path = _string_arg(name, 1, doc, span), _string_arg(name, 2, path, span)
    args: tuple[Expr, ...] = (doc, path)
    if on_error is not None and on_error != "FALSE":
        args += (_keyword(on_error),)
    nullable = doc.type.nullable or path.type.nullable or on_error == "UNKNOWN"
    return Call(name=name, args=args, type=t.boolean(nullable), span=span)


_ON_NULL = frozenset({"NULL", "ABSENT"})


def _on_null(name: str, args: tuple[Expr, ...], span: Span | None) -> str:
    mode = args[-1].value if args and isinstance(args[-1], Literal) else None
    if not (isinstance(mode, str) and mode in _ON_NULL):
        raise TypeCheckError(f"function {name} needs its ON NULL behavior last", span)
    return mode


def _json_object(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """JSON_OBJECT(key1, value1, ..., on_null): keys are non-NULL string literals (Flink)."""
    _on_null(name, args, span)
    pairs = args[:-1]
    for key in pairs[0::2]:
        if not (isinstance(key, Literal) and isinstance(key.value, str)):
            raise TypeCheckError(f"{name} keys must be string literals", key.span or span)
    return Call(name=name, args=args, type=t.string(False), span=span)


def _json_array(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """JSON_ARRAY(value1, ..., on_null)."""
    _on_null(name, args, span)
    return Call(name=name, args=args, type=t.string(False), span=span)


def json_constructor(name: str, args: tuple[Expr, ...], on_null: str, span: Span | None) -> Expr:
    """JSON_OBJECT (keys and values alternating) or JSON_ARRAY as the binder passes them, with
    the ON NULL behavior as a trailing literal."""
    rule = _json_object if name == "JSON_OBJECT" else _json_array
    return rule(name, (*args, _keyword(on_null)), span)


def _is_json(name: str, args: tuple[Expr, ...], span: Span | None) -> Expr:
    """`value IS JSON [VALUE | SCALAR | ARRAY | OBJECT]`: IS_JSON(value, kind), never NULL."""
    value, kind = args
    value = _string_arg("IS JSON", 1, value, span)
    return Call(name=name, args=(value, kind), type=t.boolean(False), span=span)


# An operator: `IS JSON` is syntax, not a function a query may call by name.
IS_JSON = custom("IS_JSON", 2, 2, "value IS [NOT] JSON [VALUE | SCALAR | ARRAY | OBJECT]", _is_json)

JSON_FUNCTIONS: tuple[Spec, ...] = (
    custom(
        "JSON_OBJECT",
        1,
        None,
        "JSON_OBJECT([[KEY] key VALUE value]* [{NULL | ABSENT} ON NULL]) -> STRING: a JSON "
        "object (NULL ON NULL by default)",
        _json_object,
    ),
    custom(
        "JSON_ARRAY",
        1,
        None,
        "JSON_ARRAY([value]* [{NULL | ABSENT} ON NULL]) -> STRING: a JSON array (ABSENT ON "
        "NULL by default)",
        _json_array,
    ),
    custom(
        "JSON_VALUE",
        2,
        2,
        "JSON_VALUE(jsonValue, path [RETURNING type] [{NULL | ERROR | DEFAULT expr} ON EMPTY] "
        "[{NULL | ERROR | DEFAULT expr} ON ERROR]) -> the scalar at the JSON path",
        lambda name, args, span: json_value(args[0], args[1], None, None, None, span),
    ),
    custom(
        "JSON_QUERY",
        2,
        2,
        "JSON_QUERY(jsonValue, path [RETURNING STRING | ARRAY<STRING>] [{WITHOUT | WITH "
        "[CONDITIONAL | UNCONDITIONAL]} [ARRAY] WRAPPER] [{NULL | EMPTY ARRAY | EMPTY OBJECT | "
        "ERROR} ON EMPTY] [... ON ERROR]) -> the JSON at the path",
        lambda name, args, span: json_query(args[0], args[1], None, None, None, None, span),
    ),
    custom(
        "JSON_EXISTS",
        2,
        2,
        "JSON_EXISTS(jsonValue, path [{TRUE | FALSE | UNKNOWN | ERROR} ON ERROR]) -> BOOLEAN",
        lambda name, args, span: json_exists(args[0], args[1], None, span),
    ),
)
