"""sqlglot scalar expressions -> typed IR (plan/expr.py), resolved against a Scope."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlglot import exp

from nrtg.catalog import types as t
from nrtg.catalog.errors import Span
from nrtg.catalog.type_parser import parse_flink_type

from ..errors import BindError, ParseError, TypeCheckError, UnsupportedError
from ..parse.nodes import JsonQuery, flink_type, is_typed_literal
from ..parse.parse import span_of
from ..plan.expr import Call, Case, Cast, ColumnRef, Expr, FieldAccess, Literal
from . import coercion, functions, functions_json
from .scope import Scope

# sqlglot parses many functions into typed nodes; their Flink names.
_FUNCTION_NAMES: dict[type[exp.Expression], str] = {
    exp.Length: "CHAR_LENGTH",
    exp.Pow: "POWER",
    exp.StrPosition: "POSITION",
    exp.Trunc: "TRUNCATE",
    exp.MD5: "MD5",
    exp.ToBase64: "TO_BASE64",
    exp.Coalesce: "COALESCE",
    exp.Nullif: "NULLIF",
    exp.RegexpExtract: "REGEXP_EXTRACT",
    exp.RegexpReplace: "REGEXP_REPLACE",
    exp.RegexpLike: "REGEXP",
    exp.ConcatWs: "CONCAT_WS",
    exp.Concat: "CONCAT",
    exp.CurrentTimestamp: "CURRENT_TIMESTAMP",
    exp.CurrentDate: "CURRENT_DATE",
    exp.Rand: "RAND",
    exp.Uuid: "UUID",
    exp.DayOfMonth: "DAYOFMONTH",
    exp.DayOfWeek: "DAYOFWEEK",
    exp.DayOfYear: "DAYOFYEAR",
    exp.StddevPop: "STDDEV_POP",
    exp.StddevSamp: "STDDEV_SAMP",
    exp.VariancePop: "VAR_POP",
    exp.Variance: "VAR_SAMP",
    exp.FirstValue: "FIRST_VALUE",
    exp.LastValue: "LAST_VALUE",
    exp.StrToMap: "STR_TO_MAP",
    exp.RowNumber: "ROW_NUMBER",
}
# Argument order for typed nodes whose arg_types order is not Flink's argument order.
_ARG_ORDER: dict[type[exp.Expression], tuple[str, ...]] = {
    exp.StrPosition: ("substr", "this", "position"),
    exp.Log: ("this", "expression"),
    exp.Pad: ("this", "expression", "fill_pattern"),
    exp.Repeat: ("this", "times"),
    exp.Round: ("this", "decimals"),
    exp.Trunc: ("this", "decimals"),
    exp.RegexpExtract: ("this", "expression", "group", "position"),
}
_COMPARISONS: dict[type[exp.Expression], str] = {
    exp.EQ: "EQUALS",
    exp.NEQ: "NOT_EQUALS",
    exp.LT: "LESS_THAN",
    exp.LTE: "LESS_THAN_OR_EQUAL",
    exp.GT: "GREATER_THAN",
    exp.GTE: "GREATER_THAN_OR_EQUAL",
    exp.NullSafeEQ: "IS_NOT_DISTINCT_FROM",
    exp.NullSafeNEQ: "IS_DISTINCT_FROM",
}
_ARITHMETIC: dict[type[exp.Expression], str] = {
    exp.Add: "PLUS",
    exp.Sub: "MINUS",
    exp.Mul: "TIMES",
    exp.Div: "DIVIDE",
    exp.Mod: "MOD",
}
_UNIT_MS = {"DAY": 86_400_000, "HOUR": 3_600_000, "MINUTE": 60_000, "SECOND": 1000}
_YEAR_MONTH = {"YEAR": 12, "MONTH": 1}

# A hook lets the query binder replace a subtree (an aggregate, a grouped expression, an OVER
# call) with a reference before default binding runs.
Hook = Callable[[exp.Expression], Expr | None]


def span(node: exp.Expression | None) -> Span | None:
    return None if node is None else span_of(node)


@dataclass
class ExprBinder:
    scope: Scope
    hook: Hook | None = None
    # Resolves a user function (CREATE FUNCTION) to its registry entry; set by the session.
    udf: Callable[[str], tuple[str, t.SqlType] | None] | None = None

    def bind(self, node: exp.Expression) -> Expr:
        if self.hook is not None:
            hooked = self.hook(node)
            if hooked is not None:
                return hooked
        return self._bind(node)

    def bind_predicate(self, node: exp.Expression, clause: str) -> Expr:
        e = self.bind(node)
        if not (e.type.is_boolean or e.type.is_null):
            raise TypeCheckError(
                f"{clause} clause must be a BOOLEAN expression, got {e.type}", span(node)
            )
        return e

    # -- dispatch ---------------------------------------------------------------------------
    def _bind(self, node: exp.Expression) -> Expr:
        cls = type(node)
        handlers = _DISPATCH.get(cls)
        if handlers is None:
            handlers = _DISPATCH[cls] = _handlers_for(cls)
        for handler in handlers:
            bound = handler(self, node)
            if bound is not None:
                return bound
        raise UnsupportedError(f"expression {node.sql()!r} is not supported", span(node))

    def _paren(self, node: exp.Paren) -> Expr:
        return self.bind(node.this)

    def _boolean(self, node: exp.Boolean) -> Expr:
        return Literal(
            value=bool(node.this), type=coercion.boolean(nullable=False), span=span(node)
        )

    def _null(self, node: exp.Null) -> Expr:
        return Literal(value=None, type=t.null(), span=span(node))

    def _literal_cast(self, node: exp.Cast) -> Expr | None:
        return self._typed_literal(node) if is_typed_literal(node) else None

    def _comparison(self, node: exp.Binary) -> Expr:
        return self._op(_COMPARISONS[type(node)], (node.this, node.expression), node)

    def _arithmetic(self, node: exp.Binary) -> Expr:
        return self._op(_ARITHMETIC[type(node)], (node.this, node.expression), node)

    def _logical(self, node: exp.And | exp.Or) -> Expr:
        return self._op("AND" if isinstance(node, exp.And) else "OR", _flatten(node), node)

    def _neg(self, node: exp.Neg) -> Expr:
        return self._op("UNARY_MINUS", (node.this,), node)

    def _dpipe(self, node: exp.DPipe) -> Expr:
        return self._op("CONCAT_OP", (node.this, node.expression), node)

    def _is_test(self, node: exp.Is) -> Expr:
        return self._is(node, negate=False)

    def _like(self, node: exp.Like | exp.ILike) -> Expr:
        call = self._op("LIKE", (node.this, node.expression), node)
        if node.args.get("negate"):
            return functions.operator_call("NOT", (call,), span(node))
        return call

    def _similar_to(self, node: exp.SimilarTo) -> Expr:
        return self._op("SIMILAR_TO", (node.this, node.expression), node)

    def _if(self, node: exp.If) -> Expr:
        args = (node.this, node.args["true"], node.args.get("false") or exp.Null())
        return self._call("IF", args, node)

    def _extract(self, node: exp.Extract) -> Expr:
        unit = node.this.name.upper()
        unit_lit = Literal(value=unit, type=coercion.char(len(unit), nullable=False))
        return functions.scalar_call("EXTRACT", (unit_lit, self.bind(node.expression)), span(node))

    def _floor_ceil(self, node: exp.Floor | exp.Ceil) -> Expr | None:
        if node.args.get("to") is None:
            return None  # FLOOR(x) / CEIL(x): the plain function
        unit = node.args["to"].name.upper()
        unit_lit = Literal(value=unit, type=coercion.char(len(unit), nullable=False))
        name = "FLOOR" if isinstance(node, exp.Floor) else "CEIL"
        return functions.scalar_call(name, (self.bind(node.this), unit_lit), span(node))

    def _timestamp_add(self, node: exp.TimestampAdd) -> Expr:
        unit = node.args["unit"].name.upper()
        unit_lit = Literal(value=unit, type=coercion.char(len(unit), nullable=False))
        args = (unit_lit, self.bind(node.expression), self.bind(node.this))
        return functions.scalar_call("TIMESTAMPADD", args, span(node))

    def _timestamp_diff(self, node: exp.TimestampDiff) -> Expr:
        unit = node.args["unit"].name.upper()
        unit_lit = Literal(value=unit, type=coercion.char(len(unit), nullable=False))
        args = (unit_lit, self.bind(node.this), self.bind(node.expression))
        return functions.scalar_call("TIMESTAMPDIFF", args, span(node))

    def _substring(self, node: exp.Substring) -> Expr:
        args = [node.this, node.args.get("start")]
        if node.args.get("length") is not None:
            args.append(node.args["length"])
        return self._call("SUBSTRING", tuple(a for a in args if a is not None), node)

    def _array(self, node: exp.Array) -> Expr:
        return self._call("ARRAY_VALUE", tuple(node.expressions), node)

    def _json_value(self, node: exp.JSONValue) -> Expr:
        on = node.args.get("on_condition")
        return functions_json.json_value(
            self.bind(node.this),
            self.bind(node.args["path"]),
            _returning(node),
            self._json_behavior(on, "empty"),
            self._json_behavior(on, "error"),
            span(node),
        )

    def _json_query(self, node: JsonQuery) -> Expr:
        on = node.args.get("on_condition")
        empty, error = self._json_behavior(on, "empty"), self._json_behavior(on, "error")
        assert not isinstance(empty, Expr) and not isinstance(error, Expr)  # no DEFAULT
        return functions_json.json_query(
            self.bind(node.this),
            self.bind(node.args["path"]),
            _returning(node),
            node.args.get("wrapper"),
            empty,
            error,
            span(node),
        )

    def _json_exists(self, node: exp.JSONExists) -> Expr:
        error = self._json_behavior(node.args.get("on_condition"), "error")
        assert not isinstance(error, Expr)  # no DEFAULT
        return functions_json.json_exists(
            self.bind(node.this), self.bind(node.args["path"]), error, span(node)
        )

    def _json_object(self, node: exp.JSONObject) -> Expr:
        args: list[Expr] = []
        for pair in node.expressions:
            if not isinstance(pair, exp.JSONKeyValue):
                raise UnsupportedError("JSON_OBJECT takes [KEY] key VALUE value pairs", span(pair))
            args += [self.bind(pair.this), self.bind(pair.expression)]
        on_null = str(node.args.get("null_handling") or "NULL ON NULL").split()[0]
        return functions_json.json_constructor("JSON_OBJECT", tuple(args), on_null, span(node))

    def _json_array(self, node: exp.JSONArray) -> Expr:
        args = tuple(self.bind(v) for v in node.expressions)
        on_null = str(node.args.get("null_handling") or "ABSENT ON NULL").split()[0]
        return functions_json.json_constructor("JSON_ARRAY", args, on_null, span(node))

    def _json_behavior(self, on: exp.OnCondition | None, which: str) -> functions_json.Behavior:
        """An ON EMPTY / ON ERROR clause: its keywords ('EMPTY ARRAY' of 'EMPTY ARRAY ON
        EMPTY'), the bound DEFAULT expression, or None."""
        value = None if on is None else on.args.get(which)
        if value is None:
            return None
        if isinstance(value, str):
            return value.rsplit(" ON ", 1)[0]
        return self.bind(value)

    def _window(self, node: exp.Window) -> Expr:
        raise BindError("OVER windows are only allowed in the SELECT list", span(node))

    def _aggregate(self, node: exp.Expression) -> Expr | None:
        if isinstance(node, exp.Anonymous) and not functions.is_aggregate(node.name):
            return None  # a scalar function call
        raise BindError(
            f"aggregate function {_func_name(node)} is not allowed here",
            span(node),
            hint="aggregates belong in SELECT or HAVING of a grouped query",
        )

    def _anonymous(self, node: exp.Anonymous) -> Expr:
        return self._call(node.name, tuple(node.expressions), node)

    def _func(self, node: exp.Func) -> Expr:
        return self._call(_func_name(node), _func_args(node), node)

    def _star(self, node: exp.Star) -> Expr:
        raise BindError("'*' is only allowed in SELECT and COUNT(*)", span(node))

    def _subquery(self, node: exp.Expression) -> Expr:
        raise UnsupportedError(
            "a subquery is supported only as a conjunct of WHERE: [NOT] EXISTS (...) or "
            "x [NOT] IN (...); scalar subqueries are not supported yet",
            span(node),
            hint="move the test into WHERE, or rewrite the subquery as a JOIN",
        )

    # -- pieces -----------------------------------------------------------------------------
    def _column(self, node: exp.Column) -> Expr:
        s = span_of(node)
        args = node.args
        this = args.get("this")
        if type(this) is exp.Identifier and not args.get("db") and not args.get("catalog"):
            # The one- and two-part names most columns have, without building the parts.
            table = args.get("table")
            if not table:
                col = self.scope.resolve(this.this, None, s)
                return ColumnRef(index=col.index, name=col.field.name, type=col.field.type, span=s)
            if type(table) is exp.Identifier and self.scope.has_qualifier(table.this):
                try:
                    col = self.scope.resolve(this.this, table.this, s)
                except BindError:
                    pass  # the general resolution below reports it (or finds a ROW field)
                else:
                    return ColumnRef(
                        index=col.index, name=col.field.name, type=col.field.type, span=s
                    )
        parts = [p.name for p in node.parts]
        if len(parts) == 1:
            col = self.scope.resolve(parts[0], None, s)
            return ColumnRef(index=col.index, name=col.field.name, type=col.field.type, span=s)
        # a.b: column b of table a, or field b of ROW column a; a.b.c likewise, one level deeper.
        first_error: BindError | None = None
        for split in range(min(len(parts) - 1, 2), -1, -1):
            qualifier = parts[split - 1] if split > 0 else None
            name = parts[split]
            if qualifier is not None and not self.scope.has_qualifier(qualifier):
                continue
            try:
                col = self.scope.resolve(name, qualifier, s)
            except BindError as e:
                first_error = first_error or e
                if split > 0:
                    continue
                if first_error is not e:
                    raise first_error from None
                if not any(c.field.name == parts[0] for c in self.scope.columns):
                    raise self.scope.unknown(parts[1], parts[0], s) from None
                raise
            base: Expr = ColumnRef(
                index=col.index, name=col.field.name, type=col.field.type, span=s
            )
            for fname in parts[split + 1 :]:
                base = _field_access(base, fname, s)
            return base
        raise self.scope.unknown(parts[-1], parts[-2], s)

    def _dot(self, node: exp.Dot) -> Expr:
        base = self.bind(node.this)
        return _field_access(base, node.expression.name, span(node))

    def _typed_literal(self, node: exp.Cast) -> Expr:
        target = flink_type(node) or _datatype(node)
        text = node.this.name
        s = span(node)
        try:
            if target.kind is t.Kind.DATE:
                return Literal(
                    value=dt.date.fromisoformat(text), type=target.with_nullable(False), span=s
                )
            if target.kind is t.Kind.TIME:
                return Literal(
                    value=dt.time.fromisoformat(text), type=target.with_nullable(False), span=s
                )
            if target.is_timestamp:
                value = dt.datetime.fromisoformat(text.replace("T", " "))
                frac = len(text.rsplit(".", 1)[1]) if "." in text else 0
                ty = t.SqlType(target.kind, False, max(frac, 0))
                return Literal(value=value, type=ty, span=s)
        except ValueError as e:
            raise ParseError(f"invalid {target} literal '{text}'", s) from e
        return self._cast(node)

    def _cast(self, node: exp.Cast | exp.TryCast) -> Expr:
        target = flink_type(node) or _datatype(node)
        inner = self.bind(node.this)
        s = span(node)
        safe = isinstance(node, exp.TryCast)
        if not inner.type.is_null and not coercion.can_cast(inner.type, target):
            raise TypeCheckError(f"cannot cast {inner.type} to {target}", s)
        nullable = inner.type.nullable or safe
        return Cast(input=inner, type=coercion.with_nullable(target, nullable), safe=safe, span=s)

    def _op(self, name: str, operands: tuple[exp.Expression, ...], node: exp.Expression) -> Expr:
        args = tuple(self.bind(o) for o in operands)
        return functions.operator_call(name, args, span(node))

    def _call(self, name: str, operands: tuple[exp.Expression, ...], node: exp.Expression) -> Expr:
        args = tuple(self.bind(o) for o in operands)
        s = span(node)
        if functions.lookup(name) is None and self.udf is not None:
            found = self.udf(name)
            if found is not None:
                canonical, rtype = found
                return Call(name=canonical, args=args, type=rtype, span=s)
        if functions.lookup(name) is None:
            raise BindError(
                f"no function named {name.upper()}",
                s,
                hint="declare Python functions with CREATE FUNCTION name AS 'module.attr' "
                "LANGUAGE PYTHON",
            )
        return functions.scalar_call(name, args, s)

    def _not(self, node: exp.Not) -> Expr:
        inner = node.this
        if isinstance(inner, exp.Is):
            return self._is(inner, negate=True)
        return self._op("NOT", (inner,), node)

    def _is(self, node: exp.Is, negate: bool) -> Expr:
        target = node.expression
        s = span(node)
        arg = self.bind(node.this)
        if isinstance(target, exp.Null):
            return functions.operator_call("IS_NOT_NULL" if negate else "IS_NULL", (arg,), s)
        if isinstance(target, exp.Boolean):
            base = "IS_TRUE" if target.this else "IS_FALSE"
            name = base.replace("IS_", "IS_NOT_") if negate else base
            return functions.operator_call(name, (arg,), s)
        if isinstance(target, exp.JSON):
            kind = str(target.this or "VALUE").upper()
            kind_lit = Literal(value=kind, type=coercion.char(len(kind), nullable=False))
            test = functions.operator_call("IS_JSON", (arg, kind_lit), s)
            return functions.operator_call("NOT", (test,), s) if negate else test
        raise UnsupportedError(f"IS {target.sql()} is not supported", s)

    def _in(self, node: exp.In) -> Expr:
        s = span(node)
        if node.args.get("query") is not None:
            raise UnsupportedError(
                "IN (subquery) is supported only as a conjunct of WHERE",
                s,
                hint="move the test into WHERE (AND-ed with the rest), or rewrite it as a JOIN",
            )
        args = (self.bind(node.this), *(self.bind(e) for e in node.expressions))
        return functions.operator_call("IN", args, s)

    def _between(self, node: exp.Between) -> Expr:
        s = span(node)
        value = self.bind(node.this)
        bounds = (self.bind(node.args["low"]), self.bind(node.args["high"]))

        def between(low: Expr, high: Expr) -> Expr:
            above = functions.operator_call("GREATER_THAN_OR_EQUAL", (value, low), s)
            below = functions.operator_call("LESS_THAN_OR_EQUAL", (value, high), s)
            return functions.operator_call("AND", (above, below), s)

        if not node.args.get("symmetric"):
            return between(*bounds)
        # BETWEEN SYMMETRIC: either order of the bounds (Flink: 12 BETWEEN SYMMETRIC 15 AND 12)
        return functions.operator_call("OR", (between(*bounds), between(*bounds[::-1])), s)

    def _case(self, node: exp.Case) -> Expr:
        s = span(node)
        operand = self.bind(node.this) if node.this is not None else None
        whens: list[tuple[Expr, Expr]] = []
        for branch in node.args.get("ifs") or []:
            cond = self.bind(branch.this)
            if operand is not None:
                cond = functions.operator_call("EQUALS", (operand, cond), span(branch))
            elif not (cond.type.is_boolean or cond.type.is_null):
                raise TypeCheckError(
                    f"CASE WHEN condition must be BOOLEAN, got {cond.type}", span(branch)
                )
            whens.append((cond, self.bind(branch.args["true"])))
        default_node = node.args.get("default")
        default = self.bind(default_node) if default_node is not None else None
        results = [v for _, v in whens] + ([default] if default is not None else [])
        rtype = coercion.common_type([r.type for r in results])
        if rtype is None:
            types = ", ".join(str(r.type) for r in results)
            raise TypeCheckError(f"CASE branches have incompatible types: {types}", s)
        if default is None:
            rtype = rtype.with_nullable(True)
        whens_c = tuple((c, _coerce(v, rtype)) for c, v in whens)
        default_c = None if default is None else _coerce(default, rtype)
        return Case(whens=whens_c, default=default_c, type=rtype, span=s)

    def _trim(self, node: exp.Trim) -> Expr:
        position = str(node.args.get("position") or "BOTH").upper()
        name = {"LEADING": "LTRIM", "TRAILING": "RTRIM"}.get(position, "TRIM")
        args: tuple[exp.Expression, ...] = (node.this,)
        if node.expression is not None:
            args = (node.this, node.expression)
        return self._call(name, args, node)

    def _bracket(self, node: exp.Bracket) -> Expr:
        s = span(node)
        if (
            isinstance(node.this, exp.Column)
            and node.this.name.upper() == "MAP"
            and not node.this.table
        ):
            return self._call("MAP_VALUE", tuple(node.expressions), node)
        base = self.bind(node.this)
        if len(node.expressions) != 1:
            raise TypeCheckError("an element access takes exactly one index", s)
        return functions.scalar_call("ITEM", (base, self.bind(node.expressions[0])), s)


# How each node type binds: the first entry whose types it is an instance of (a frozenset: whose
# type it is exactly) handles it; a handler returning None passes the node on to the next
# matching entry. A type's handlers are found once, then read from _DISPATCH.
Handler = Callable[[ExprBinder, exp.Expression], Expr | None]
_BRANCHES: tuple[tuple[type | tuple[type, ...] | frozenset[type], Handler], ...] = (
    (exp.Paren, ExprBinder._paren),
    (exp.Column, ExprBinder._column),
    (exp.Dot, ExprBinder._dot),
    (exp.Literal, lambda _, node: _literal(node)),
    (exp.Boolean, ExprBinder._boolean),
    (exp.Null, ExprBinder._null),
    (exp.Interval, lambda _, node: interval_literal(node)),
    (exp.Cast, ExprBinder._literal_cast),
    ((exp.Cast, exp.TryCast), ExprBinder._cast),
    (frozenset(_COMPARISONS), ExprBinder._comparison),
    (frozenset(_ARITHMETIC), ExprBinder._arithmetic),
    ((exp.And, exp.Or), ExprBinder._logical),
    (exp.Not, ExprBinder._not),
    (exp.Neg, ExprBinder._neg),
    (exp.DPipe, ExprBinder._dpipe),
    (exp.Is, ExprBinder._is_test),
    ((exp.Like, exp.ILike), ExprBinder._like),
    (exp.SimilarTo, ExprBinder._similar_to),
    (exp.In, ExprBinder._in),
    (exp.Between, ExprBinder._between),
    (exp.Case, ExprBinder._case),
    (exp.If, ExprBinder._if),
    (exp.Extract, ExprBinder._extract),
    ((exp.Floor, exp.Ceil), ExprBinder._floor_ceil),
    (exp.TimestampAdd, ExprBinder._timestamp_add),
    (exp.TimestampDiff, ExprBinder._timestamp_diff),
    (exp.Trim, ExprBinder._trim),
    (exp.Substring, ExprBinder._substring),
    (exp.Array, ExprBinder._array),
    (exp.Bracket, ExprBinder._bracket),
    (exp.JSONValue, ExprBinder._json_value),
    (JsonQuery, ExprBinder._json_query),
    (exp.JSONExists, ExprBinder._json_exists),
    (exp.JSONObject, ExprBinder._json_object),
    (exp.JSONArray, ExprBinder._json_array),
    (exp.Window, ExprBinder._window),
    ((exp.AggFunc, exp.Anonymous), ExprBinder._aggregate),
    (exp.Anonymous, ExprBinder._anonymous),
    (exp.Func, ExprBinder._func),
    (exp.Star, ExprBinder._star),
    ((exp.Select, exp.Subquery, exp.Exists), ExprBinder._subquery),
)
_DISPATCH: dict[type, tuple[Handler, ...]] = {}


def _handlers_for(cls: type) -> tuple[Handler, ...]:
    return tuple(
        handler
        for types, handler in _BRANCHES
        if (cls in types if isinstance(types, frozenset) else issubclass(cls, types))
    )


def _flatten(node: exp.Expression) -> tuple[exp.Expression, ...]:
    kind = type(node)
    out: list[exp.Expression] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if type(n) is kind:
            stack.append(n.expression)
            stack.append(n.this)
        else:
            out.append(n)
    return tuple(out)


def _field_access(base: Expr, name: str, s: Span | None) -> Expr:
    if base.type.kind is not t.Kind.ROW:
        raise BindError(f"cannot access field '{name}' of a {base.type} value", s)
    ftype = base.type.field_type(name)
    if ftype is None:
        from .scope import suggest

        hint = suggest(name, [f.name for f in base.type.fields])
        raise BindError(f"ROW type {base.type} has no field '{name}'", s, hint=hint)
    return FieldAccess(
        input=base,
        field_name=name,
        type=ftype.with_nullable(ftype.nullable or base.type.nullable),
        span=s,
    )


def _coerce(e: Expr, target: t.SqlType) -> Expr:
    if e.type.with_nullable(True) == target.with_nullable(True):
        return e
    return Cast(input=e, type=target.with_nullable(e.type.nullable), span=e.span)


def _func_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).upper()
    return _FUNCTION_NAMES.get(type(node)) or sql_name(type(node))


@functools.cache
def sql_name(cls: type[exp.Func]) -> str:
    """A sqlglot function class's SQL name, upper case (sqlglot derives it from the class
    name on every call)."""
    return cls.sql_name().upper()


def _func_args(node: exp.Expression) -> tuple[exp.Expression, ...]:
    order = _ARG_ORDER.get(type(node), tuple(node.arg_types))
    out: list[exp.Expression] = []
    for key in order:
        value = node.args.get(key)
        if isinstance(value, list):
            out.extend(v for v in value if isinstance(v, exp.Expression))
        elif isinstance(value, exp.Expression):
            out.append(value)
    return tuple(out)


def _returning(node: exp.Expression) -> t.SqlType | None:
    """The type of a JSON function's RETURNING clause, if it has one."""
    returning = node.args.get("returning")
    return None if returning is None else flink_type(returning)


def _datatype(node: exp.Cast | exp.TryCast) -> t.SqlType:
    to = node.args["to"]
    try:
        return parse_flink_type(to.sql())
    except Exception as e:
        raise ParseError(f"unknown type {to.sql()}", span(to)) from e


def _literal(node: exp.Literal) -> Expr:
    s = span(node)
    text = str(node.this)
    if node.is_string:
        return Literal(value=text, type=coercion.char(max(len(text), 1), nullable=False), span=s)
    try:
        if "e" in text.lower():
            return Literal(value=float(text), type=coercion.double(nullable=False), span=s)
        if "." in text:
            d = Decimal(text)
            digits = len(d.as_tuple().digits)
            scale = max(-int(d.as_tuple().exponent), 0)
            precision = max(digits, scale, 1)
            return Literal(value=d, type=t.decimal(precision, scale, nullable=False), span=s)
        value = int(text)
    except (ValueError, InvalidOperation) as e:
        raise ParseError(f"invalid number {text}", s) from e
    if -(2**31) <= value < 2**31:
        return Literal(value=value, type=coercion.int_(nullable=False), span=s)
    if -(2**63) <= value < 2**63:
        return Literal(value=value, type=coercion.bigint(nullable=False), span=s)
    return Literal(
        value=Decimal(value), type=t.decimal(len(str(abs(value))), 0, nullable=False), span=s
    )


def interval_literal(node: exp.Interval) -> Literal:
    """`INTERVAL '10' SECOND`, `INTERVAL '1.500' SECOND`, `INTERVAL '1:30' MINUTE TO SECOND`."""
    s = span(node)
    text = node.this.name if node.this is not None else ""
    unit = node.args.get("unit")
    if isinstance(unit, exp.IntervalSpan):
        start, end = unit.this.name.upper(), unit.expression.name.upper()
    elif unit is not None:
        start = end = unit.name.upper()
    else:
        raise ParseError("INTERVAL needs a unit, e.g. INTERVAL '10' SECOND", s)
    start, end = (
        start.rstrip("S") if start.endswith("S") else start,
        end.rstrip("S") if end.endswith("S") else end,
    )
    negative = text.strip().startswith("-")
    body = text.strip().lstrip("-+")
    if start in _YEAR_MONTH:
        parts = body.split("-")
        try:
            months = int(parts[0]) * _YEAR_MONTH[start] + (int(parts[1]) if len(parts) > 1 else 0)
        except ValueError as e:
            raise ParseError(f"invalid interval '{text}' {start}", s) from e
        value = -months if negative else months
        return Literal(
            value=value, type=coercion.interval_year_month(start, end, nullable=False), span=s
        )
    if start not in _UNIT_MS:
        hint = (
            "use INTERVAL '0.500' SECOND for sub-second intervals"
            if start == "MILLISECOND"
            else None
        )
        raise ParseError(f"unsupported interval unit {start}", s, hint=hint)
    units = [
        u
        for u in ("DAY", "HOUR", "MINUTE", "SECOND")
        if _UNIT_MS[start] >= _UNIT_MS[u] >= _UNIT_MS[end]
    ]
    fields = body.replace(" ", ":").split(":")
    if len(fields) != len(units):
        raise ParseError(f"interval '{text}' does not match {start} TO {end}", s)
    try:
        # Whole numbers (most intervals) without Decimal arithmetic: the same milliseconds.
        ms = sum(
            int(f) * _UNIT_MS[u] if f.isascii() and f.isdigit() else round(Decimal(f) * _UNIT_MS[u])
            for f, u in zip(fields, units, strict=True)
        )
    except InvalidOperation as e:
        raise ParseError(f"invalid interval '{text}'", s) from e
    value = dt.timedelta(milliseconds=-ms if negative else ms)
    return Literal(value=value, type=coercion.interval_day_time(start, end, nullable=False), span=s)
