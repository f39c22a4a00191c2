"""fold_constants: evaluate constant scalar expressions at compile time, with Flink semantics.

    Filter: predicate=price > CAST(10 AS BIGINT)       Filter: predicate=price > 10
      Project: exprs=[7 / 2 AS q, MOD(-7, 2) AS m]  =>   Project: exprs=[3 AS q, -1 AS m]
    Filter: predicate=TRUE                             (removed)

Folds arithmetic (`+ - * / MOD`, unary minus), comparisons, `IS [NOT] NULL`, AND/OR/NOT and `||`
on INT-family/DECIMAL/STRING/BOOLEAN literals, and CASTs of literals between exact numerics and
strings; simplifies `x AND TRUE`, `x OR FALSE`, `NOT NOT x` and CASE branches with literal
conditions. Integer `/` truncates toward zero,
MOD takes the dividend's sign, DECIMAL results round HALF_UP to the result type's scale. A folded
literal has exactly the call's type. Overflow, division by zero and non-deterministic calls are
left to run time.
"""

from __future__ import annotations

import operator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from nrtg.catalog.types import INTEGER_PRECISION, Kind, SqlType

from ...plan.expr import (
    NONDETERMINISTIC,
    TRUE,
    Call,
    Case,
    Cast,
    Expr,
    FieldAccess,
    Literal,
    is_deterministic,
)
from ...plan.nodes import Filter, Join, Plan, Project
from ..driver import RuleContext, rule

_CMP = {
    "EQUALS": lambda a, b: a == b,
    "NOT_EQUALS": lambda a, b: a != b,
    "LESS_THAN": lambda a, b: a < b,
    "LESS_THAN_OR_EQUAL": lambda a, b: a <= b,
    "GREATER_THAN": lambda a, b: a > b,
    "GREATER_THAN_OR_EQUAL": lambda a, b: a >= b,
}
_ARITH = frozenset({"PLUS", "MINUS", "TIMES", "DIVIDE", "MOD"})
_LOGICAL = frozenset({"AND", "OR", "NOT"})


@rule(Filter, Join, Project, order="bottom_up", phase="logical")
def fold_constants(node: Plan, ctx: RuleContext) -> Plan:
    """Folds the expressions of Project, Filter and Join; drops Filter(TRUE)."""
    match node:
        case Project(exprs=exprs):
            folded = tuple(_fold(e) for e in exprs)
            if all(a is b for a, b in zip(folded, exprs, strict=True)):
                return node
            return node.replace(exprs=folded)
        case Filter(predicate=pred):
            new = _fold(pred)
            if new == TRUE or (isinstance(new, Literal) and new.value is True):
                return node.input
            return node if new is pred else node.replace(predicate=new)
        case Join(condition=cond):
            new = _fold(cond)
            return node if new is cond else node.replace(condition=new)
    return node


def _fold(e: Expr) -> Expr:
    """`e` with every constant subexpression evaluated; `e` itself when nothing folds."""
    if not e.children:
        return e
    if isinstance(e, Cast):
        inner = _fold(e.input)
        out = _cast(inner, e.type) if isinstance(inner, Literal) and not e.safe else None
        if out is not None:
            return out
        return e if inner is e.input else e.replace(input=inner)
    if isinstance(e, FieldAccess):
        inner = _fold(e.input)
        return e if inner is e.input else e.replace(input=inner)
    if isinstance(e, Case):
        whens = tuple((_fold(c), _fold(v)) for c, v in e.whens)
        default = None if e.default is None else _fold(e.default)
        same = default is e.default and all(
            a is c and b is v for (a, b), (c, v) in zip(whens, e.whens, strict=True)
        )
        folded = e if same else e.replace(whens=whens, default=default)
        assert isinstance(folded, Case)
        return _case(folded)
    if not isinstance(e, Call):
        return e
    args = tuple([_fold(a) for a in e.args])
    call = e if all(map(operator.is_, args, e.args)) else e.replace(args=args)
    assert isinstance(call, Call)
    if call.name in NONDETERMINISTIC:
        return call
    if call.name not in _LOGICAL and not all(isinstance(a, Literal) for a in args):
        return call  # only AND/OR/NOT simplify with operands that are not literals
    return _simplify(call) or call


def _lit(value: object, type: SqlType) -> Literal:
    return Literal(value=value, type=type)  # type: ignore[arg-type]


def _retype(e: Expr, type: SqlType) -> Expr:
    return e if e.type == type else Cast(input=e, type=type)


def _simplify(c: Call) -> Expr | None:
    args = c.args
    values = [a.value if isinstance(a, Literal) else _NOT_CONST for a in args]
    const = all(v is not _NOT_CONST for v in values)
    if c.name in ("AND", "OR"):
        return _logical(c, values)
    if c.name == "NOT":
        (a,) = args
        if isinstance(a, Call) and a.name == "NOT":
            return _retype(a.args[0], c.type)
        if const:
            return _lit(None if values[0] is None else not values[0], c.type)
        return None
    if not const:
        return None
    if c.name in ("IS_NULL", "IS_NOT_NULL"):
        return _lit((values[0] is None) == (c.name == "IS_NULL"), c.type)
    if any(not _foldable_type(a.type) for a in args):
        return None
    if c.name in ("IS_DISTINCT_FROM", "IS_NOT_DISTINCT_FROM"):
        if not _comparable(args):
            return None
        same = values[0] == values[1]
        return _lit(same == (c.name == "IS_NOT_DISTINCT_FROM"), c.type)
    if None in values:
        strict = c.name in _CMP or c.name in _ARITH or c.name in ("CONCAT_OP", "UNARY_MINUS")
        return _lit(None, c.type) if strict else None
    if c.name in _CMP and _comparable(args):
        return _lit(_CMP[c.name](values[0], values[1]), c.type)
    if c.name == "CONCAT_OP" and all(isinstance(v, str) for v in values):
        return _lit("".join(values), c.type)  # type: ignore[arg-type]
    if c.name == "UNARY_MINUS":
        return _number(-values[0], c.type)  # type: ignore[operator]
    if c.name in _ARITH:
        return _arith(c.name, values[0], values[1], c.type)
    return None


_NOT_CONST = object()


def _case(e: Case) -> Expr:
    """Branches whose condition is literally FALSE or NULL go; a literally TRUE first branch
    is the answer."""
    whens = tuple(
        (c, v) for c, v in e.whens if not (isinstance(c, Literal) and c.value is not True)
    )
    if whens and isinstance(whens[0][0], Literal):
        return _retype(whens[0][1], e.type)
    if not whens:
        return _retype(e.default, e.type) if e.default is not None else _lit(None, e.type)
    return e if len(whens) == len(e.whens) else e.replace(whens=whens)


def _logical(c: Call, values: list[object]) -> Expr | None:
    """Three-valued AND/OR: drop the neutral literal, absorb into the dominant one."""
    neutral, dominant = (True, False) if c.name == "AND" else (False, True)
    if any(v is dominant for v in values) and all(is_deterministic(a) for a in c.args):
        return _lit(dominant, c.type)
    kept = [a for a, v in zip(c.args, values, strict=True) if v is not neutral]
    if len(kept) == len(c.args):
        return None
    if not kept:
        return _lit(neutral, c.type)
    if len(kept) == 1:
        return _retype(kept[0], c.type)
    return c.replace(args=tuple(kept))


def _foldable_type(t: SqlType) -> bool:
    return t.is_integer or t.is_string or t.is_boolean or t.is_null or t.kind is Kind.DECIMAL


def _comparable(args: tuple[Expr, ...]) -> bool:
    """Strings compare like Python only when CHAR padding cannot matter."""
    strings = [a for a in args if a.type.is_string]
    if not strings:
        return True
    texts = [a.value for a in strings if isinstance(a, Literal)]
    return all(isinstance(s, str) and all(ch > " " for ch in s) for s in texts)


def _arith(op: str, a: object, b: object, type: SqlType) -> Literal | None:
    if not isinstance(a, int | Decimal) or not isinstance(b, int | Decimal):
        return None
    if isinstance(a, bool) or isinstance(b, bool) or (op in ("DIVIDE", "MOD") and b == 0):
        return None
    if type.is_integer:
        if not isinstance(a, int) or not isinstance(b, int):
            return None
        if op == "DIVIDE":
            q = abs(a) // abs(b)
            return _number(q if (a < 0) == (b < 0) else -q, type)
        if op == "MOD":
            r = abs(a) % abs(b)
            return _number(-r if a < 0 else r, type)
        return _number({"PLUS": a + b, "MINUS": a - b, "TIMES": a * b}[op], type)
    with localcontext() as ctx:
        ctx.prec = 80
        x, y = Decimal(a), Decimal(b)
        value = {"PLUS": x + y, "MINUS": x - y, "TIMES": x * y, "DIVIDE": x / y, "MOD": x % y}
        return _number(value[op], type)


def _number(value: int | Decimal, type: SqlType) -> Literal | None:
    """The literal of `type` holding `value`, or None when it does not fit (left to run time)."""
    if type.is_integer and isinstance(value, int):
        bits = {3: 8, 5: 16, 10: 32, 19: 64}[INTEGER_PRECISION[type.kind]]
        return _lit(value, type) if -(2 ** (bits - 1)) <= value < 2 ** (bits - 1) else None
    if type.kind is not Kind.DECIMAL or type.precision is None or type.scale is None:
        return None
    try:
        with localcontext() as ctx:
            ctx.prec = 80
            q = Decimal(value).quantize(Decimal(1).scaleb(-type.scale), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    digits = len(q.as_tuple().digits)
    return _lit(q, type) if digits <= type.precision else None


def _cast(lit: Literal, type: SqlType) -> Literal | None:
    v = lit.value
    if v is None:
        return _lit(None, type)
    src = lit.type
    if (src.is_integer or src.kind is Kind.DECIMAL) and not isinstance(v, bool):
        if type.is_integer and src.is_integer and isinstance(v, int):
            return _number(v, type)
        if type.kind is Kind.DECIMAL and isinstance(v, int | Decimal):
            return _number(Decimal(v), type)
        return None
    if src.is_string and type.kind is Kind.VARCHAR and isinstance(v, str):
        fits = type.precision is None or len(v) <= type.precision
        return _lit(v, type) if fits else None
    if src.is_boolean and type.is_boolean:
        return _lit(v, type)
    return None
