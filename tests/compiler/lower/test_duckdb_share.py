"""Batch lowering: structurally equal subplans share one CTE (MATERIALIZED when they aggregate),
never when non-deterministic; `col = literal` filters fold the CASE branches they decide."""

from __future__ import annotations

from pathlib import Path

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.duckdb import lower_to_duckdb
from nrtg.golden import load_case
from nrtg.runtime.batch import run_plan

ROOT = Path(__file__).resolve().parents[3]
T = (
    "CREATE TABLE t (k BIGINT, kind INT, a ROW<x BIGINT>, b ROW<x BIGINT>) "
    "WITH ('connector' = 'filesystem', 'path' = '/none', 'format' = 'json');\n"
)


def _sql(script: str) -> str:
    job = compile_sql(script)
    return lower_to_duckdb(job.optimized[-1]).sql


def test_q5_aggregates_bid_once() -> None:
    sql = _sql(load_case(ROOT / "golden" / "cases" / "nexmark" / "q5.sql").script())
    assert sql.count("AS MATERIALIZED") == 1
    assert sql.count("GROUP BY") == 2  # the HOP count once, the max over it once
    assert sql.count('FROM "src:default.nexmark"') == 1


def test_views_over_one_table_read_only_their_struct() -> None:
    sql = _sql(load_case(ROOT / "golden" / "cases" / "nexmark" / "q0.sql").script())
    assert "CASE" not in sql
    assert 'STRUCT_EXTRACT("person"' not in sql and 'STRUCT_EXTRACT("auction"' not in sql


def test_case_folding_keeps_undecided_branches_and_other_conjuncts() -> None:
    script = (
        T + "CREATE VIEW v AS SELECT k, kind, CASE WHEN kind = 0 THEN a.x WHEN k = 5 THEN 0 "
        "ELSE b.x END AS x FROM t;\n"
        "SELECT k, x FROM v WHERE kind = 1 AND k > 2;"
    )
    sql = _sql(script)
    assert '"k" = CAST(5 AS BIGINT)' in sql and '"a"' not in sql.split("), q1")[1]
    rows = [
        {"k": 5, "kind": 1, "a": {"x": 10}, "b": {"x": 20}},
        {"k": 7, "kind": 1, "a": {"x": 11}, "b": {"x": 21}},
        {"k": 1, "kind": 1, "a": {"x": 12}, "b": {"x": 22}},
        {"k": 9, "kind": 0, "a": {"x": 13}, "b": {"x": 23}},
    ]
    import pyarrow as pa

    job = compile_sql(script)
    got = run_plan(job.optimized[-1], tables={"t": pa.Table.from_pylist(rows)}).table
    assert sorted(got.to_pylist(), key=lambda r: r["k"]) == [
        {"k": 5, "x": 0},
        {"k": 7, "x": 21},
    ]


def test_non_deterministic_subplans_are_not_shared() -> None:
    script = T + (
        "SELECT l.k FROM (SELECT k, RAND() AS r FROM t) l "
        "JOIN (SELECT k, RAND() AS r FROM t) r ON l.k = r.k AND l.r < r.r;"
    )
    assert _sql(script).count("RANDOM()") == 2
