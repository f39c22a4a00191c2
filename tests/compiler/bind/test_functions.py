"""The built-in registry (compiler/bind/functions.py): signatures, return types, nullability,
implicit casts, determinism, aliases and every error path.

Expectations follow Flink's "System (Built-in) Functions" page and docs/FLINK_SEMANTICS.md.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from nrtg.catalog import types as t
from nrtg.catalog.types import SqlType
from nrtg.compiler.bind import coercion, functions
from nrtg.compiler.errors import BindError, TypeCheckError
from nrtg.compiler.plan.expr import Call, Cast, ColumnRef, Expr, Literal, is_deterministic


def col(ty: SqlType, name: str = "c", index: int = 0) -> ColumnRef:
    return ColumnRef(index=index, name=name, type=ty)


def lit(value: object) -> Literal:
    return Literal(value=value, type=coercion.literal_type(value))  # type: ignore[arg-type]


NULL = lit(None)
TS = col(t.timestamp(3, False), "dateTime")
TS_N = col(t.timestamp(3), "ts")
STR = col(t.string(False), "s")
STR_N = col(t.string(), "sn")
BIG = col(t.bigint(False), "price")
BIG_N = col(t.bigint(), "bn")


def call(name: str, *args: Expr) -> Expr:
    return functions.scalar_call(name, args, None)


def op(name: str, *args: Expr) -> Expr:
    return functions.operator_call(name, args, None)


# -- Nexmark's functions (NEXMARK.md) -----------------------------------------------------------
def test_nexmark_functions() -> None:
    assert call("DATE_FORMAT", TS, lit("yyyy-MM-dd")).type == t.string(False)
    assert call("DATE_FORMAT", STR_N, lit("yyyy")).type == t.string()
    # REGEXP_EXTRACT / SPLIT_INDEX return NULL when nothing matches / out of range.
    assert call("REGEXP_EXTRACT", STR, lit("(\\w+)"), lit(1)).type == t.string()
    assert call("REGEXP_EXTRACT", STR, lit("x")).type == t.string()
    assert call("SPLIT_INDEX", STR, lit(","), lit(2)).type == t.string()
    for fn in ("HOUR", "MINUTE", "SECOND", "DAYOFMONTH", "MONTH", "YEAR", "QUARTER"):
        assert call(fn, TS).type == t.bigint(False), fn
    for fn in ("DAYOFWEEK", "DAYOFYEAR", "WEEK"):
        assert call(fn, TS_N).type == t.bigint(), fn
    assert call("EXTRACT", lit("HOUR"), TS).type == t.bigint(False)
    assert call("LOWER", STR).type == t.string(False)
    assert call("UPPER", lit("ab")).type == t.char(2, False)


def test_mod() -> None:
    # Calcite's MOD returns the divisor's type for integers.
    m = call("MOD", BIG, lit(123))
    assert isinstance(m, Call) and m.name == "MOD" and m.type == t.int_(False)
    assert op("MOD", BIG_N, BIG).type == t.bigint()
    assert call("MOD", col(t.decimal(10, 2)), lit(3)).type == t.decimal(10, 2)
    with pytest.raises(TypeCheckError, match="operator % cannot be applied to DOUBLE and INT"):
        call("MOD", col(t.double()), lit(2))


# -- arithmetic and literals (FLINK_SEMANTICS.md "Numbers") ------------------------------------
def test_arithmetic_operators() -> None:
    q1 = op("TIMES", lit(Decimal("0.908")), BIG)  # Nexmark q1: DECIMAL result
    assert q1.type == t.decimal(24, 3, False)
    assert op("DIVIDE", lit(Decimal("1.0")), lit(3)).type == t.decimal(13, 12, False)
    assert op("DIVIDE", BIG, BIG_N).type == t.bigint()
    assert op("PLUS", TS, lit_interval()).type == TS.type
    assert op("UNARY_MINUS", BIG_N).type == t.bigint()


def lit_interval() -> Literal:
    import datetime as dt

    ty = t.interval_day_time("SECOND", "SECOND", fraction=3, nullable=False)
    return Literal(value=dt.timedelta(seconds=4), type=ty)


def test_arithmetic_errors() -> None:
    with pytest.raises(
        TypeCheckError, match=r"operator - cannot be applied to TIMESTAMP\(3\)"
    ) as e:
        op("MINUS", TS, TS)
    assert e.value.hint is not None and "TIMESTAMPDIFF" in e.value.hint
    with pytest.raises(TypeCheckError, match=r"operator \+ cannot be applied to BIGINT and STRING"):
        op("PLUS", BIG, STR)


# -- comparisons -------------------------------------------------------------------------------
def test_comparison_casts_to_the_common_type() -> None:
    e = op("EQUALS", col(t.int_(False)), BIG)
    assert isinstance(e, Call) and e.type == t.boolean(False)
    assert isinstance(e.args[0], Cast) and e.args[0].type == t.bigint(False)
    assert e.args[1] is BIG
    # CHAR vs VARCHAR and equal kinds need no cast.
    e2 = op("EQUALS", STR, lit("x"))
    assert isinstance(e2, Call) and e2.args == (STR, lit("x"))
    # nullability: any operand nullable; IS [NOT] DISTINCT FROM never NULL.
    assert op("LESS_THAN", BIG, BIG_N).type == t.boolean()
    assert op("IS_DISTINCT_FROM", BIG_N, NULL).type == t.boolean(False)


def test_comparison_numeric_with_string() -> None:
    # Flink 2.x rejects `=` between numeric and character strings (FLINK-24492) ...
    with pytest.raises(TypeCheckError, match="cannot compare BIGINT with CHAR\\(1\\)"):
        op("EQUALS", BIG, lit("1"))
    with pytest.raises(TypeCheckError, match="cannot compare BIGINT with STRING"):
        op("NOT_EQUALS", BIG, STR)
    # ... but ordering comparisons cast the string to the numeric type.
    e = op("GREATER_THAN", BIG, lit("5"))
    assert isinstance(e, Call) and isinstance(e.args[1], Cast)
    assert e.args[1].type == t.bigint(False)


def test_comparison_timestamp_with_string_literal() -> None:
    e = op("GREATER_THAN_OR_EQUAL", TS, lit("2024-01-01 00:00:00"))
    assert isinstance(e, Call) and isinstance(e.args[1], Cast)
    assert e.args[1].type.kind is t.Kind.TIMESTAMP


def test_comparison_incompatible() -> None:
    with pytest.raises(TypeCheckError, match="cannot compare BOOLEAN with INT"):
        op("EQUALS", lit(True), lit(1))
    with pytest.raises(TypeCheckError, match="cannot compare DATE with TIME"):
        op("LESS_THAN", col(t.date()), col(t.time()))


def test_in_list() -> None:
    e = op("IN", col(t.int_(False)), lit(1), BIG)
    assert isinstance(e, Call) and e.name == "IN" and e.type == t.boolean(False)
    assert all(a.type.kind is t.Kind.BIGINT for a in e.args)
    assert op("IN", STR, lit("a"), NULL).type == t.boolean()
    with pytest.raises(TypeCheckError, match="cannot compare BIGINT with CHAR\\(1\\) in IN list"):
        op("IN", BIG, lit(1), lit("a"))


# -- logical, IS, ||, LIKE -------------------------------------------------------------------------
def test_logical() -> None:
    b = col(t.boolean(False))
    assert op("AND", b, b, b).type == t.boolean(False)
    assert op("OR", b, col(t.boolean())).type == t.boolean()
    assert op("NOT", b).type == t.boolean(False)
    assert op("AND", b, NULL).type == t.boolean()
    with pytest.raises(TypeCheckError, match="operator AND requires BOOLEAN operands, operand 2"):
        op("AND", b, BIG)
    with pytest.raises(TypeCheckError, match="operator NOT requires BOOLEAN"):
        op("NOT", STR)


def test_is_predicates_are_not_null() -> None:
    assert op("IS_NULL", BIG_N).type == t.boolean(False)
    assert op("IS_NOT_NULL", STR_N).type == t.boolean(False)
    assert op("IS_TRUE", col(t.boolean())).type == t.boolean(False)
    with pytest.raises(TypeCheckError, match="operator IS TRUE cannot be applied to BIGINT"):
        op("IS_TRUE", BIG)


def test_concat_operator() -> None:
    # Calcite: lengths add; CHAR || CHAR stays CHAR.
    assert op("CONCAT_OP", lit("a"), lit("bc")).type == t.char(3, False)
    assert op("CONCAT_OP", col(t.varchar(10)), lit("bc")).type == t.varchar(12)
    assert op("CONCAT_OP", STR, STR).type == t.string(False)
    with pytest.raises(TypeCheckError, match=r"operator \|\| cannot be applied to BIGINT"):
        op("CONCAT_OP", BIG, STR)


def test_like() -> None:
    assert op("LIKE", STR, lit("%a%")).type == t.boolean(False)
    assert op("SIMILAR_TO", STR_N, lit("a+")).type == t.boolean()
    with pytest.raises(TypeCheckError, match="requires STRING operands, the value is BIGINT"):
        op("LIKE", BIG, lit("1%"))


# -- argument count and type errors ------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        (
            "SUBSTRING",
            (STR, lit(1), lit(2), lit(3)),
            "function SUBSTRING takes 2 or 3 arguments, got 4",
        ),
        ("SUBSTR", (STR,), "function SUBSTRING takes 2 or 3 arguments, got 1"),
        ("UPPER", (), "function UPPER takes 1 argument, got 0"),
        ("PI", (lit(1),), "function PI takes no arguments, got 1"),
        ("REPLACE", (STR,), "function REPLACE takes 3 arguments, got 1"),
        ("CONCAT", (), "function CONCAT takes at least 1 argument, got 0"),
        ("TO_TIMESTAMP_LTZ", (BIG,) * 4, "function TO_TIMESTAMP_LTZ takes 1 to 3 arguments, got 4"),
    ],
)
def test_arity_errors(name: str, args: tuple[Expr, ...], message: str) -> None:
    with pytest.raises(TypeCheckError) as e:
        functions.scalar_call(name, args, None)
    assert e.value.message == message


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("UPPER", (BIG,), "function UPPER argument 1 must be STRING, got BIGINT"),
        ("SUBSTRING", (STR, STR), "function SUBSTRING argument 2 must be an integer, got STRING"),
        ("SQRT", (STR,), "function SQRT argument 1 must be NUMERIC, got STRING"),
        ("HOUR", (STR,), "function HOUR argument 1 must be DATE, TIME or TIMESTAMP, got STRING"),
        (
            "DATE_FORMAT",
            (BIG, lit("y")),
            "function DATE_FORMAT argument 1 must be TIMESTAMP or STRING, got BIGINT",
        ),
        ("CONCAT", (STR, BIG), "function CONCAT argument 2 must be STRING, got BIGINT"),
        ("IF", (BIG, STR, STR), "function IF argument 1 must be BOOLEAN, got BIGINT"),
        (
            "CARDINALITY",
            (STR,),
            "function CARDINALITY argument 1 must be ARRAY, MAP or MULTISET, got STRING",
        ),
        (
            "EXTRACT",
            (lit("FORTNIGHT"), TS),
            "function EXTRACT argument 1 must be a time unit literal, got FORTNIGHT",
        ),
        ("COALESCE", (BIG, STR), "function COALESCE arguments have no common type: BIGINT, STRING"),
        ("ROUND", (STR,), "function ROUND argument 1 must be NUMERIC, got STRING"),
        ("ITEM", (BIG, lit(1)), "function ITEM argument 1 must be ARRAY or MAP, got BIGINT"),
    ],
)
def test_argument_type_errors(name: str, args: tuple[Expr, ...], message: str) -> None:
    with pytest.raises(TypeCheckError) as e:
        functions.scalar_call(name, args, None)
    assert e.value.message == message


def test_unknown_function_and_aggregate_as_scalar() -> None:
    with pytest.raises(BindError, match="no function named NOPE"):
        call("nope", STR)
    with pytest.raises(TypeCheckError, match="SUM is an aggregate function"):
        call("SUM", BIG)
    with pytest.raises(BindError, match="unknown operator"):
        op("FROBNICATE", BIG)


# -- string, math, temporal return types -------------------------------------------------------
def test_string_functions() -> None:
    assert call("CHAR_LENGTH", STR).type == t.int_(False)
    assert call("SUBSTRING", lit("abcd"), lit(2)).type == t.varchar(4, False)
    assert call("SUBSTRING", STR_N, lit(1), lit(2)).type == t.string()
    assert call("TRIM", STR).type == t.string(False)
    assert call("CONCAT", STR, STR_N).type == t.string()
    # CONCAT_WS skips NULL values: only the separator's nullability counts.
    assert call("CONCAT_WS", lit("-"), STR_N, NULL).type == t.string(False)
    assert call("POSITION", lit("a"), STR).type == t.int_(False)
    assert call("UUID").type == t.char(36, False)
    assert call("STR_TO_MAP", STR).type == t.map_(t.string(), t.string(), False)
    assert call("JSON_VALUE", STR, lit("$.a")).type == t.string()
    assert call("MD5", STR).type.kind is t.Kind.CHAR


def test_null_literal_argument_gets_the_parameter_type() -> None:
    e = call("UPPER", NULL)
    assert isinstance(e, Call) and isinstance(e.args[0], Cast)
    assert e.type == t.string()


def test_math_functions() -> None:
    assert call("ABS", BIG_N).type == t.bigint()
    assert call("POWER", BIG, lit(2)).type == t.double(False)
    assert call("SQRT", BIG).type == t.double(False)
    assert call("LOG", lit(2), BIG).type == t.double(False)
    # ROUND/FLOOR/CEIL on DECIMAL (Flink findRoundDecimalType).
    d = col(t.decimal(10, 4, False))
    assert call("ROUND", d, lit(2)).type == t.decimal(9, 2, False)
    assert call("ROUND", d).type == t.decimal(7, 0, False)
    assert call("FLOOR", d).type == t.decimal(7, 0, False)
    assert call("CEILING", col(t.double())).type == t.double()
    assert call("FLOOR", TS, lit("HOUR")).type == TS.type
    assert call("RAND").type == t.double(False)
    assert call("RAND_INTEGER", lit(10)).type == t.int_(False)
    assert call("PI").type == t.double(False)


def test_temporal_functions() -> None:
    assert call("CURRENT_TIMESTAMP").type == t.timestamp_ltz(3, False)
    assert call("LOCALTIMESTAMP").type == t.timestamp(3, False)
    assert call("NOW").type == t.timestamp_ltz(3, False)
    assert call("CURRENT_DATE").type == t.date(False)
    assert call("PROCTIME").type == t.timestamp_ltz(3, False)
    # parse functions return NULL on bad input: always nullable.
    assert call("TO_TIMESTAMP", STR).type == t.timestamp(3)
    assert call("TO_DATE", STR, lit("yyyyMMdd")).type == t.date()
    assert call("TO_TIMESTAMP_LTZ", BIG, lit(3)).type == t.timestamp_ltz(3)
    assert call("UNIX_TIMESTAMP").type == t.bigint(False)
    assert call("UNIX_TIMESTAMP", STR_N).type == t.bigint()
    assert call("FROM_UNIXTIME", BIG).type == t.string(False)
    assert call("TIMESTAMPADD", lit("DAY"), lit(1), TS).type == TS.type
    assert call("TIMESTAMPDIFF", lit("SECOND"), TS, TS_N).type == t.int_()
    # NULL when the string does not parse: always nullable
    assert call("CONVERT_TZ", STR, lit("UTC"), lit("Asia/Shanghai")).type == t.string()


def test_conditional_functions() -> None:
    c = call("COALESCE", BIG_N, lit(0))
    assert c.type == t.bigint(False)  # one NOT NULL argument makes COALESCE NOT NULL
    assert isinstance(c, Call) and isinstance(c.args[1], Cast)
    assert call("COALESCE", BIG_N, NULL).type == t.bigint()
    assert call("IFNULL", STR_N, lit("x")).type == t.string(False)
    assert call("NULLIF", BIG, lit(0)).type == t.bigint()
    assert call("IF", col(t.boolean(False)), lit(1), BIG).type == t.bigint(False)
    assert call("GREATEST", lit(1), BIG_N, lit(Decimal("2.5"))).type == t.decimal(20, 1)
    assert call("TYPEOF", BIG).type == t.string(False)


def test_collection_functions() -> None:
    arr = call("ARRAY_VALUE", lit(1), BIG)
    assert arr.type == t.array(t.bigint(False), nullable=False)
    assert call("CARDINALITY", arr).type == t.int_(False)
    assert call("ELEMENT", arr).type == t.bigint()
    assert call("ITEM", arr, lit(1)).type == t.bigint()
    m = call("MAP_VALUE", lit("a"), lit(1), lit("bc"), lit(2))
    assert m.type == t.map_(t.varchar(2, False), t.int_(False), nullable=False)
    assert call("ITEM", m, lit("a")).type == t.int_()
    r = call("ROW", BIG, STR_N)
    assert r.type == t.row([("EXPR$0", t.bigint(False)), ("EXPR$1", t.string())], nullable=False)
    with pytest.raises(TypeCheckError, match="even number of arguments"):
        call("MAP_VALUE", lit("a"), lit(1), lit("b"))


# -- aggregates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("COUNT", (), t.bigint(False)),  # COUNT(*)
        ("COUNT", (t.string(),), t.bigint(False)),
        ("SUM", (t.int_(False),), t.int_()),
        ("SUM", (t.bigint(False),), t.bigint()),
        ("SUM", (t.decimal(10, 2, False),), t.decimal(38, 2)),
        ("SUM", (t.double(),), t.double()),
        ("AVG", (t.bigint(False),), t.bigint()),  # FLINK_SEMANTICS.md: AVG(BIGINT) is BIGINT
        ("AVG", (t.int_(),), t.int_()),
        ("AVG", (t.decimal(10, 2),), t.decimal(38, 6)),
        ("AVG", (t.double(),), t.double()),
        ("MIN", (t.string(False),), t.string()),
        ("MAX", (t.timestamp(3, False),), t.timestamp(3)),
        ("FIRST_VALUE", (t.bigint(False),), t.bigint()),
        ("LISTAGG", (t.string(), t.char(1, False)), t.string()),
        ("COLLECT", (t.bigint(),), t.multiset(t.bigint(), nullable=False)),
        ("STDDEV_POP", (t.double(),), t.double()),
        ("ROW_NUMBER", (), t.bigint(False)),
        ("RANK", (), t.bigint(False)),
        ("DENSE_RANK", (), t.bigint(False)),
        ("LAG", (t.bigint(False), t.int_(False)), t.bigint()),
    ],
)
def test_aggregate_types(name: str, args: tuple[SqlType, ...], expected: SqlType) -> None:
    assert functions.aggregate_type(name, args, False, None) == expected


def test_aggregate_errors() -> None:
    with pytest.raises(TypeCheckError, match="function SUM argument 1 must be NUMERIC, got STRING"):
        functions.aggregate_type("SUM", (t.string(),), False, None)
    with pytest.raises(TypeCheckError, match="function AVG takes 1 argument, got 2"):
        functions.aggregate_type("avg", (t.int_(), t.int_()), False, None)
    with pytest.raises(TypeCheckError, match="ROW_NUMBER takes no arguments, got 1"):
        functions.aggregate_type("ROW_NUMBER", (t.int_(),), False, None)
    with pytest.raises(TypeCheckError, match="UPPER is not an aggregate function"):
        functions.aggregate_type("UPPER", (t.string(),), False, None)
    with pytest.raises(BindError, match="no aggregate function named NOPE"):
        functions.aggregate_type("nope", (), False, None)


def test_is_aggregate() -> None:
    assert functions.is_aggregate("count") and functions.is_aggregate("ROW_NUMBER")
    assert not functions.is_aggregate("UPPER") and not functions.is_aggregate("nope")


# -- registry: aliases, kinds, determinism ---------------------------------------------------------
@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("substr", "SUBSTRING"),
        ("CHARACTER_LENGTH", "CHAR_LENGTH"),
        ("ceiling", "CEIL"),
        ("Pow", "POWER"),
        ("upper", "UPPER"),
    ],
)
def test_alias_lookup(alias: str, canonical: str) -> None:
    info = functions.lookup(alias)
    assert info is not None and info.name == canonical
    e = functions.scalar_call(alias, _args_for(canonical), None)
    assert isinstance(e, Call) and e.name == canonical


def _args_for(name: str) -> tuple[Expr, ...]:
    return {
        "SUBSTRING": (STR, lit(1)),
        "CHAR_LENGTH": (STR,),
        "CEIL": (BIG,),
        "POWER": (BIG, BIG),
        "UPPER": (STR,),
    }[name]


def test_lookup_info() -> None:
    info = functions.lookup("substring")
    assert info is not None
    assert (info.kind, info.min_args, info.max_args, info.deterministic) == ("scalar", 2, 3, True)
    assert "SUBSTRING(" in info.doc
    concat = functions.lookup("CONCAT")
    assert concat is not None and concat.max_args is None
    count = functions.lookup("COUNT")
    assert count is not None and count.kind == "aggregate"
    rn = functions.lookup("ROW_NUMBER")
    assert rn is not None and rn.kind == "window"
    assert functions.lookup("LCASE") is None  # not a Flink built-in
    assert functions.lookup("nope") is None


@pytest.mark.parametrize(
    "name",
    [
        "RAND",
        "RAND_INTEGER",
        "UUID",
        "NOW",
        "CURRENT_TIMESTAMP",
        "CURRENT_DATE",
        "CURRENT_TIME",
        "LOCALTIMESTAMP",
        "LOCALTIME",
        "PROCTIME",
        "UNIX_TIMESTAMP",
        "CURRENT_ROW_TIMESTAMP",
    ],
)
def test_non_deterministic_flags(name: str) -> None:
    info = functions.lookup(name)
    assert info is not None and info.deterministic is False


def test_deterministic_flags_agree_with_the_plan_ir() -> None:
    for info in functions.all_functions():
        if info.kind == "scalar" and info.name != "UNIX_TIMESTAMP":
            assert info.deterministic == (info.name not in _plan_nondeterministic()), info.name
    assert not is_deterministic(call("UNIX_TIMESTAMP"))
    assert is_deterministic(call("UNIX_TIMESTAMP", STR))


def _plan_nondeterministic() -> frozenset[str]:
    from nrtg.compiler.plan.expr import NONDETERMINISTIC

    return NONDETERMINISTIC


def test_every_doc_is_one_line_with_the_name() -> None:
    for info in functions.all_functions():
        assert "\n" not in info.doc and info.doc, info.name
        assert info.name in info.doc or info.name in ("ARRAY_VALUE", "MAP_VALUE", "ITEM"), info


# -- more error paths --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("ROUND", (BIG, STR), "function ROUND argument 2 must be an integer, got STRING"),
        (
            "FLOOR",
            (TS, lit("FORTNIGHT")),
            "function FLOOR argument 2 must be a time unit (YEAR, MONTH, DAY, HOUR, ...), "
            "got FORTNIGHT",
        ),
        (
            "FLOOR",
            (STR, lit("DAY")),
            "function FLOOR argument 1 must be DATE, TIME or TIMESTAMP, got STRING",
        ),
        (
            "TIMESTAMPADD",
            (lit("DAY"), STR, TS),
            "function TIMESTAMPADD argument 2 must be an integer, got STRING",
        ),
        (
            "TIMESTAMPADD",
            (lit("DAY"), lit(1), STR),
            "function TIMESTAMPADD argument 3 must be DATE, TIME or TIMESTAMP, got STRING",
        ),
        (
            "TIMESTAMPDIFF",
            (lit("DAY"), TS, col(t.time())),
            "function TIMESTAMPDIFF cannot compare TIMESTAMP(3) with TIME(0)",
        ),
        (
            "TIMESTAMPDIFF",
            (lit("EON"), TS, TS),
            "function TIMESTAMPDIFF argument 1 must be a time unit literal, got EON",
        ),
        (
            "TO_TIMESTAMP_LTZ",
            (lit(True),),
            "function TO_TIMESTAMP_LTZ argument 1 must be NUMERIC or STRING, got BOOLEAN",
        ),
        (
            "TO_TIMESTAMP_LTZ",
            (BIG, STR),
            "function TO_TIMESTAMP_LTZ argument 2 must be an integer, got STRING",
        ),
        (
            "TO_TIMESTAMP_LTZ",
            (BIG, lit(12)),
            "function TO_TIMESTAMP_LTZ precision must be between 0 and 9, got 12",
        ),
        (
            "CURRENT_WATERMARK",
            (STR,),
            "function CURRENT_WATERMARK argument 1 must be TIMESTAMP or TIMESTAMP_LTZ, got STRING",
        ),
        ("NULLIF", (BIG, STR), "function NULLIF cannot compare BIGINT with STRING"),
        (
            "IF",
            (col(t.boolean()), BIG, STR),
            "function IF branches have no common type: BIGINT, STRING",
        ),
        (
            "GREATEST",
            (arr := col(t.array(t.int_())), arr),
            "function GREATEST needs comparable arguments, got ARRAY<INT>",
        ),
        ("TYPEOF", (BIG, BIG), "function TYPEOF argument 2 must be BOOLEAN, got BIGINT"),
        ("ELEMENT", (BIG,), "function ELEMENT argument 1 must be ARRAY or MULTISET, got BIGINT"),
        ("ITEM", (arr, STR), "function ITEM argument 2 must be an integer index, got STRING"),
        (
            "ITEM",
            (col(t.map_(t.string(), t.int_())), lit(1)),
            "function ITEM argument 2 must be a key of type STRING, got INT",
        ),
        (
            "ARRAY_CONTAINS",
            (BIG, lit(1)),
            "function ARRAY_CONTAINS argument 1 must be ARRAY, got BIGINT",
        ),
        (
            "ARRAY_POSITION",
            (arr, STR),
            "function ARRAY_POSITION argument 2 must be an element of type INT, got STRING",
        ),
        ("ARRAY_CONCAT", (arr, BIG), "function ARRAY_CONCAT argument 2 must be ARRAY, got BIGINT"),
        ("MAP_KEYS", (arr,), "function MAP_KEYS argument 1 must be MAP, got ARRAY<INT>"),
        ("MAP_ENTRIES", (BIG,), "function MAP_ENTRIES argument 1 must be MAP, got BIGINT"),
        (
            "MAP_FROM_ARRAYS",
            (arr, BIG),
            "function MAP_FROM_ARRAYS argument 2 must be ARRAY, got BIGINT",
        ),
        ("MOD", (BIG,), "function MOD takes 2 arguments, got 1"),
        ("TUMBLE", (TS,), "TUMBLE is a table function and cannot be called as a scalar function"),
    ],
)
def test_more_error_paths(name: str, args: tuple[Expr, ...], message: str) -> None:
    with pytest.raises(TypeCheckError) as e:
        functions.scalar_call(name, args, None)
    assert e.value.message == message


def test_operator_error_paths() -> None:
    with pytest.raises(TypeCheckError, match="operator - cannot be applied to STRING"):
        op("UNARY_MINUS", STR)
    with pytest.raises(TypeCheckError, match="function PLUS takes 2 arguments, got 3"):
        op("PLUS", BIG, BIG, BIG)
    with pytest.raises(TypeCheckError, match="function AND takes at least 2 arguments, got 1"):
        op("AND", col(t.boolean()))
    with pytest.raises(TypeCheckError, match="cannot compare ARRAY<INT> with ARRAY<INT>"):
        op("LESS_THAN", col(t.array(t.int_())), col(t.array(t.int_())))
    with pytest.raises(TypeCheckError, match="requires STRING operands, the pattern is INT"):
        op("LIKE", STR, lit(1))


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("LISTAGG", (t.string(), t.int_()), "function LISTAGG argument 2 must be STRING, got INT"),
        ("NTILE", (t.string(),), "function NTILE argument 1 must be an integer, got STRING"),
        (
            "LAG",
            (t.int_(), t.string()),
            "function LAG argument 2 must be an integer offset, got STRING",
        ),
        (
            "LEAD",
            (t.int_(), t.int_(), t.string()),
            "function LEAD argument 3 must be a default of type INT, got STRING",
        ),
        (
            "MAX",
            (t.map_(t.int_(), t.int_()),),
            "function MAX argument 1 must be a comparable type, got MAP<INT, INT>",
        ),
        ("SUM", (t.null(),), "function SUM cannot be applied to an untyped NULL"),
    ],
)
def test_aggregate_error_paths(name: str, args: tuple[SqlType, ...], message: str) -> None:
    with pytest.raises(TypeCheckError) as e:
        functions.aggregate_type(name, args, False, None)
    assert e.value.message == message


# -- Flink 2.3 additions and collections ------------------------------------------------------------
def test_to_timestamp_ltz_precision() -> None:
    # FLINK-39244 (Flink 2.3): precision 0-3 -> TIMESTAMP_LTZ(3), 4-9 -> TIMESTAMP_LTZ(p);
    # a string format's fraction digits decide the precision.
    assert call("TO_TIMESTAMP_LTZ", BIG).type == t.timestamp_ltz(3)
    assert call("TO_TIMESTAMP_LTZ", BIG, lit(0)).type == t.timestamp_ltz(3)
    assert call("TO_TIMESTAMP_LTZ", BIG, lit(6)).type == t.timestamp_ltz(6)
    assert call("TO_TIMESTAMP_LTZ", STR).type == t.timestamp_ltz(3)
    fmt = lit("yyyy-MM-dd HH:mm:ss.SSSS")
    assert call("TO_TIMESTAMP_LTZ", STR, fmt).type == t.timestamp_ltz(4)
    assert call("TO_TIMESTAMP_LTZ", STR, fmt, lit("UTC")).type == t.timestamp_ltz(4)


def test_more_collection_functions() -> None:
    arr = col(t.array(t.int_(), nullable=False))
    assert call("ARRAY_CONTAINS", arr, lit(1)).type == t.boolean(False)
    assert call("ARRAY_POSITION", arr, lit(1)).type == t.int_(False)
    assert call("ARRAY_REMOVE", arr, lit(1)).type == arr.type
    assert call("ARRAY_MAX", arr).type == t.int_()
    assert call("ARRAY_CONCAT", arr, col(t.array(t.bigint()))).type == t.array(t.bigint())
    assert call("ARRAY_SLICE", arr, lit(1)).type == arr.type
    assert call("ARRAY_JOIN", arr, lit(",")).type == t.string(False)
    m = col(t.map_(t.string(), t.bigint()))
    assert call("MAP_KEYS", m).type == t.array(t.string())
    assert call("MAP_VALUES", m).type == t.array(t.bigint())
    entry = t.row([("key", t.string()), ("value", t.bigint())], nullable=False)
    assert call("MAP_ENTRIES", m).type == t.array(entry)
    assert call("MAP_FROM_ARRAYS", arr, col(t.array(t.string()))).type == t.map_(
        t.int_(), t.string(), nullable=True
    )
    assert call("SPLIT", STR, lit(",")).type == t.array(t.string(), nullable=False)


def test_in_list_with_timestamp_and_string_literal() -> None:
    e = op("IN", TS_N, lit("2024-01-01 00:00:00"), TS)
    assert isinstance(e, Call) and isinstance(e.args[1], Cast)
    assert e.args[1].type.kind is t.Kind.TIMESTAMP and e.type == t.boolean()


def test_table_functions_are_registered_but_not_scalar() -> None:
    info = functions.lookup("hop")
    assert info is not None and info.kind == "table"
    assert not functions.is_aggregate("TUMBLE")
