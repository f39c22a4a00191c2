"""Compiles against one catalog object that changes between them see the change (the binder
keeps bound catalog expressions per table object and bound views across compiles)."""

from __future__ import annotations

import pytest

from nrtg.catalog.memory import MemoryCatalog
from nrtg.catalog.schema import Ident
from nrtg.compiler.api import compile_sql
from nrtg.compiler.errors import BindError
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.walk import walk
from nrtg.persist import apply_changes

TABLE = """
CREATE TABLE t (
    a {a_type}, ts TIMESTAMP(3), c AS a + 1,
    WATERMARK FOR ts AS ts - INTERVAL '{delay}' SECOND
) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json')
"""


def _create(catalog: MemoryCatalog, a_type: str, delay: int) -> None:
    ddl = TABLE.format(a_type=a_type, delay=delay)
    apply_changes(catalog, compile_sql(ddl, catalog).bound.changes)


def _plan(catalog: MemoryCatalog) -> str:
    return compile_sql("SELECT c, ts FROM t", catalog).explain("logical", schema=True)


def test_a_replaced_table_is_bound_from_its_new_definition() -> None:
    catalog = MemoryCatalog()
    _create(catalog, "BIGINT", 1)
    first = _plan(catalog)
    assert _plan(catalog) == first
    catalog.drop_table(Ident("default", "t"))
    # The same computed-column text over a column of another type.
    _create(catalog, "DOUBLE", 5)
    second = _plan(catalog)
    assert "c:BIGINT" in first and "INTERVAL '1' SECOND" in first
    assert "c:DOUBLE" in second and "INTERVAL '5' SECOND" in second


VIEWS = """
CREATE TABLE t (a {a_type}, s STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
CREATE FUNCTION count_char AS 'nrtg.udfs.count_char' LANGUAGE PYTHON;
CREATE VIEW v AS SELECT a, count_char(s) AS n FROM t WHERE a > 0;
"""
QUERY = """
CREATE TEMPORARY FUNCTION count_char AS 'nrtg.udfs.count_char' LANGUAGE PYTHON;
SELECT x.a, y.n FROM v AS x JOIN v AS y ON x.a = y.a;
"""


def test_a_view_is_bound_again_when_what_it_reads_changes() -> None:
    catalog = MemoryCatalog()
    apply_changes(catalog, compile_sql(VIEWS.format(a_type="BIGINT"), catalog).bound.changes)
    jobs = [compile_sql(QUERY, catalog) for _ in range(2)]
    first, second = (job.explain("logical", schema=True) for job in jobs)
    assert first == second and "a:BIGINT" in first
    for job in jobs:
        # The function a view calls is the job's, whether the view was bound or reused.
        assert set(job.bound.udfs) == {"COUNT_CHAR"}
        # The view's two uses stay two subplans, with nothing shared between them.
        scans = [p for p in walk(job.logical[0]) if isinstance(p, n.TableScan)]
        assert len(scans) == 2 and scans[0] is not scans[1]
        assert "ref @" not in job.explain("logical")
    # The view is the same object; the table under it is replaced.
    catalog.drop_table(Ident("default", "t"))
    table_only = VIEWS.format(a_type="DOUBLE").split(";")[0]
    apply_changes(catalog, compile_sql(table_only, catalog).bound.changes)
    third = compile_sql(QUERY, catalog).explain("logical", schema=True)
    assert "a:DOUBLE" in third and "a:BIGINT" not in third


def test_a_view_calling_an_undeclared_function_fails_in_every_compile() -> None:
    catalog = MemoryCatalog()
    apply_changes(catalog, compile_sql(VIEWS.format(a_type="BIGINT"), catalog).bound.changes)
    compile_sql(QUERY, catalog)
    for _ in range(2):
        with pytest.raises(BindError, match="COUNT_CHAR"):
            compile_sql("SELECT n FROM v", catalog)


NESTED = """
CREATE TABLE t (a BIGINT, s STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
CREATE VIEW v AS SELECT a, s FROM t WHERE a > 0;
CREATE VIEW w AS SELECT a FROM v WHERE a < 10;
"""


@pytest.mark.parametrize(
    "query",
    [
        "SELECT w.a FROM w JOIN v ON w.a = v.a",
        "SELECT v.a FROM v JOIN w ON w.a = v.a",
        "SELECT x.a FROM w AS x JOIN w AS y ON x.a = y.a",
    ],
)
def test_views_used_twice_or_inside_each_other_share_no_plan_node(query: str) -> None:
    """A cached view's own plan is handed to a compile once, copies after that; a view bound
    inside another one is part of that one's plan, so it is copied wherever else it is used."""
    catalog = MemoryCatalog()
    apply_changes(catalog, compile_sql(NESTED, catalog).bound.changes)
    compile_sql("SELECT a FROM v", catalog)  # v cached on its own before w binds it
    texts = set()
    for _ in range(3):
        job = compile_sql(query, catalog)
        texts.add(job.explain("logical", schema=True))
        join = next(p for p in walk(job.bound.queries[0]) if isinstance(p, n.Join))
        left = {id(p) for p in walk(join.left)}
        right = {id(p) for p in walk(join.right)}
        assert not left & right
    assert len(texts) == 1
