"""Direct Arrow evaluation of the expressions whose meaning leaves no room for dialect
differences: column references, ROW field access, integer/boolean/timestamp/DECIMAL literals,
widening casts, comparisons between operands of one type family, AND/OR/NOT (three-valued),
IS [NOT] NULL, CASE over such conditions with values of the result's own type, and DECIMAL
products whose type keeps every digit (`0.908 * price`).

Why: a calc that only picks fields and filters (Nexmark's views, a computed rowtime) spent most
of its time handing every column, nested strings included, to DuckDB and back. Anything else
(other arithmetic, narrowing casts, functions, string literals) stays with the DuckDB lowering,
which is the one definition of every function (ARCHITECTURE.md, "one semantics");
`compile_expr` returns None for it and the caller keeps DuckDB.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from nrtg.catalog import types as t
from nrtg.catalog.type_mapping import to_arrow_type
from nrtg.compiler.plan.expr import (
    TRUE,
    Call,
    Case,
    Cast,
    ColumnRef,
    Expr,
    FieldAccess,
    Literal,
    conjuncts,
)

from ._duck import Env, Program, Step
from ._rows import data_width

Columns = Sequence[pa.Array]
Evaluator = Callable[[Columns], pa.Array | pa.Scalar]

_COMPARISONS = {
    "EQUALS": pc.equal,
    "NOT_EQUALS": pc.not_equal,
    "LESS_THAN": pc.less,
    "LESS_THAN_OR_EQUAL": pc.less_equal,
    "GREATER_THAN": pc.greater,
    "GREATER_THAN_OR_EQUAL": pc.greater_equal,
}
_LOGICAL = {"AND": pc.and_kleene, "OR": pc.or_kleene}
_NULL_TESTS = {"IS_NULL": pc.is_null, "IS_NOT_NULL": pc.is_valid}


def _family(typ: t.SqlType) -> str | None:
    """Operands of one family compare the same way in Flink, DuckDB and Arrow."""
    if typ.kind in t.INTEGER_KINDS:
        return "integer"
    if typ.kind is t.Kind.BOOLEAN:
        return "boolean"
    if typ.kind is t.Kind.TIMESTAMP:  # Arrow compares at the finer of two precisions
        return "timestamp"
    return None


def _cast(e: Cast) -> Evaluator | None:
    """The implicit widenings the binder inserts: to a wider integer or an integral DECIMAL
    that holds it, to a finer TIMESTAMP."""
    source, target = e.input.type, e.type
    widening = (
        (
            source.kind in t.INTEGER_KINDS
            and target.kind in t.INTEGER_KINDS
            and t.INTEGER_PRECISION[source.kind] <= t.INTEGER_PRECISION[target.kind]
        )
        or (
            source.kind in t.INTEGER_KINDS
            and target.kind is t.Kind.DECIMAL
            and (target.scale or 0) == 0
            and t.INTEGER_PRECISION[source.kind] <= (target.precision or 0)
        )
        or (
            source.kind is t.Kind.TIMESTAMP
            and target.kind is t.Kind.TIMESTAMP
            and (source.precision or 0) <= (target.precision or 0)
        )
    )
    inner = compile_expr(e.input) if widening else None
    if inner is None:
        return None
    arrow_type = to_arrow_type(target)
    return lambda cols: pc.cast(inner(cols), arrow_type)


def _literal(e: Literal) -> Evaluator | None:
    value = e.value
    kind = e.type.kind
    integral = isinstance(value, int) and not isinstance(value, bool)
    ok = (
        (kind in t.INTEGER_KINDS and integral)
        or (kind is t.Kind.BOOLEAN and isinstance(value, bool))
        or (kind is t.Kind.TIMESTAMP and isinstance(value, dt.datetime) and value.tzinfo is None)
        or (kind is t.Kind.DECIMAL and isinstance(value, Decimal))
    )
    if not ok:
        return None
    scalar = pa.scalar(value, to_arrow_type(e.type))
    return lambda cols: scalar


def _field(e: FieldAccess) -> Evaluator | None:
    inner = compile_expr(e.input)
    row = e.input.type
    if inner is None or row.kind is not t.Kind.ROW:
        return None
    names = [f.name for f in row.fields]
    if names.count(e.field_name) != 1:
        return None
    at = names.index(e.field_name)
    # struct_field merges the parent's validity: a field of a NULL row is NULL
    return lambda cols: pc.struct_field(inner(cols), [at])


def _as_decimal(typ: t.SqlType) -> tuple[int, int] | None:
    """(precision, scale) of a DECIMAL, or of the DECIMAL that holds an integer type exactly."""
    if typ.kind is t.Kind.DECIMAL:
        return typ.precision or 10, typ.scale or 0
    if typ.kind in t.INTEGER_KINDS:
        return t.INTEGER_PRECISION[typ.kind], 0
    return None


def _exact_product(e: Call) -> bool:
    """DECIMAL * DECIMAL (or integer) whose Flink type keeps every digit of the product (scale
    s1 + s2, precision not capped at 38), so there is nothing to round and nothing to overflow."""
    x, y = (_as_decimal(a.type) for a in e.args)
    if x is None or y is None or e.type.kind is not t.Kind.DECIMAL:
        return False
    (p1, s1), (p2, s2) = x, y
    return (
        e.type.scale == s1 + s2
        and (e.type.precision or 0) >= p1 + p2
        and p1 + p2 + 1 <= t.MAX_DECIMAL_PRECISION
    )


def _decimal_operand(f: Evaluator, typ: t.SqlType) -> Evaluator:
    if typ.kind is t.Kind.DECIMAL:
        return f
    exact = pa.decimal128(t.INTEGER_PRECISION[typ.kind], 0)
    return lambda cols: pc.cast(f(cols), exact)


def _nonzero_integer_divisor(e: Call) -> bool:
    if len(e.args) != 2 or e.type.kind not in t.INTEGER_KINDS:
        return False
    value, divisor = e.args
    return (
        value.type.kind in t.INTEGER_KINDS
        and isinstance(divisor, Literal)
        and divisor.type.kind in t.INTEGER_KINDS
        and divisor.value not in (None, 0)
    )


def _call(e: Call) -> Evaluator | None:
    args = [compile_expr(a) for a in e.args]
    if any(a is None for a in args):
        return None
    if e.name in _COMPARISONS and len(args) == 2:
        left, right = e.args
        family = _family(left.type)
        if family is None or family != _family(right.type):
            return None
        compare, a, b = _COMPARISONS[e.name], args[0], args[1]
        assert a is not None and b is not None
        return lambda cols: compare(a(cols), b(cols))
    if e.name == "TIMES" and len(args) == 2 and _exact_product(e):
        a, b = (_decimal_operand(f, x.type) for f, x in zip(args, e.args, strict=True))  # type: ignore[arg-type]
        result = to_arrow_type(e.type)
        # Arrow's product is exact, DECIMAL(p1 + p2 + 1, s1 + s2): it fits Flink's type
        return lambda cols: pc.cast(pc.multiply(a(cols), b(cols)), result)
    if e.name == "MOD" and _nonzero_integer_divisor(e):
        a, b = args[0], args[1]
        result = to_arrow_type(e.type)
        # Arrow's remainder truncates like Java's `%` (the sign is the dividend's); a literal
        # divisor that is not zero leaves no division by zero to report
        return lambda cols: pc.cast(pc.remainder(a(cols), b(cols)), result)  # type: ignore[misc]
    if all(a.type.kind is t.Kind.BOOLEAN for a in e.args):
        if e.name in _LOGICAL and len(args) >= 2:  # the binder flattens AND/OR chains
            combine, parts = _LOGICAL[e.name], list(args)

            def logical(cols: Columns) -> pa.Array | pa.Scalar:
                value = parts[0](cols)  # type: ignore[misc]
                for part in parts[1:]:
                    value = combine(value, part(cols))  # type: ignore[misc]
                return value

            return logical
        if e.name == "NOT" and len(args) == 1:
            only = args[0]
            assert only is not None
            return lambda cols: pc.invert(only(cols))
    if e.name in _NULL_TESTS and len(args) == 1:
        test, only = _NULL_TESTS[e.name], args[0]
        assert only is not None
        return lambda cols: test(only(cols))
    return None


def _case(e: Case) -> Evaluator | None:
    if e.default is None:
        return None
    result = to_arrow_type(e.type)
    values = [v for _, v in e.whens] + [e.default]
    if any(isinstance(v, Literal) or to_arrow_type(v.type) != result for v in values):
        return None
    conditions = [compile_expr(c) for c, _ in e.whens]
    branches = [compile_expr(v) for v in values]
    if any(c is None for c in conditions) or any(b is None for b in branches):
        return None
    names = [f"c{i}" for i in range(len(conditions))]

    def run(cols: Columns) -> pa.Array:
        conds = [c(cols) for c in conditions]  # type: ignore[misc]
        n = len(cols[0]) if cols else 0
        conds = [pa.repeat(c, n) if isinstance(c, pa.Scalar) else c for c in conds]
        # a NULL condition counts as false, as SQL's CASE takes it
        return pc.case_when(pc.make_struct(*conds, field_names=names), *[b(cols) for b in branches])  # type: ignore[misc]

    return run


def compile_expr(e: Expr) -> Evaluator | None:
    """An evaluator over a batch's columns, or None when DuckDB must evaluate `e`."""
    if isinstance(e, ColumnRef):
        at = e.index
        return lambda cols: cols[at]
    if isinstance(e, FieldAccess):
        return _field(e)
    if isinstance(e, Literal):
        return _literal(e)
    if isinstance(e, Call):
        return _call(e)
    if isinstance(e, Case):
        return _case(e)
    if isinstance(e, Cast):
        return _cast(e)
    return None


def as_array(value: pa.Array | pa.Scalar, rows: int) -> pa.Array:
    """A result as a column of `rows` values (a constant expression gives a scalar)."""
    if isinstance(value, pa.Scalar):
        return pa.repeat(value, rows)
    if isinstance(value, pa.ChunkedArray):
        return value.combine_chunks()
    return value


def _lift_fields(e: Expr, width: int, lifted: dict[Expr, int]) -> Expr:
    """`e` with every ROW field access Arrow can take (a zero-copy child) replaced by a
    reference to an extra input column (`width + k`), so that DuckDB receives that one field
    rather than the whole ROW."""
    if isinstance(e, FieldAccess) and compile_expr(e) is not None:
        at = lifted.setdefault(e, width + len(lifted))
        return ColumnRef(index=at, name=f"_field{at}", type=e.type)
    if isinstance(e, FieldAccess | Cast):
        return e.replace(input=_lift_fields(e.input, width, lifted))
    if isinstance(e, Call):
        return e.replace(args=tuple(_lift_fields(a, width, lifted) for a in e.args))
    if isinstance(e, Case):
        whens = tuple(
            (_lift_fields(c, width, lifted), _lift_fields(v, width, lifted)) for c, v in e.whens
        )
        default = None if e.default is None else _lift_fields(e.default, width, lifted)
        return e.replace(whens=whens, default=default)
    return e


class DuckPart:
    """The expressions of one step that DuckDB evaluates, over only the columns they read."""

    def __init__(self, exprs: Sequence[Expr], width: int, env: Env) -> None:
        lifted: dict[Expr, int] = {}
        rewritten = tuple(_lift_fields(x, width, lifted) for x in exprs)
        self.fields = [compile_expr(f) for f in lifted]
        refs: set[int] = set()
        for x in rewritten:
            refs |= x.column_refs
        self.reads = sorted(i for i in refs if i < width)
        self.width = width
        self.program = Program(width + len(lifted), [("project", rewritten)], env)

    def run(self, columns: Columns, rows: int, mask: pa.Array | None) -> list[pa.Array]:
        """The values for the rows `mask` keeps (all rows without a mask): only the columns
        DuckDB reads are filtered, and DuckDB never sees a row that an earlier filter drops."""
        arrays = [columns[i] for i in self.reads]
        names = [f"c0_{i}" for i in self.reads]
        for k, f in enumerate(self.fields):
            arrays.append(as_array(f(columns), rows))  # type: ignore[misc]
            names.append(f"c0_{self.width + k}")
        if not arrays:  # constant expressions: DuckDB still needs the row count
            arrays, names = [pa.nulls(rows)], ["_rows"]
        batch = pa.RecordBatch.from_arrays(arrays, names=names)
        return self.program.run_named(batch if mask is None else batch.filter(mask)).columns


class CalcProgram:
    """A calc's steps (`_duck.Step`s) over Arrow batches: the expressions that compile
    (`compile_expr`) are evaluated with Arrow, the others by DuckDB (`DuckPart`); a filter's
    AND is split so that its direct conjuncts run in Arrow.

    Filters only collect a mask, and direct expressions run over every row (one cannot fail on
    a row a filter drops: none divides, casts or calls), so that the mask is applied once, to
    the columns that are kept. DuckDB only sees the rows that passed the filters before it."""

    def __init__(self, steps: Sequence[Step], width: int, env: Env) -> None:
        self.steps: list[tuple[str, list[Evaluator | None], DuckPart | None]] = []
        for kind, payload in steps:
            parts = [(c,) for c in conjuncts(payload)] if kind == "filter" else [payload]
            for exprs in parts:
                direct = [compile_expr(x) for x in exprs]
                rest = [x for x, f in zip(exprs, direct, strict=True) if f is None]
                self.steps.append((kind, direct, DuckPart(rest, width, env) if rest else None))
            if kind == "project":
                width = len(payload)

    def run(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        width = data_width(batch)
        rows = batch.num_rows
        columns: list[pa.Array] = batch.columns[:width]
        extra: list[pa.Array] = batch.columns[width:]
        mask: pa.Array | None = None
        for kind, direct, duck in self.steps:
            values = [None if f is None else as_array(f(columns), rows) for f in direct]
            if duck is not None:
                computed = iter(duck.run(columns, rows, mask))
                if kind == "filter":  # one conjunct: its mask over the kept rows, spread out
                    keep = pc.fill_null(next(computed), False)
                    if mask is None:
                        mask = keep
                    else:
                        kept = pc.fill_null(mask, False)
                        mask = pc.replace_with_mask(kept, kept, keep)
                    continue
                if mask is not None:
                    values = [None if v is None else v.filter(mask) for v in values]
                    extra = [e.filter(mask) for e in extra]
                    mask = None
                values = [next(computed) if v is None else v for v in values]
                rows = len(values[0])
            if kind == "filter":
                mask = values[0] if mask is None else pc.and_kleene(mask, values[0])
            else:
                columns = values  # type: ignore[assignment]
        names = [f"c{i}" for i in range(len(columns))] + batch.schema.names[width:]
        if columns or extra:
            out = pa.RecordBatch.from_arrays(columns + extra, names=names)
        else:  # no column left (`SELECT COUNT(*)`): only the row count goes on
            out = batch.select([]).slice(0, rows)
        return out if mask is None else out.filter(mask)


def reads_clock(e: Expr) -> bool:
    """Whether `e` calls PROCTIME() (its value comes from the executor's clock)."""
    if isinstance(e, Call):
        return e.name == "PROCTIME" or any(reads_clock(a) for a in e.args)
    if isinstance(e, Cast | FieldAccess):
        return reads_clock(e.input)
    if isinstance(e, Case):
        parts = [x for w in e.whens for x in w] + ([e.default] if e.default is not None else [])
        return any(reads_clock(x) for x in parts)
    return False


def filter_program(condition: Expr, width: int, env: Env) -> Program | CalcProgram | None:
    """A join's residual condition over `width` columns: Arrow-first (DuckDB only for what
    Arrow does not evaluate), or DuckDB's chain when it reads the clock; None for TRUE."""
    if condition == TRUE:
        return None
    steps: list[Step] = [("filter", condition)]
    return Program(width, steps, env) if reads_clock(condition) else CalcProgram(steps, width, env)
