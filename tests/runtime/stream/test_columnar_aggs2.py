"""ARRAY_AGG in the stream runtime (group, window and OVER aggregates), as Flink's
ArrayAggFunction: elements in arrival order, NULLs kept, a retraction removes the oldest equal
element, no element left is NULL; DISTINCT in order of first appearance."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal as Dec
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, Ident
from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall
from nrtg.runtime.stream.api import OP_COLUMN, Op
from nrtg.runtime.stream.executor import Executor
from nrtg.runtime.stream.fold import fold_multiset
from nrtg.runtime.stream.operators import _groups, _slotvalues
from nrtg.runtime.stream.operators._accumulators import agg_fns

from ._parity import run_parity
from .test_columnar_aggs import DDL as DDL_OVER
from .test_columnar_aggs import (
    changelog_across_restore,
    changelog_of,
    events,
    group_op,
    keyed_changelog,
)
from .test_columnar_over import FRAMES, over_job, over_sql
from .test_columnar_over import run as run_over
from .test_retractions import drive

DDL = """CREATE TABLE t (k BIGINT, s STRING, v INT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '3' SECOND)
WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json');
"""


def string_changes(rows: list[tuple[int, str | None, Op]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [
            pa.array([r[0] for r in rows], pa.int64()),
            pa.array([r[1] for r in rows], pa.string()),
            pa.array([int(r[2]) for r in rows], pa.int8()),
        ],
        names=["k", "v", OP_COLUMN],
    )


def array_agg_node(distinct: bool) -> n.Aggregate:
    fields = (Field("k", t.bigint()), Field("v", t.string()))
    source = n.TableScan(
        table=Ident("default", "s"), fields=fields, options=(("format", "debezium-json"),)
    )
    agg = AggCall(
        name="ARRAY_AGG", args=(1,), type=t.array(t.string()), distinct=distinct, alias="a"
    )
    return n.Aggregate(input=source, group=(0,), aggs=(agg,))


def results_after_each(node: n.Aggregate, steps: list[list[tuple[Any, ...]]]) -> list[Any]:
    """The folded result rows after each step's batch."""
    batches = [(0, string_changes(s)) for s in steps]
    return [sorted(drive(node, "group_agg", batches[: i + 1])) for i in range(len(steps))]


def test_array_agg_retracts_the_oldest_equal_element() -> None:
    ins, dele, ub = Op.INSERT, Op.DELETE, Op.UPDATE_BEFORE
    steps = [
        [(1, "a", ins), (1, "b", ins), (1, "a", ins), (1, None, ins), (2, "x", ins)],
        [(1, "a", dele)],  # the first "a" goes: the later one stays after "b"
        [(1, None, ub), (1, "c", ins)],
        [(1, "b", dele), (1, "a", dele), (1, "c", dele)],  # nothing left: the group goes
    ]
    assert results_after_each(array_agg_node(False), steps) == [
        [(1, ("a", "b", "a", None)), (2, ("x",))],
        [(1, ("b", "a", None)), (2, ("x",))],
        [(1, ("b", "a", "c")), (2, ("x",))],
        [(2, ("x",))],
    ]


def test_distinct_array_agg_lists_present_values_in_first_appearance_order() -> None:
    ins, dele = Op.INSERT, Op.DELETE
    steps = [
        [(1, "a", ins), (1, "b", ins), (1, "a", ins), (1, None, ins)],
        [(1, "a", dele)],  # one "a" is left: in its place
        [(1, "a", dele), (1, "a", ins)],  # gone, then back: last
        [(1, None, dele), (1, "b", dele)],
    ]
    assert results_after_each(array_agg_node(True), steps) == [
        [(1, ("a", "b", None))],
        [(1, ("a", "b", None))],
        [(1, ("b", None, "a"))],
        [(1, ("a",))],
    ]


def ordered_events(count: int) -> pa.Table:
    """Rows in time order (ties included; a 5 s pause every 50 rows), with NULL values and
    repeated ones."""
    base = dt.datetime(2026, 1, 1)
    return pa.table(
        {
            "k": pa.array([i % 4 for i in range(count)], pa.int64()),
            "s": pa.array([None if i % 9 == 0 else f"s{i % 5}" for i in range(count)]),
            "v": pa.array([i for i in range(count)], pa.int32()),
            "ts": pa.array(
                [
                    base + dt.timedelta(milliseconds=700 * (i // 2) + 5000 * (i // 50))
                    for i in range(count)
                ],
                pa.timestamp("ms"),
            ),
        }
    )


# Not SESSION: the batch target's session lowering does not keep the rows' order, so its LIST
# of a session is in no particular order (the stream's is arrival order, as Flink's).
QUERIES = {
    "group": "SELECT k, ARRAY_AGG(s) AS a, ARRAY_AGG(v) FILTER (WHERE v > 9) AS b FROM t GROUP BY k",
    "tumble": """SELECT k, window_start, ARRAY_AGG(s) AS a FROM TABLE(TUMBLE(TABLE t,
        DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY k, window_start, window_end""",
    "hop": """SELECT k, window_start, ARRAY_AGG(v) AS a FROM TABLE(HOP(TABLE t,
        DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND)) GROUP BY k, window_start,
        window_end""",
    "over_rows": """SELECT k, v, ARRAY_AGG(s) OVER (PARTITION BY k ORDER BY ts
        ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS a FROM t""",
    "over_range": """SELECT k, v, ARRAY_AGG(v) OVER (PARTITION BY k ORDER BY ts
        RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW) AS a FROM t""",
}


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_array_agg_matches_batch(query: str) -> None:
    (plan,) = compile_sql(DDL + QUERIES[query] + ";").optimized
    batch, stream = run_parity(plan, tables={"t": ordered_events(300)}, batch_size=37)
    assert stream == batch and sum(batch.values()) > 3


def same_results(got: list[tuple[Any, ...]], expected: list[tuple[Any, ...]]) -> bool:
    """The same final rows (the folded changelogs) per key; doubles within rounding noise (the
    per-row accumulators subtract a squared sum from a sum of squares, the columnar state
    updates a mean and M2: their last bits differ, so an update may come out as a change in
    one and not the other)."""

    def final(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        live: dict[Any, tuple[Any, ...]] = {}
        for r in rows:
            if r[-1] in (0, 2):
                live[r[0]] = r[:-1]
            elif r[-1] == 3:
                del live[r[0]]
        return [live[k] for k in sorted(live, key=str)]

    a, b = final(got), final(expected)
    return len(a) == len(b) and all(
        math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-5) if isinstance(x, float) else x == y
        for r, s in zip(a, b, strict=True)
        for x, y in zip(r, s, strict=True)
    )


STAT_TYPES = {  # argument SQL type, Arrow type, result type (AVG's), values
    "double": (t.double(), pa.float64(), t.double(), [0.5, -1.25, 2.0, 100.5, 3.75]),
    "int": (t.int_(), pa.int32(), t.int_(), [-3, 0, 4, 10, 1000]),
    # sums of squares past int64: Python ints
    "bigint": (t.bigint(), pa.int64(), t.bigint(), [2 * 10**9, -2 * 10**9, 7, 15 * 10**8]),
    "decimal": (
        t.decimal(10, 2),
        pa.decimal128(10, 2),
        t.decimal(38, 6),
        [Dec("1.25"), Dec("-7.10"), Dec("0.33"), Dec("99.99")],
    ),
}


@pytest.mark.parametrize("typ", sorted(STAT_TYPES))
@pytest.mark.parametrize("retracting", [False, True])
def test_stddev_and_var_match_python_accumulators(typ: str, retracting: bool) -> None:
    sql_type, arrow_type, result_type, values = STAT_TYPES[typ]
    fields = (Field("k", t.bigint()), Field("v", sql_type), Field("f", t.boolean()))
    options = (("format", "debezium-json"),) if retracting else ()
    source = n.TableScan(table=Ident("default", "s"), fields=fields, options=options)

    def stat(name: str, alias: str, **kw: Any) -> AggCall:
        return AggCall(name=name, args=(1,), type=result_type, alias=alias, **kw)

    aggs = (
        stat("STDDEV_POP", "sp"),
        stat("STDDEV_SAMP", "ss"),
        stat("VAR_POP", "vp"),
        stat("VAR_SAMP", "vs", filter=2),  # moments of its own (argument, FILTER)
        AggCall(name="COUNT", args=(), type=t.bigint(False), alias="c"),
    )
    node = n.Aggregate(input=source, group=(0,), aggs=aggs)
    rng = random.Random(len(typ) + retracting)
    batches = [  # f: whether v > 1 (a retraction has its insert's)
        b.add_column(2, "f", pc.greater(pc.cast(b.column(1), pa.float64()), 1.0))
        for b in keyed_changelog(
            rng,
            100,
            retracting,
            lambda: (rng.randint(0, 12), rng.choice([*values, None])),
            arrow_type,
        )
    ]
    columnar = group_op(node, True)
    assert set(columnar.columnar.moments) == {"w1_", "w1_2"}
    got, restored = changelog_across_restore(node, columnar, batches)
    expected = changelog_of(group_op(node, False), batches)
    if typ == "bigint":
        assert restored.columnar.arrays["w1_q"].dtype == object
    if typ == "double":
        assert same_results(got, expected)
    else:  # exact sums: the very same changelog
        assert got == expected
    assert len({r[1] for r in got}) > 5


LISTAGG = """SELECT k, LISTAGG(s) AS a, LISTAGG(s, '; ') FILTER (WHERE v % 3 = 0) AS b,
    COUNT(*) AS c FROM t GROUP BY k"""


def listagg_run(table: pa.Table, columnar: bool, **kw: Any) -> Executor:
    """The LISTAGG query run on `table` in 23-row batches, its group_agg columnar or not."""
    graph = lower_to_stream(compile_sql(DDL + LISTAGG + ";").optimized)
    ex = Executor(graph, tables={"t": table}, batch_size=23, **kw)
    for k, op in ex.operators.items():
        if graph.operator(k).kind == "group_agg":
            assert op.columnar.separators == {0: ",", 1: "; "}  # type: ignore[attr-defined]
            if not columnar:
                op.columnar = None  # type: ignore[attr-defined]
    return ex


def test_listagg_matches_python_accumulators(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_slotvalues, "MIN_COMPACT", 4)  # the pools compact during the run
    table = ordered_events(400)  # 4 keys: every batch adds to every group's text
    python = listagg_run(table, False)
    python.run()
    expected = python.output(0)
    first = listagg_run(table, True)
    first.run(max_steps=9)
    committed = first.output(0)
    resumed = listagg_run(table, True, restore=first.snapshot())
    resumed.run()
    got = pa.concat_tables([committed, resumed.output(0)])
    assert got.to_pylist() == expected.to_pylist()
    assert any(r["a"] and "," in r["a"] and r["b"] and "; " in r["b"] for r in got.to_pylist())
    batch, stream = run_parity(compile_sql(DDL + LISTAGG + ";").optimized[0], tables={"t": table})
    assert stream == batch


def test_retracting_listagg_matches_python_accumulators(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_slotvalues, "MIN_COMPACT", 4)
    fields = (Field("k", t.bigint()), Field("v", t.string()), Field("f", t.boolean()))
    source = n.TableScan(
        table=Ident("default", "s"), fields=fields, options=(("format", "debezium-json"),)
    )
    aggs = (
        AggCall(name="LISTAGG", args=(1,), type=t.string(), alias="a"),
        AggCall(name="LISTAGG", args=(1,), type=t.string(), alias="b", filter=2),
        AggCall(name="COUNT", args=(), type=t.bigint(False), alias="c"),
    )
    node = n.Aggregate(input=source, group=(0,), aggs=aggs)
    rng = random.Random(11)
    values = ["a", "b", "a", "zz", "", "é", None]  # repeated: a retraction takes the oldest
    batches = [  # f: whether v sorts after "a" (a retraction has its insert's)
        b.add_column(2, "f", pc.greater(b.column(1), "a"))
        for b in keyed_changelog(
            rng, 150, True, lambda: (rng.randint(0, 6), rng.choice(values)), pa.string()
        )
    ]
    columnar = group_op(node, True)
    assert columnar.columnar.separators == {0: ",", 1: ","}
    got, _ = changelog_across_restore(node, columnar, batches)
    assert got == changelog_of(group_op(node, False), batches)
    assert max(len(r[1] or "") for r in got) > 10 and {r[-1] for r in got} == {0, 1, 2, 3}


@pytest.mark.parametrize("retracting", [False, True])
def test_array_agg_matches_python_accumulators(
    retracting: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_slotvalues, "MIN_COMPACT", 4)
    fields = (Field("k", t.bigint()), Field("v", t.int_()), Field("f", t.boolean()))
    options = (("format", "debezium-json"),) if retracting else ()
    source = n.TableScan(table=Ident("default", "s"), fields=fields, options=options)
    array = t.array(t.int_())
    aggs = (
        AggCall(name="ARRAY_AGG", args=(1,), type=array, alias="a"),
        AggCall(name="ARRAY_AGG", args=(1,), type=array, alias="b", filter=2),
        AggCall(name="SUM", args=(1,), type=t.int_(), alias="s"),
    )
    node = n.Aggregate(input=source, group=(0,), aggs=aggs)
    rng = random.Random(5)
    batches = [  # f: whether v > 1, NULL with v (a retraction has its insert's)
        b.add_column(2, "f", pc.greater(b.column(1), 1))
        for b in keyed_changelog(
            rng,
            150,
            retracting,
            lambda: (rng.randint(0, 6), rng.choice([1, 2, 2, 7, None])),
            pa.int32(),
        )
    ]
    columnar = group_op(node, True)
    assert columnar.columnar.listed == {0, 1}
    got, _ = changelog_across_restore(node, columnar, batches)
    assert got == changelog_of(group_op(node, False), batches)
    assert any(r[1] and None in r[1] and len(r[1]) > 5 for r in got)


def test_retracting_first_and_last_value_match_python_accumulators() -> None:
    fields = (Field("k", t.bigint()), Field("v", t.string()))
    source = n.TableScan(
        table=Ident("default", "s"), fields=fields, options=(("format", "debezium-json"),)
    )
    aggs = (
        AggCall(name="FIRST_VALUE", args=(1,), type=t.string(), alias="f"),
        AggCall(name="LAST_VALUE", args=(1,), type=t.string(), alias="l"),
        AggCall(name="COUNT", args=(), type=t.bigint(False), alias="c"),
    )
    node = n.Aggregate(input=source, group=(0,), aggs=aggs)
    rng = random.Random(3)
    batches = keyed_changelog(
        rng,
        150,
        True,
        lambda: (rng.randint(0, 5), rng.choice(["a", "b", "b", "c", None])),
        pa.string(),
    )
    columnar = group_op(node, True)
    assert columnar.columnar.listed == {0, 1}
    got, _ = changelog_across_restore(node, columnar, batches)
    assert got == changelog_of(group_op(node, False), batches)
    assert any(r[1] != r[2] for r in got if r[1] is not None)


def test_stack_removal_matches_a_stack_per_key() -> None:
    """LAST_VALUE's retraction takes the newest equal element present at its row: `_stack`
    against one Python stack per key, on random old elements and batches."""
    rng = random.Random(1)
    for _ in range(2000):
        old = [(rng.randint(0, 2), i - 4) for i in range(rng.randint(0, 4))]  # rows < 0
        events = [(rng.choice("+-"), rng.randint(0, 2), row) for row in range(rng.randint(1, 8))]
        pops = [(k, row) for c, k, row in events if c == "-"]
        if not pops:
            continue
        stacks: dict[int, list[int]] = {}
        for k, row in old:
            stacks.setdefault(k, []).append(row)
        alive = {row for _, row in old}
        for c, k, row in events:
            if c == "+":
                stacks.setdefault(k, []).append(row)
                alive.add(row)
            elif stacks.get(k):
                alive.discard(stacks[k].pop())
        elements = old + [(k, row) for c, k, row in events if c == "+"]
        key, seq = (
            (np.array(c, np.int64) for c in zip(*elements, strict=True))
            if elements
            else (
                np.zeros(0, np.int64),
                np.zeros(0, np.int64),
            )
        )
        gone, when = (np.array(c, np.int64) for c in zip(*pops, strict=True))
        stays = _groups._stack(key, seq, gone, when)
        assert stays.tolist() == [row in alive for _, row in elements]


OVER_STATS = """STDDEV_POP(v) OVER w AS sp, VAR_SAMP(v) OVER w AS vs,
  STDDEV_SAMP(CASE WHEN x > 0 THEN k END) OVER w AS sk, VAR_POP(k) OVER w AS vk,
  COUNT(*) OVER w AS n"""


@pytest.mark.parametrize("frame", sorted(FRAMES))
@pytest.mark.parametrize("partition", ["k", ""])
def test_over_stddev_and_var_match_python_accumulators(frame: str, partition: str) -> None:
    graph = over_job(frame, partition, OVER_STATS)
    table = events(600)
    columnar, _ = run_over(graph, True, table)
    columnar.run()
    python, _ = run_over(graph, False, table)
    python.run()
    got = fold_multiset(columnar.output(0))
    assert got == fold_multiset(python.output(0))
    assert len({r[4:8] for r in got}) > 3  # not all the same


def test_over_stddev_restores_from_a_checkpoint() -> None:
    graph = over_job("range-unbounded", "k", OVER_STATS)
    table = events(500)
    whole, _ = run_over(graph, True, table)
    whole.run()
    first, _ = run_over(graph, True, table)
    first.run(max_steps=7)
    resumed, _ = run_over(graph, True, table, restore=first.snapshot())
    resumed.run()
    parts = [p for p in (first.output(0), resumed.output(0)) if p is not None]
    assert fold_multiset(pa.concat_tables(parts)) == fold_multiset(whole.output(0))


def test_stddev_of_a_decimal_whose_square_does_not_fit_stays_per_row() -> None:
    def fn(precision: int) -> Any:
        return agg_fns(
            [AggCall(name="STDDEV_POP", args=(0,), type=t.decimal(38, 6), alias="s")],
            [t.decimal(precision, 2)],
        )

    keys = [pa.int64()]
    assert _groups.supports(fn(37), [pa.decimal128(37, 2)], keys)
    assert not _groups.supports(fn(38), [pa.decimal128(38, 2)], keys)


def test_lag_next_to_stddev_matches_the_batch_target() -> None:
    calls = "LAG(v) OVER w AS p, STDDEV_SAMP(v) OVER w AS sd, VAR_POP(k) OVER w AS vk"
    (plan,) = compile_sql(DDL_OVER + over_sql("rows-2", "k", calls)).optimized
    batch, stream = run_parity(plan, tables={"t": events(400, late=False)}, batch_size=31)
    assert stream == batch and sum(batch.values()) == 400
