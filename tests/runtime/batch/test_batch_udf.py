"""Python scalar UDFs (`CREATE FUNCTION ... LANGUAGE PYTHON`) on the batch target."""

from __future__ import annotations

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, FunctionDef, Ident
from nrtg.compiler.lower.duckdb import lower_to_duckdb
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, ColumnRef, Literal
from nrtg.runtime.batch import run_plan

UDFS = {"COUNT_CHAR": FunctionDef(Ident("default", "count_char"), "nrtg.udfs.count_char")}


def plan() -> n.Plan:
    v = n.Values(
        rows=((Literal(value="abcabc", type=t.string()),), (Literal(value=None, type=t.string()),)),
        fields=(Field("s", t.string()),),
    )
    s = ColumnRef(index=0, name="s", type=t.string())
    c = Literal(value="c", type=t.string())
    udf = Call(name="COUNT_CHAR", args=(s, c), type=t.bigint())
    return n.Project(input=v, exprs=(udf,), names=("n",))


def test_udf_lowers_to_a_registered_function() -> None:
    q = lower_to_duckdb(plan(), udfs=UDFS)
    assert "NRTG_UDF_COUNT_CHAR" in q.sql.upper()
    assert [u.class_name for u in q.udfs] == ["nrtg.udfs.count_char"]
    assert "-- python udf nrtg_udf_count_char: nrtg.udfs.count_char" in q.text()


def test_udf_runs_row_wise() -> None:
    # numpy is a dependency: DuckDB registers Python functions only with it.
    assert [r["n"] for r in run_plan(plan(), udfs=UDFS).table.to_pylist()] == [2, None]
