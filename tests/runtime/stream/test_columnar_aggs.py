"""Columnar aggregate state (window_agg's Arrow slices, group_agg's key slots and numpy
accumulators) against the per-key Python accumulators it replaces: same results, same late-row
counts, same changelog under retractions; checkpoint restore; state within 2x of the Arrow size
of what it stands for; key slots that survive hash collisions."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal as Dec
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, Ident
from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.graph import Edge, EdgeKind, OperatorSpec
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall
from nrtg.runtime.stream.api import OP_COLUMN, Op
from nrtg.runtime.stream.executor import Executor
from nrtg.runtime.stream.fold import fold_multiset
from nrtg.runtime.stream.operators import _groups, _slots, _slotvalues
from nrtg.runtime.stream.operators._slots import KeySlots
from nrtg.runtime.stream.operators._values import ValueCounts
from nrtg.runtime.stream.operators.registry import make_operator

from ._parity import run_parity
from .test_retractions import scan

DDL = """CREATE TABLE t (k BIGINT, s STRING, v INT, x DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '3' SECOND)
WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json');
"""
AGGS = """COUNT(*) AS n, COUNT(v) FILTER (WHERE x > 0) AS nf, SUM(v) AS sv, AVG(v) AS av,
  AVG(x) AS ax, MIN(s) AS lo, MAX(ts) AS hi, SUM(x) FILTER (WHERE v > 3) AS sx"""
DISTINCT = """COUNT(DISTINCT s) AS ds, SUM(DISTINCT v) FILTER (WHERE x > 0) AS sdv,
  AVG(DISTINCT v) AS adv, MAX(DISTINCT s) AS mds, COUNT(DISTINCT v) AS dv"""
SESSION = "SESSION(TABLE t PARTITION BY s, DESCRIPTOR(ts), INTERVAL '1' SECOND)"
WINDOWS = {
    "hop": "HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND)",
    "tumble": "TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '4' SECOND)",
    "cumulate": "CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '8' SECOND)",
}


def events(count: int, seed: int = 3, late: bool = True) -> pa.Table:
    """Out-of-order rows with NULLs, some before the epoch and (if `late`) some late for the
    watermark."""
    rng = random.Random(seed)
    base = dt.datetime(1969, 12, 31, 23, 59, 50)
    rows: list[dict[str, Any]] = []
    for i in range(count):
        jitter = rng.choice([0, 0, 0, -2000, -9000 if late else 0])  # late: 3 s watermark delay
        ms = i * 137 + jitter
        rows.append(
            {
                "k": rng.choice([1, 2, 3, None]),
                "s": rng.choice(["a", "b", "zz", None]),
                "v": rng.choice([1, 5, -7, None]),
                "x": rng.choice([0.5, -1.25, 2.0, None]),
                "ts": base + dt.timedelta(milliseconds=ms),
            }
        )
    types = [pa.int64(), pa.string(), pa.int32(), pa.float64(), pa.timestamp("ms")]
    schema = pa.schema(list(zip(["k", "s", "v", "x", "ts"], types, strict=True)))
    return pa.Table.from_pylist(rows, schema=schema)


def window_job(window: str, group: str) -> Any:
    by = f"{group}, " if group else ""
    if window == "session":
        sql = f"""SELECT {by}{AGGS}, window_start, window_end
            FROM TABLE({SESSION}) GROUP BY {by}window_start, window_end;"""
        return lower_to_stream(compile_sql(DDL + sql).optimized)
    sql = f"""SELECT {by}{AGGS}, {DISTINCT}, window_start, window_end
        FROM TABLE({WINDOWS[window]}) GROUP BY {by}window_start, window_end;"""
    return lower_to_stream(compile_sql(DDL + sql).optimized)


def run(graph: Any, columnar: bool, **kw: Any) -> tuple[Executor, dict[str, int]]:
    ex = Executor(graph, tables={"t": kw.pop("table")}, batch_size=kw.pop("batch_size", 23), **kw)
    ops = {k: op for k, op in ex.operators.items() if graph.operator(k).kind == "window_agg"}
    for op in ops.values():
        assert op.by_columns  # type: ignore[attr-defined]
        if not columnar:
            op.columnar = None  # type: ignore[attr-defined]
            op.by_columns = False  # type: ignore[attr-defined]
    ex.run()
    late = {str(k): int(op.metrics()["late_records_dropped"]) for k, op in ops.items()}
    return ex, late


@pytest.mark.parametrize("window", [*sorted(WINDOWS), "session"])
@pytest.mark.parametrize("group", ["k", "k, s", ""])
def test_columnar_windows_match_python_accumulators(window: str, group: str) -> None:
    graph = window_job(window, group)
    table = events(700)
    columnar, late = run(graph, True, table=table)
    python, late_python = run(graph, False, table=table)
    assert late == late_python and sum(late.values()) > 0
    got = fold_multiset(columnar.output(0))
    assert got == fold_multiset(python.output(0)) and sum(got.values()) > 10


@pytest.mark.parametrize("window", ["hop", "session"])
def test_columnar_window_state_restores_from_a_checkpoint(window: str) -> None:
    graph = window_job(window, "k")
    table = events(500)
    whole, _ = run(graph, True, table=table)
    first = Executor(graph, tables={"t": table}, batch_size=23)
    first.run(max_steps=9)
    payload = first.snapshot()
    committed = first.output(0)
    resumed = Executor(graph, tables={"t": table}, batch_size=23, restore=payload)
    resumed.run()
    parts = [p for p in (committed, resumed.output(0)) if p is not None]
    assert fold_multiset(pa.concat_tables(parts)) == fold_multiset(whole.output(0))


def group_node(retracting: bool, distinct: bool = True) -> n.Aggregate:
    def agg(name: str, args: tuple[int, ...], alias: str, **kw: Any) -> AggCall:
        typ = t.bigint(False) if name == "COUNT" else t.bigint()
        return AggCall(name=name, args=args, type=typ, alias=alias, **kw)

    aggs = (
        agg("COUNT", (), "c"),
        agg("COUNT", (1,), "cv"),
        agg("SUM", (1,), "s"),
        agg("SUM0", (1,), "s0"),
        agg("AVG", (1,), "a"),
        agg("MIN", (1,), "lo"),  # under retraction: from the value multiset
        agg("MAX", (1,), "hi"),
        agg("COUNT", (1,), "d", distinct=True),
        agg("SUM", (1,), "ds", distinct=True),
        agg("AVG", (1,), "da", distinct=True),
    )
    return n.Aggregate(
        input=scan(updating=retracting), group=(0,), aggs=aggs if distinct else aggs[:7]
    )


def group_op(node: n.Aggregate, columnar: bool) -> Any:
    spec = OperatorSpec(
        id=0,
        kind="group_agg",
        node=node,
        inputs=(Edge(9, EdgeKind.FORWARD),),
        schema=node.schema,
        changelog=node.changelog,
        params={},
    )
    op = make_operator(spec)
    assert op.columnar is not None  # type: ignore[attr-defined]
    if not columnar:
        op.columnar = None  # type: ignore[attr-defined]
    return op


def changelog_batches(
    retracting: bool, count: int = 60, seed: int = 5, keys: tuple[Any, ...] = (1, 2, 3, 4, None)
) -> list[pa.RecordBatch]:
    """Random rows (NULL keys and values included), each later retracted with probability 1/2
    when `retracting` (possibly in the same batch as its insert)."""
    rng = random.Random(seed)
    live: list[tuple[Any, Any]] = []
    out = []
    for _ in range(count):
        rows, ops = [], []
        for _ in range(rng.randint(1, 9)):
            if retracting and live and rng.random() < 0.4:
                rows.append(live.pop(rng.randrange(len(live))))
                ops.append(rng.choice([Op.UPDATE_BEFORE, Op.DELETE]))
                continue
            row = (rng.choice(keys), rng.choice([-3, 0, 4, 10, None]))
            rows.append(row)
            ops.append(rng.choice([Op.INSERT, Op.UPDATE_AFTER]) if retracting else Op.INSERT)
            live.append(row)
        cols = list(zip(*rows, strict=True))
        arrays = [pa.array(cols[0], pa.int64()), pa.array(cols[1], pa.int64())]
        if retracting:
            arrays.append(pa.array([int(o) for o in ops], pa.int8()))
        out.append(pa.RecordBatch.from_arrays(arrays, names=["k", "v", OP_COLUMN][: len(arrays)]))
    return out


def changelog_across_restore(
    node: n.Aggregate, columnar: Any, batches: list[pa.RecordBatch]
) -> tuple[list[tuple[Any, ...]], Any]:
    """The changelog of `columnar` over the first half of `batches`, then of a fresh column-wise
    operator restored from its snapshot over the second half; and that operator."""
    half = len(batches) // 2
    got = changelog_of(columnar, batches[:half])
    restored = group_op(node, True)
    restored.restore(columnar.snapshot())
    return got + changelog_of(restored, batches[half:]), restored


def changelog_of(op: Any, batches: list[pa.RecordBatch]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for b in batches:
        for r in op.process(b, 0).batches:
            out += list(zip(*(c.to_pylist() for c in r.columns), strict=True))
    return out


@pytest.mark.parametrize("retracting", [False, True])
def test_columnar_group_agg_emits_the_python_changelog(retracting: bool) -> None:
    node = group_node(retracting)
    batches = changelog_batches(retracting)
    columnar = group_op(node, True)
    got = changelog_of(columnar, batches)
    expected = changelog_of(group_op(node, False), batches)
    assert got == expected
    ops = {r[-1] for r in got}
    assert ops == ({0, 1, 2, 3} if retracting else {0, 1, 2})


@pytest.mark.parametrize("retracting", [False, True])
def test_group_agg_tells_a_null_key_from_the_least_bigint(retracting: bool) -> None:
    """NULL and the least BIGINT share a key code: a batch holding both is pre-aggregated by
    Arrow, one holding either by numpy. Each batch's changes compared as a multiset: Arrow's
    hash aggregate does not keep the keys' order of appearance when NULL meets that value."""
    node = group_node(retracting)
    batches = changelog_batches(retracting, keys=(-(2**63), None, 0, 1, -(2**63) + 1))
    columnar, python = group_op(node, True), group_op(node, False)
    for batch in batches:
        got, expected = changelog_of(columnar, [batch]), changelog_of(python, [batch])
        assert sorted(got, key=repr) == sorted(expected, key=repr)


@pytest.mark.parametrize("seed", range(4))
def test_retracting_integer_min_max_follow_the_values_that_come_and_go(seed: int) -> None:
    """An integer MIN/MAX under retraction takes new values as they come and searches its
    value multiset only for groups whose extreme went."""
    node = group_node(True, distinct=False)
    batches = changelog_batches(True, count=120, seed=seed)
    expected = changelog_of(group_op(node, False), batches)
    assert changelog_across_restore(node, group_op(node, True), batches)[0] == expected


def keyed_changelog(
    rng: random.Random,
    count: int,
    retracting: bool,
    row: Callable[[], tuple[Any, Any]],
    value_type: pa.DataType,
) -> list[pa.RecordBatch]:
    """`count` batches of (k BIGINT, v) rows made by `row`; when `retracting`, stored rows are
    taken back with probability 0.4 per row slot (with an `_op` column)."""
    live: list[tuple[Any, Any]] = []
    batches = []
    for _ in range(count):
        rows, ops = [], []
        for _ in range(rng.randint(1, 9)):
            if retracting and live and rng.random() < 0.4:
                rows.append(live.pop(rng.randrange(len(live))))
                ops.append(rng.choice([Op.UPDATE_BEFORE, Op.DELETE]))
                continue
            rows.append(row())
            ops.append(Op.INSERT)
            live.append(rows[-1])
        arrays = [
            pa.array([r[0] for r in rows], pa.int64()),
            pa.array([r[1] for r in rows], value_type),
        ]
        if retracting:
            arrays.append(pa.array([int(o) for o in ops], pa.int8()))
        batches.append(
            pa.RecordBatch.from_arrays(arrays, names=["k", "v", OP_COLUMN][: len(arrays)])
        )
    return batches


POOLED = {  # MIN/MAX of types numpy does not hold: SQL type, Arrow type, values
    "string": (t.string(), pa.string(), ["b", "a", "zz", "", "é", "Z"]),
    "decimal": (t.decimal(12, 2), pa.decimal128(12, 2), [Dec("1.50"), Dec("-2.25"), Dec("0.00")]),
    "date": (t.date(), pa.date32(), [dt.date(2026, 1, 2), dt.date(1969, 12, 31)]),
    "boolean": (t.boolean(), pa.bool_(), [True, False]),
    "bytes": (t.bytes_(), pa.binary(), [b"\x00", b"\xff", b"a"]),
}


@pytest.mark.parametrize("typ", sorted(POOLED))
@pytest.mark.parametrize("retracting", [False, True])
def test_min_max_of_pooled_types_match_python_accumulators(
    typ: str, retracting: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_slotvalues, "MIN_COMPACT", 4)  # the pool compacts during the run
    sql_type, arrow_type, values = POOLED[typ]
    fields = (Field("k", t.bigint()), Field("v", sql_type))
    options = (("format", "debezium-json"),) if retracting else ()
    source = n.TableScan(table=Ident("default", "s"), fields=fields, options=options)
    aggs = (
        AggCall(name="MIN", args=(1,), type=sql_type, alias="lo"),
        AggCall(name="MAX", args=(1,), type=sql_type, alias="hi"),
        AggCall(name="MAX", args=(1,), type=sql_type, alias="dhi", distinct=True),
        AggCall(name="COUNT", args=(), type=t.bigint(False), alias="c"),
    )
    node = n.Aggregate(input=source, group=(0,), aggs=aggs)
    rng = random.Random(len(typ))
    batches = keyed_changelog(
        rng, 120, retracting, lambda: (rng.randint(0, 40), rng.choice([*values, None])), arrow_type
    )
    columnar = group_op(node, True)
    assert columnar.columnar.pooled  # the values live in a pool, not in numpy arrays
    got, restored = changelog_across_restore(node, columnar, batches)
    expected = changelog_of(group_op(node, False), batches)
    assert got == expected
    assert len({r[1] for r in got}) > 1
    pool = next(iter(restored.columnar.pooled.values()))
    assert pool.size <= max(4, 2 * int(np.count_nonzero(pool.ref >= 0)))


@pytest.mark.parametrize("typ", ["string", "boolean", "date"])
def test_first_and_last_value_match_python_accumulators(typ: str) -> None:
    sql_type, arrow_type, values = POOLED[typ]
    fields = (Field("k", t.bigint()), Field("v", sql_type))
    source = n.TableScan(table=Ident("default", "s"), fields=fields, options=())
    aggs = (
        AggCall(name="FIRST_VALUE", args=(1,), type=sql_type, alias="f"),
        AggCall(name="LAST_VALUE", args=(1,), type=sql_type, alias="l"),
        AggCall(name="MAX", args=(1,), type=sql_type, alias="m"),
    )
    node = n.Aggregate(input=source, group=(0,), aggs=aggs)
    rng = random.Random(23)
    batches = keyed_changelog(
        rng, 60, False, lambda: (rng.randint(0, 15), rng.choice([*values, None])), arrow_type
    )
    columnar = group_op(node, True)
    assert set(columnar.columnar.pooled) == {"m0", "m1", "m2"}
    got = changelog_of(columnar, batches)
    assert got == changelog_of(group_op(node, False), batches)
    assert any(r[1] != r[2] for r in got if r[1] is not None)  # first and last differ


@pytest.mark.parametrize("retracting", [False, True])
def test_decimal_sums_match_python_accumulators(retracting: bool) -> None:
    fields = (Field("k", t.bigint()), Field("v", t.decimal(12, 3)))
    options = (("format", "debezium-json"),) if retracting else ()
    source = n.TableScan(table=Ident("default", "s"), fields=fields, options=options)
    aggs = (
        AggCall(name="SUM", args=(1,), type=t.decimal(38, 3), alias="s"),
        AggCall(name="$SUM0", args=(1,), type=t.decimal(38, 3, False), alias="s0"),
        AggCall(name="AVG", args=(1,), type=t.decimal(38, 6), alias="a"),
        AggCall(name="COUNT", args=(1,), type=t.bigint(False), alias="c"),
    )
    node = n.Aggregate(input=source, group=(0,), aggs=aggs)
    rng = random.Random(17)
    decimals = [Dec("1.005"), Dec("-2.250"), Dec("999999999.999"), None]
    batches = keyed_changelog(
        rng,
        80,
        retracting,
        lambda: (rng.randint(0, 12), rng.choice(decimals)),
        pa.decimal128(12, 3),
    )
    columnar = group_op(node, True)
    assert set(columnar.columnar.pooled) == {"s0", "s1", "s2"}
    got, _ = changelog_across_restore(node, columnar, batches)
    assert got == changelog_of(group_op(node, False), batches)
    assert any(r[1] is not None and r[1] > 10**9 for r in got)  # sums past one value's range


def test_columnar_group_agg_compacts_and_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_groups, "MIN_COMPACT", 0)
    compactions = []
    compact = _groups.ColumnarGroups._compact

    def counted(self: Any) -> None:
        compactions.append(self.slots.size)
        compact(self)

    monkeypatch.setattr(_groups.ColumnarGroups, "_compact", counted)
    node = group_node(True)
    batches = changelog_batches(True, count=400, seed=11)
    op = group_op(node, True)
    reference = group_op(node, False)
    expected = changelog_of(reference, batches)
    got, restored = changelog_across_restore(node, op, batches)
    assert got == expected
    assert compactions and restored.columnar.slots.size <= 2 * restored.state_rows()
    assert restored.state_rows() == reference.state_rows()


def test_state_within_twice_the_arrow_size() -> None:
    graph = window_job("hop", "k")
    ex = Executor(graph, tables={"t": events(3000)}, batch_size=50)
    ex.run(max_steps=40)
    (op,) = [o for k, o in ex.operators.items() if graph.operator(k).kind == "window_agg"]
    assert op.state_rows() > 0
    assert op.state_bytes() <= 2 * op.state_arrow_bytes()  # type: ignore[attr-defined]
    groups = group_op(group_node(False, distinct=False), True)
    keys = np.arange(5000)
    batch = pa.RecordBatch.from_arrays([pa.array(keys), pa.array(keys * 3)], names=["k", "v"])
    groups.process(batch, 0)
    assert groups.state_rows() == 5000
    assert groups.state_bytes() <= 2 * groups.state_arrow_bytes()


def test_key_slots_tell_colliding_keys_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    real = KeySlots.hashes
    monkeypatch.setattr(_slots, "MIN_MERGE", 4)
    monkeypatch.setattr(KeySlots, "hashes", lambda self, keys: real(self, keys) % np.uint64(3))
    slots = KeySlots(pa.schema([("a", pa.int64()), ("b", pa.string())]))
    seen: dict[tuple[Any, Any], int] = {}
    rng = random.Random(1)
    for _ in range(30):
        keys = list({(rng.choice([1, 2, None]), rng.choice(["x", "y", None])) for _ in range(5)})
        table = pa.table({"a": [k[0] for k in keys], "b": [k[1] for k in keys]})
        got, new = slots.slots(table)
        for key, slot, fresh in zip(keys, got.tolist(), new.tolist(), strict=True):
            assert fresh == (key not in seen)
            assert seen.setdefault(key, slot) == slot
    assert sorted(seen.values()) == list(range(len(seen)))
    slots.reset(slots.keys)
    again, new = slots.slots(slots.keys)
    assert again.tolist() == list(range(len(seen))) and not new.any()


@pytest.mark.parametrize("window", sorted(WINDOWS))
def test_window_tvf_rows_match_windows_of(window: str) -> None:
    from nrtg.runtime.stream.operators._windows import windows_of
    from nrtg.runtime.stream.operators.window_tvf import windows

    spec = window_job(window, "k").operators
    (agg,) = [s for s in spec if s.kind == "window_agg"]
    w = agg.node.window  # type: ignore[attr-defined]
    times = np.array([-9001, -1, 0, 1, 1999, 2000, 7777, 123456789], np.int64)
    rows, starts, ends = windows(times, w)
    expected = [(i, s, e) for i, t in enumerate(times.tolist()) for s, e in windows_of(t, w)]
    assert list(zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True)) == expected


WINDOW = "PARTITION BY window_start, window_end"
RANKED = {
    "row_number": f"ROW_NUMBER() OVER ({WINDOW}, k ORDER BY v DESC, ts)",
    "rank": f"RANK() OVER ({WINDOW}, s ORDER BY x ASC, v DESC)",
    "dense_rank": f"DENSE_RANK() OVER ({WINDOW} ORDER BY v)",
}


@pytest.mark.parametrize("fn", sorted(RANKED))
def test_window_top_n_matches_batch(fn: str) -> None:
    sql = f"""SELECT * FROM (SELECT k, s, v, x, window_start, window_end, {RANKED[fn]} AS r
        FROM TABLE({WINDOWS["tumble"]})) WHERE r <= 2;"""
    (plan,) = compile_sql(DDL + sql).optimized
    batch, stream = run_parity(plan, tables={"t": events(600, late=False)}, batch_size=31)
    assert stream == batch and sum(batch.values()) > 20


@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_window_dedup_matches_batch(order: str) -> None:
    sql = f"""SELECT * FROM (SELECT k, s, v, ts, window_start, window_end, ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end, k ORDER BY ts {order}) AS r
        FROM TABLE({WINDOWS["tumble"]})) WHERE r = 1;"""
    (plan,) = compile_sql(DDL + sql).optimized
    batch, stream = run_parity(plan, tables={"t": events(600, late=False)}, batch_size=31)
    assert stream == batch and sum(batch.values()) > 20


@pytest.mark.parametrize("kind", ["JOIN", "LEFT JOIN", "FULL JOIN"])
def test_window_join_matches_batch(kind: str) -> None:
    side = "SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '4' SECOND))"
    sql = f"""SELECT l.k, l.s, l.v, r.s AS rs, r.v AS rv, l.window_start, r.window_end
        FROM ({side}) AS l {kind} ({side}) AS r
        ON l.k = r.k AND l.window_start = r.window_start AND l.window_end = r.window_end
        AND l.v < r.v;"""
    (plan,) = compile_sql(DDL + sql).optimized
    assert "window_join" in {op.kind for op in lower_to_stream(plan).operators}
    batch, stream = run_parity(plan, tables={"t": events(400, late=False)}, batch_size=29)
    assert stream == batch and sum(batch.values()) > 20


def test_value_counts_widen_a_multiplicity_past_int32() -> None:
    store = ValueCounts(pa.int64())
    big = 2**31 + 5
    group, change, values = store.apply(np.array([3, 3]), pa.array([7, 8]), np.array([big, 1]))
    assert store.count.dtype == np.int64
    assert sorted(zip(group.tolist(), change.tolist(), values.to_pylist(), strict=True)) == [
        (3, 1, 7),
        (3, 1, 8),
    ]
    group, change, _ = store.apply(np.array([3]), pa.array([7]), np.array([-(big - 1)]))
    assert len(group) == 0  # one left: still present
    group, change, values = store.apply(np.array([3]), pa.array([7]), np.array([-1]))
    assert (group.tolist(), change.tolist(), values.to_pylist()) == ([3], [-1], [7])
    store.restore(store.snapshot(np.arange(4)))
    assert store.count.dtype == np.int32 and store.present == 1


def test_counts_share_rows_until_a_null_arrives_and_across_a_restore() -> None:
    node = group_node(True, distinct=False)
    batches = changelog_batches(True, count=80, seed=3)
    no_nulls = [b.filter(b.column(1).is_valid()) for b in batches[:40]]
    batches = [b for b in no_nulls if b.num_rows] + batches[40:]
    expected = changelog_of(group_op(node, False), batches)
    op = group_op(node, True)
    got = changelog_of(op, batches[:20])
    assert op.columnar.shared  # COUNT(v) is `rows` while v has no NULL
    restored = group_op(node, True)
    restored.restore(op.snapshot())
    assert restored.columnar.shared == op.columnar.shared
    got += changelog_of(restored, batches[20:])
    assert got == expected
    assert not restored.columnar.shared  # NULLs arrived: a count of its own


def test_group_counts_widen_past_int32() -> None:
    op = group_op(group_node(False, distinct=False), True)
    batch = pa.RecordBatch.from_arrays([pa.array([1, 2]), pa.array([5, 6])], names=["k", "v"])
    op.process(batch, 0)
    groups = op.columnar
    groups._add(_groups.ROWS, np.array([0]), np.array([2**31]))
    assert groups.arrays[_groups.ROWS].dtype == np.int64
    out = op.process(batch.slice(0, 1), 0).batches[0].to_pydict()
    assert out["c"] == [2**31 + 1, 2**31 + 2]
    op.restore(op.snapshot())
    assert op.columnar.arrays[_groups.ROWS].dtype == np.int64


@pytest.mark.parametrize("typ", [pa.int64(), pa.int32()])
def test_key_slots_search_an_integer_key_column_without_codes(
    monkeypatch: pytest.MonkeyPatch, typ: pa.DataType
) -> None:
    monkeypatch.setattr(_slots, "MIN_MERGE_EXACT", 4)
    slots = KeySlots(pa.schema([("a", typ)]))
    seen: dict[Any, int] = {}
    rng = random.Random(2)
    codeless = []
    for step in range(40):
        nulls = [None] if step >= 30 else []  # a NULL key: the runs keep codes from then on
        keys = list({rng.randint(-(2**31), 2**31 - 1) for _ in range(6)} | {-1, 0, 7}) + nulls
        got, new = slots.slots(pa.table({"a": pa.array(keys, typ)}))
        for key, slot, fresh in zip(keys, got.tolist(), new.tolist(), strict=True):
            assert fresh == (key not in seen)
            assert seen.setdefault(key, slot) == slot
        codeless.append(slots.base[0] is None)
    assert any(codeless[:30]) and not codeless[-1]
    assert slots.keys.column(0).to_pylist() == list(seen)


def test_key_slots_compare_integer_keys_once_a_code_was_probed() -> None:
    """NULL shares its code with the least BIGINT, which then moves to the next code: from then
    on a key found by its code is compared, so that next integer is a key of its own."""
    least = -(2**63)
    slots = KeySlots(pa.schema([("a", pa.int64())]))
    seen: dict[Any, int] = {}
    for keys in ([5], [None], [least], [least + 1, 5], [None, least, least + 1, 6]):
        got, new = slots.slots(pa.table({"a": pa.array(keys, pa.int64())}))
        for key, slot, fresh in zip(keys, got.tolist(), new.tolist(), strict=True):
            assert fresh == (key not in seen)
            assert seen.setdefault(key, slot) == slot
    assert sorted(seen.values()) == list(range(5))


def test_value_counts_restore_a_snapshot_with_int64_group_slots() -> None:
    store = ValueCounts(pa.int64())
    pairs = pa.table({"k0": pa.array([0, 1], pa.int64()), "k1": pa.array([5, 6], pa.int64())})
    store.restore({"pairs": pairs, "count": np.array([2, 1], np.int64)})
    group, change, values = store.apply(np.array([1, 2]), pa.array([6, 6]), np.array([-1, 1]))
    assert sorted(zip(group.tolist(), change.tolist(), values.to_pylist(), strict=True)) == [
        (1, -1, 6),
        (2, 1, 6),
    ]
