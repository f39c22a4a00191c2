"""fold_constants on hand-built expressions: Flink's arithmetic, NULLs, types, non-determinism."""

from __future__ import annotations

from decimal import Decimal

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, Ident
from nrtg.compiler.optimizer.driver import optimize
from nrtg.compiler.optimizer.rules.fold_constants import _fold as fold
from nrtg.compiler.optimizer.rules.fold_constants import fold_constants
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import TRUE, Call, Case, Cast, ColumnRef, Expr, Literal

INT = t.int_(nullable=False)
BIGINT = t.bigint(nullable=False)
BOOL = t.boolean(nullable=False)


def lit(v: object, ty: t.SqlType = INT) -> Literal:
    return Literal(value=v, type=ty)  # type: ignore[arg-type]


def call(name: str, *args: Expr, ty: t.SqlType = INT) -> Call:
    return Call(name=name, args=args, type=ty)


def test_integer_division_truncates_toward_zero() -> None:
    assert fold(call("DIVIDE", lit(-7), lit(2))) == lit(-3)
    assert fold(call("DIVIDE", lit(7), lit(-2))) == lit(-3)
    assert fold(call("DIVIDE", lit(7), lit(2))) == lit(3)


def test_mod_takes_the_dividends_sign() -> None:
    assert fold(call("MOD", lit(-7), lit(2))) == lit(-1)
    assert fold(call("MOD", lit(7), lit(-2))) == lit(1)
    assert fold(call("MOD", lit(9), lit(-7))) == lit(2)


def test_decimal_division_rounds_half_up_to_the_result_scale() -> None:
    ty = t.decimal(13, 12, nullable=False)
    one = lit(Decimal("1.0"), t.decimal(2, 1, nullable=False))
    assert fold(call("DIVIDE", one, lit(3), ty=ty)) == lit(Decimal("0.333333333333"), ty)
    two = lit(Decimal("2.0"), t.decimal(2, 1, nullable=False))
    assert fold(call("DIVIDE", two, lit(3), ty=ty)) == lit(Decimal("0.666666666667"), ty)


def test_overflow_and_division_by_zero_are_left_to_run_time() -> None:
    overflow = call("PLUS", lit(2147483647), lit(1))
    assert fold(overflow) is overflow
    by_zero = call("DIVIDE", lit(1), lit(0))
    assert fold(by_zero) is by_zero
    wide = call("PLUS", lit(2147483647, BIGINT), lit(1, BIGINT), ty=BIGINT)
    assert fold(wide) == lit(2147483648, BIGINT)


def test_null_operand_gives_a_typed_null() -> None:
    ty = t.int_(nullable=True)
    out = fold(call("PLUS", lit(1), lit(None, ty), ty=ty))
    assert out == lit(None, ty)


def test_folded_literal_keeps_the_exact_call_type() -> None:
    ty = t.int_(nullable=True)  # a nullable result type, though the operands are not null
    out = fold(call("PLUS", lit(1), lit(2), ty=ty))
    assert isinstance(out, Literal) and out.type == ty and out.value == 3


def test_cast_of_literal() -> None:
    assert fold(Cast(input=lit(10), type=BIGINT)) == lit(10, BIGINT)
    dec = t.decimal(10, 1, nullable=False)
    assert fold(Cast(input=lit(Decimal("1.25"), t.decimal(3, 2)), type=dec)) == lit(
        Decimal("1.3"), dec
    )
    too_big = Cast(input=lit(300), type=t.tinyint(nullable=False))
    assert fold(too_big) is too_big


def test_boolean_simplifications() -> None:
    x = ColumnRef(index=0, name="x", type=BOOL)
    assert fold(call("AND", x, TRUE, ty=BOOL)) == x
    assert fold(call("OR", x, lit(False, BOOL), ty=BOOL)) == x
    assert fold(call("NOT", call("NOT", x, ty=BOOL), ty=BOOL)) == x
    assert fold(call("AND", x, lit(False, BOOL), ty=BOOL)) == lit(False, BOOL)
    # x AND TRUE is nullable when x is: the result keeps the AND's type.
    nx = ColumnRef(index=0, name="x", type=t.boolean())
    out = fold(call("AND", nx, TRUE, ty=t.boolean(nullable=False)))
    assert out.type == t.boolean(nullable=False)


def test_three_valued_logic_on_literals() -> None:
    null = lit(None, t.boolean())
    ty = t.boolean()
    assert fold(call("AND", null, lit(False, BOOL), ty=ty)) == lit(False, ty)
    assert fold(call("OR", null, lit(True, BOOL), ty=ty)) == lit(True, ty)
    assert fold(call("AND", null, lit(True, BOOL), ty=ty)) == null.replace(type=ty)


def test_non_deterministic_calls_are_never_folded() -> None:
    rand = Call(name="RAND", args=(), type=t.double(nullable=False))
    expr = call("LESS_THAN", rand, Cast(input=lit(1), type=t.double(nullable=False)), ty=BOOL)
    out = fold(expr)
    assert isinstance(out, Call) and out.args[0] == rand
    # ... and not dropped by absorption: RAND() < 0.5 AND FALSE keeps the call.
    both = call("AND", expr, lit(False, BOOL), ty=BOOL)
    assert isinstance(fold(both), Call)


def test_strings_fold_only_when_char_padding_cannot_matter() -> None:
    s = t.char(2, nullable=False)
    concat = call("CONCAT_OP", lit("a", t.char(1)), lit("b", t.char(1)), ty=s)
    assert fold(concat) == lit("ab", s)
    eq = call("EQUALS", lit("ab", s), lit("ab", s), ty=BOOL)
    assert fold(eq) == lit(True, BOOL)
    padded = call("EQUALS", lit("a ", s), lit("a", t.char(1)), ty=BOOL)
    assert fold(padded) is padded


def _scan() -> n.Plan:
    return n.TableScan(table=Ident("default", "t"), fields=(Field("x", t.int_()),), options=())


def test_filter_true_is_removed_and_schema_kept() -> None:
    scan = _scan()
    pred = call("EQUALS", lit(1), lit(1), ty=BOOL)
    root = n.Project(input=n.Filter(input=scan, predicate=pred), exprs=(lit(1),), names=("c",))
    (out,) = optimize((root,), rules=(fold_constants,))
    assert isinstance(out, n.Project) and out.input is scan
    assert out.schema == root.schema


def test_unchanged_plan_is_the_same_object() -> None:
    root = n.Filter(
        input=_scan(), predicate=call("IS_NULL", ColumnRef(index=0, name="x", type=INT), ty=BOOL)
    )
    (out,) = optimize((root,), rules=(fold_constants,))
    assert out is root


def test_case_branches_are_folded() -> None:
    x = ColumnRef(index=0, name="x", type=BOOL)
    case = Case(whens=((x, call("PLUS", lit(1), lit(2))),), default=lit(0), type=INT)
    out = fold(case)
    assert out is not case and out.children == (x, lit(3), lit(0))


def test_case_with_literal_conditions() -> None:
    x = ColumnRef(index=0, name="x", type=BOOL)
    ty = t.int_()
    first_true = Case(whens=((TRUE, lit(1)), (x, lit(2))), default=lit(3), type=ty)
    assert fold(first_true) == Cast(input=lit(1), type=ty)
    dead = Case(whens=((lit(False, BOOL), lit(1)), (x, lit(2))), default=None, type=ty)
    assert fold(dead) == Case(whens=((x, lit(2)),), default=None, type=ty)
    none_left = Case(whens=((lit(None, t.boolean()), lit(1)),), default=None, type=ty)
    assert fold(none_left) == lit(None, ty)


def test_concat_with_null_is_null() -> None:
    ty = t.string()
    out = fold(call("CONCAT_OP", lit("a", t.char(1, False)), lit(None, ty), ty=ty))
    assert out == lit(None, ty)
