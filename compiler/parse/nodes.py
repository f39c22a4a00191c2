"""sqlglot expression nodes for Flink syntax that sqlglot has no node for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, TypeVar

from sqlglot import exp
from sqlglot.tokenizer_core import Token

from nrtg.catalog.errors import Span
from nrtg.catalog.types import SqlType

E = TypeVar("E", bound=exp.Expr)
T = TypeVar("T")

__all__ = [
    "TVF_ARGS",
    "JsonQuery",
    "WindowTVF",
    "find_all",
    "flink_type",
    "is_typed_literal",
    "mark_span",
    "operands",
    "positions",
    "span_of",
]

# Positional parameter order of each window TVF after DATA and TIMECOL (Flink docs).
TVF_ARGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required, optional)
    "TUMBLE": (("size",), ("offset",)),
    "HOP": (("slide", "size"), ("offset",)),
    "CUMULATE": (("step", "size"), ("offset",)),
    "SESSION": (("gap",), ()),
}


class WindowTVF(exp.Expression):
    """`TABLE(TUMBLE|HOP|CUMULATE|SESSION(TABLE t [PARTITION BY k], DESCRIPTOR(ts), ...)) [AS w]`.

    `kind` is the upper-case window name (a str); `this` the input table (exp.Table);
    `partition_by` a list of Column (SESSION); `descriptor` the Column of the time attribute;
    `size`/`slide`/`step`/`gap`/`offset` interval expressions; `alias` an exp.TableAlias.
    """

    arg_types: ClassVar[dict[str, bool]] = {
        "kind": True,
        "this": True,
        "partition_by": False,
        "descriptor": True,
        "size": False,
        "slide": False,
        "step": False,
        "gap": False,
        "offset": False,
        "alias": False,
    }

    @property
    def kind(self) -> str:
        return str(self.args["kind"])


class JsonQuery(exp.Expression):
    """`JSON_QUERY(doc, path [RETURNING type] [wrapper] [behavior ON EMPTY] [behavior ON
    ERROR])` (sqlglot's JSON_VALUE and JSON_EXISTS nodes fit Flink's; it has none for this).

    `returning` a DataType carrying its SqlType; `wrapper` "WITHOUT", "CONDITIONAL" or
    "UNCONDITIONAL"; `on_condition` an exp.OnCondition whose `empty`/`error` are sqlglot's
    strings ("EMPTY ARRAY ON EMPTY").
    """

    arg_types: ClassVar[dict[str, bool]] = {
        "this": True,
        "path": True,
        "returning": False,
        "wrapper": False,
        "on_condition": False,
    }


def flink_type(node: exp.Expression) -> SqlType | None:
    """The SqlType of a CAST/TRY_CAST (or of its `to` DataType), from the Flink type grammar."""
    if isinstance(node, exp.Cast):
        to = node.args.get("to")
        if to is None:
            return None
        node = to
    value: Any = node.meta.get("sql_type") if node._meta else None
    return value if isinstance(value, SqlType) else None


def is_typed_literal(node: exp.Expression) -> bool:
    """True for `TIMESTAMP '...'`-style literals, which parse into a Cast of a string literal."""
    return isinstance(node, exp.Cast) and bool(node._meta and node.meta.get("typed_literal"))


def span_of(node: exp.Expr) -> Span | None:
    """Character offsets covering `node` (the union over it and its descendants' tokens).
    Memoized on the node (`meta["_span"]` for the bounds, `meta["_span_obj"]` for the Span,
    since the binder asks most nodes more than once), so asking every node costs O(n)."""
    meta = node._meta
    if meta is not None:
        known = meta.get("_span_obj", _UNKNOWN)
        if known is not _UNKNOWN:
            return known  # type: ignore[return-value]
    bounds = _bounds(node)
    span = None if bounds is None else Span(bounds[0], bounds[1] + 1)
    node.meta["_span_obj"] = span
    return span


_UNKNOWN = object()


def _bounds(node: exp.Expr) -> tuple[int, int] | None:
    meta = node._meta
    if meta is None:
        start = end = None
    else:
        if "_span" in meta:
            cached: tuple[int, int] | None = meta["_span"]
            return cached
        start = meta.get("start")
        end = meta.get("end")
        if start is None or end is None:
            start = end = None
    # The children as iter_expressions yields them, without its generator: binding asks the
    # span of nearly every node. An Identifier (a leaf: every column has one or more) is
    # read in place rather than through a call that would also memoize its bounds.
    for value in node.args.values():
        children = value if isinstance(value, list) else (value,)
        for child in children:
            if type(child) is exp.Identifier:
                m = child._meta
                b = None if m is None else _leaf_bounds(m)
            elif isinstance(child, exp.Expr):
                b = _bounds(child)
            else:
                continue
            if b is not None:
                start = b[0] if start is None or b[0] < start else start
                end = b[1] if end is None or b[1] > end else end
    result = None if start is None or end is None else (start, end)
    node.meta["_span"] = result
    return result


def _leaf_bounds(meta: dict[str, Any]) -> tuple[int, int] | None:
    start, end = meta.get("start"), meta.get("end")
    return None if start is None or end is None else (start, end)


def operands(node: exp.Expr) -> list[exp.Expr]:
    """The child nodes, as `node.iter_expressions()` yields them; a list rather than a
    generator, since the parser's checks and the binder walk every tree several times."""
    out: list[exp.Expr] = []
    for value in node.args.values():
        if isinstance(value, list):
            out.extend(v for v in value if isinstance(v, exp.Expr))
        elif isinstance(value, exp.Expr):
            out.append(value)
    return out


def find_all(node: exp.Expr, kind: type[E] | tuple[type[E], ...]) -> list[E]:
    """The nodes of type `kind` in the tree, breadth-first as `node.find_all(kind)` yields them."""
    found: list[E] = []
    queue = [node]
    for x in queue:  # the queue grows while it is read: breadth-first
        if isinstance(x, kind):
            found.append(x)
        queue.extend(operands(x))
    return found


def positions(items: list[T], value: T) -> Iterator[int]:
    """The indexes of `value` in `items`, found by list.index (a C loop)."""
    i = -1
    try:
        while True:
            i = items.index(value, i + 1)
            yield i
    except ValueError:
        return


def mark_span(node: exp.Expr, start: Token, end: Token) -> None:
    """Widen node.meta `start`/`end` (sqlglot's convention: end inclusive) to [start, end]."""
    meta = node.meta
    s = meta.get("start")
    e = meta.get("end")
    meta["start"] = start.start if s is None else min(s, start.start)
    meta["end"] = end.end if e is None else max(e, end.end)
    if "line" not in meta:
        meta["line"] = start.line
        meta["col"] = start.col
