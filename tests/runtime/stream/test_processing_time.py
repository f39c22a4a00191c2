"""Processing time (never in parity tests: non-deterministic by design): PROCTIME() windows fire
by an injected clock, and processing-time lookup joins (Nexmark q12, q13 shapes)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.compiler.lower.stream_text import graph_text
from nrtg.golden import ROOT, load_case
from nrtg.runtime.stream.executor import Executor
from nrtg.runtime.stream.fold import fold_multiset

from ._parity import generate_nexmark, query_plans

DDL = """
CREATE TABLE ev (k BIGINT, v STRING)
WITH ('connector' = 'filesystem', 'path' = '/nonexistent', 'format' = 'json');
CREATE TABLE side (key BIGINT, name STRING)
WITH ('connector' = 'filesystem', 'path' = '/nonexistent2', 'format' = 'json');
CREATE VIEW B AS SELECT *, PROCTIME() AS p FROM ev;
"""
WINDOW = """SELECT k, COUNT(*) AS n, window_start FROM TABLE(TUMBLE(TABLE B, DESCRIPTOR(p),
INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end;"""
LOOKUP = """SELECT e.k, e.v, s.name FROM B AS e LEFT JOIN side FOR SYSTEM_TIME AS OF e.p AS s
ON MOD(e.k, 3) = s.key;"""


def events(n: int) -> pa.Table:
    return pa.table(
        {"k": pa.array([i % 2 for i in range(n)], pa.int64()), "v": [f"v{i}" for i in range(n)]}
    )


def test_proctime_tumble_fires_by_the_injected_clock() -> None:
    graph = lower_to_stream(compile_sql(DDL + WINDOW).optimized)
    assert "processing-time" in graph_text(graph)
    now = [0]
    ex = Executor(graph, tables={"ev": events(6)}, batch_size=2, clock=lambda: now[0])
    for t in (1_000, 5_000, 12_000):
        now[0] = t
        ex.step()
    fired = fold_multiset(ex.output(0))
    # window [0 s, 10 s) closed once the clock passed 10 s: rows of the first two batches
    assert {(r[0], r[1]) for r in fired} == {(0, 2), (1, 2)}
    ex.run()
    total = fold_multiset(ex.output(0))
    starts = Counter(r[2].timestamp() for r in total.elements())
    assert sorted(starts.values()) == [2, 2]  # two keys in each of the two windows
    assert sum(r[1] for r in total.elements()) == 6


def test_proctime_session_closes_a_gap_after_its_last_row() -> None:
    query = """SELECT k, COUNT(*) AS n, window_start, window_end FROM TABLE(SESSION(TABLE B
    PARTITION BY k, DESCRIPTOR(p), INTERVAL '5' SECOND)) GROUP BY k, window_start, window_end;"""
    graph = lower_to_stream(compile_sql(DDL + query).optimized)
    assert "processing-time" in graph_text(graph)
    now = [0]
    ex = Executor(graph, tables={"ev": events(8)}, batch_size=2, clock=lambda: now[0])
    for t in (1_000, 3_000, 9_000):  # 6 s after the second batch: its session is closed
        now[0] = t
        ex.step()
    fired = sorted(
        (r[0], r[1], r[2].timestamp(), r[3].timestamp()) for r in fold_multiset(ex.output(0))
    )
    # one session per key over the rows of the first two batches: [1 s, 3 s + 5 s)
    assert fired == [(0, 2, 1.0, 8.0), (1, 2, 1.0, 8.0)]
    now[0] = 10_000
    ex.run()  # the rest arrives at 9 s and 10 s, and closes at the end of input
    total = sorted(
        (r[0], r[1], r[2].timestamp(), r[3].timestamp()) for r in fold_multiset(ex.output(0))
    )
    assert total == [(0, 2, 1.0, 8.0), (0, 2, 9.0, 15.0), (1, 2, 1.0, 8.0), (1, 2, 9.0, 15.0)]


def test_lookup_join_waits_for_the_bounded_table_and_pads_misses() -> None:
    graph = lower_to_stream(compile_sql(DDL + LOOKUP).optimized)
    assert [s.kind for s in graph.operators].count("lookup_join") == 1
    side = pa.table({"key": pa.array([0, 1], pa.int64()), "name": ["zero", "one"]})
    ex = Executor(graph, tables={"ev": events(4), "side": side}, batch_size=1)
    ex.run()
    out = fold_multiset(ex.output(0))
    assert out == Counter(
        {(0, "v0", "zero"): 1, (1, "v1", "one"): 1, (0, "v2", "zero"): 1, (1, "v3", "one"): 1}
    )


@pytest.fixture(scope="module")
def nexmark_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_nexmark(tmp_path_factory.mktemp("nx") / "events", events=500)


def test_nexmark_q12_and_q13_run(nexmark_dir: Path) -> None:
    q12 = load_case(ROOT / "cases" / "nexmark" / "q12.sql")
    (plan,), _ = query_plans(q12, nexmark_dir)
    ex = Executor(lower_to_stream((plan,)), batch_size=100, clock=lambda: 0)
    ex.run()
    bids = sum(r[1] for r in fold_multiset(ex.output(0)).elements())
    assert 0 < bids < 500  # every bid, in the one window the still clock is in
    q13 = load_case(ROOT / "cases" / "nexmark" / "q13.sql")
    side = nexmark_dir.parent / "side_input.csv"
    side.write_text("".join(f"{i},s{i}\n" for i in range(10_000)))
    script = q13.script().replace("${NEXMARK_PATH}", str(nexmark_dir))
    (plan,) = compile_sql(script.replace("${SIDE_INPUT}", str(side))).optimized
    ex = Executor(lower_to_stream((plan,)), batch_size=100)  # the CSV file read as batch does
    ex.run()
    rows = list(fold_multiset(ex.output(0)).elements())
    assert len(rows) == bids
    assert all(r[4] == f"s{r[0] % 10_000}" for r in rows)


def test_proctime_column_reads_the_injected_clock() -> None:
    import datetime as dt

    sql = "SELECT k, p, CAST(p AS STRING) AS s FROM B WHERE p > TIMESTAMP '1970-01-01 00:00:01';"
    graph = lower_to_stream(compile_sql(DDL + sql).optimized)
    ex = Executor(graph, tables={"ev": events(3)}, batch_size=2, clock=lambda: 1_234_567)
    ex.run()
    rows = list(fold_multiset(ex.output(0)).elements())
    when = dt.datetime(1970, 1, 1, 0, 20, 34, 567_000, tzinfo=dt.UTC)
    assert sorted(r[0] for r in rows) == [0, 0, 1]
    assert {r[1] for r in rows} == {when}
    assert {r[2] for r in rows} == {"1970-01-01 00:20:34.567"}


@pytest.mark.parametrize("columnar", [True, False])
def test_proctime_over_computes_each_batch_as_it_arrives(columnar: bool) -> None:
    calls = "COUNT(*) OVER w AS n, MIN(v) OVER w AS lo"
    if not columnar:
        calls += ", LISTAGG(v) OVER w AS vs"  # per-row accumulators
    query = f"""SELECT k, v, {calls} FROM B
    WINDOW w AS (PARTITION BY k ORDER BY p ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);"""
    graph = lower_to_stream(compile_sql(DDL + query).optimized)
    text = graph_text(graph)
    assert "over_agg" in text and "each batch as it arrives" in text
    now = [0]
    ex = Executor(graph, tables={"ev": events(8)}, batch_size=2, clock=lambda: now[0])
    (op,) = [o for k, o in ex.operators.items() if graph.operator(k).kind == "over_agg"]
    assert (op.columnar is not None) is columnar  # type: ignore[attr-defined]
    now[0] = 1_000
    ex.step()  # v0 (k=0) and v1 (k=1) come out at once: no watermark to wait for
    first = fold_multiset(ex.output(0))
    assert {(r[0], r[1], r[2], r[3]) for r in first} == {(0, "v0", 1, "v0"), (1, "v1", 1, "v1")}
    for t in range(2_000, 6_000, 1_000):
        now[0] = t
        ex.step()
    rows = {r[1]: r for r in fold_multiset(ex.output(0))}
    assert len(rows) == 8 and op.late_records_dropped == 0
    # k = 0 gets v0, v2, v4, v6 one batch apart: the frame holds the last three
    assert [rows[v][2] for v in ("v0", "v2", "v4", "v6")] == [1, 2, 3, 3]
    assert rows["v6"][3] == "v2"
