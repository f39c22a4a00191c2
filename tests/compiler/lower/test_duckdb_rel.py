"""Every relational node on the batch target, over small hand-built inputs with hand-computed
expected results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, TimeAttr
from nrtg.catalog.types import SqlType
from nrtg.compiler.lower.duckdb import lower_to_duckdb
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall, Call, ColumnRef, Expr, Literal
from nrtg.runtime.batch import run_plan

INT, BIG, STR = t.int_(), t.bigint(), t.string()
TS = t.timestamp(3)
BOOL = t.boolean()


def values(fields: list[tuple[str, SqlType]], rows: list[tuple[Any, ...]]) -> n.Values:
    fs = tuple(Field(name, typ) for name, typ in fields)
    lits = tuple(
        tuple(Literal(value=v, type=f.type) for v, f in zip(row, fs, strict=True)) for row in rows
    )
    return n.Values(rows=lits, fields=fs)


def rows(plan: n.Plan, ordered: bool = False) -> list[tuple[Any, ...]]:
    table = run_plan(plan).table
    out = (
        [tuple(r.values()) for r in table.to_pylist()]
        if len(set(table.column_names)) == len(table.column_names)
        else list(zip(*[c.to_pylist() for c in table.columns], strict=True))
    )
    return out if ordered else sorted(out, key=repr)


def ref(i: int, typ: SqlType, name: str = "c") -> ColumnRef:
    return ColumnRef(index=i, name=name, type=typ)


def call(name: str, typ: SqlType, *args: Expr) -> Call:
    return Call(name=name, args=args, type=typ)


def lit(v: Any, typ: SqlType) -> Literal:
    return Literal(value=v, type=typ)


def ts(minute: int, second: int = 0, ms: int = 0) -> dt.datetime:
    return dt.datetime(2024, 1, 1, 10, minute, second, ms * 1000)


def rowtime(plan: n.Plan, col: int) -> n.Plan:
    return n.AssignWatermark(input=plan, rowtime=col, watermark=ref(col, TS))


def agg(name: str, args: tuple[int, ...], typ: SqlType, alias: str, **kw: Any) -> AggCall:
    return AggCall(name=name, args=args, type=typ, alias=alias, **kw)


BIDS = values(
    [("auction", BIG), ("price", BIG), ("ts", TS)],
    [
        (1, 10, ts(0, 10)),
        (1, 20, ts(3)),
        (2, 5, ts(4, 59, 999)),
        (2, 7, ts(5)),
        (1, 3, ts(11)),
    ],
)


# -- row-wise ---------------------------------------------------------------------------------
def test_project_filter() -> None:
    f = n.Filter(input=BIDS, predicate=call("GREATER_THAN", BOOL, ref(1, BIG), lit(6, BIG)))
    p = n.Project(
        input=f,
        exprs=(ref(0, BIG), call("TIMES", BIG, ref(1, BIG), lit(2, BIG))),
        names=("a", "p2"),
    )
    assert rows(p) == [(1, 20), (1, 40), (2, 14)]


def test_values_empty() -> None:
    assert rows(values([("a", INT)], [])) == []


# -- aggregation ------------------------------------------------------------------------------
def test_aggregate_distinct_filter_avg() -> None:
    # flag = price > 6
    flagged = n.Project(
        input=BIDS,
        exprs=(ref(0, BIG), ref(1, BIG), call("GREATER_THAN", BOOL, ref(1, BIG), lit(6, BIG))),
        names=("auction", "price", "big"),
    )
    a = n.Aggregate(
        input=flagged,
        group=(0,),
        aggs=(
            agg("COUNT", (), BIG, "n"),
            agg("SUM", (1,), BIG, "total"),
            agg("AVG", (1,), BIG, "avg"),
            agg("COUNT", (1,), BIG, "big_n", filter=2),
            agg("COUNT", (0,), BIG, "d", distinct=True),
            agg("MAX", (1,), BIG, "mx"),
        ),
    )
    # auction 1: prices 10, 20, 3 -> avg 33/3 = 11; auction 2: 5, 7 -> 12/2 = 6
    assert rows(a) == [(1, 3, 33, 11, 2, 1, 20), (2, 2, 12, 6, 1, 1, 7)]


def test_avg_of_integers_truncates_toward_zero() -> None:
    # FLINK_SEMANTICS.md: "`AVG(BIGINT)` returns BIGINT (truncated)": AVG(-1, -2) = -1.
    v = values([("x", BIG)], [(-1,), (-2,)])
    a = n.Aggregate(input=v, group=(), aggs=(agg("AVG", (0,), BIG, "a"),))
    assert rows(a) == [(-1,)]


def test_global_aggregate_on_empty_input_returns_one_row() -> None:
    # FLINK_SEMANTICS.md: "A global aggregate (no GROUP BY) over an empty input: batch returns
    # one row (`COUNT = 0`, `SUM = NULL`)".
    v = values([("x", BIG)], [])
    a = n.Aggregate(
        input=v, group=(), aggs=(agg("COUNT", (), BIG, "n"), agg("SUM", (0,), BIG, "s"))
    )
    assert rows(a) == [(0, None)]


def test_grouped_aggregate_on_empty_input_returns_nothing() -> None:
    v = values([("k", INT), ("x", BIG)], [])
    a = n.Aggregate(input=v, group=(0,), aggs=(agg("COUNT", (), BIG, "n"),))
    assert rows(a) == []


# -- windows ----------------------------------------------------------------------------------
def _window_counts(spec: n.WindowSpec, props: tuple[str, ...] = n.WINDOW_PROPERTIES) -> list:
    plan = n.WindowAggregate(
        input=rowtime(BIDS, 2),
        window=spec,
        group=(0,),
        aggs=(agg("COUNT", (), BIG, "n"), agg("SUM", (1,), BIG, "s")),
        properties=props,
    )
    return rows(plan)


def test_tumble_window_aggregate_bounds() -> None:
    # Windows are [start, end): the bid at 10:04:59.999 is in [10:00, 10:05), the one at
    # 10:05:00 in [10:05, 10:10); window_time = window_end - 1 ms.
    five = 5 * 60_000
    got = _window_counts(n.WindowSpec(kind=n.WindowKind.TUMBLE, time_col=2, size_ms=five))
    end = dt.timedelta(milliseconds=1)
    assert got == [
        (1, 1, 3, ts(10), ts(15), ts(15) - end),
        (1, 2, 30, ts(0), ts(5), ts(5) - end),
        (2, 1, 5, ts(0), ts(5), ts(5) - end),
        (2, 1, 7, ts(5), ts(10), ts(10) - end),
    ]


def test_tumble_with_offset() -> None:
    # TUMBLE(..., INTERVAL '5' MINUTE, INTERVAL '1' MINUTE): windows [09:56, 10:01),
    # [10:01, 10:06), [10:06, 10:11), [10:11, 10:16).
    spec = n.WindowSpec(kind=n.WindowKind.TUMBLE, time_col=2, size_ms=300_000, offset_ms=60_000)
    got = _window_counts(spec, ("window_start",))
    nine56 = dt.datetime(2024, 1, 1, 9, 56)
    expected = [(1, 1, 10, nine56), (1, 1, 20, ts(1)), (1, 1, 3, ts(11)), (2, 2, 12, ts(1))]
    assert got == sorted(expected, key=repr)


def test_hop_window_every_row_in_size_over_slide_windows() -> None:
    # HOP(size 10 min, slide 5 min): auction 2's bids at 10:04:59.999 and 10:05 share
    # [10:00, 10:10); the first is also in [09:55, 10:05), the second in [10:05, 10:15).
    spec = n.WindowSpec(kind=n.WindowKind.HOP, time_col=2, size_ms=600_000, slide_ms=300_000)
    got = [r for r in _window_counts(spec, ("window_start", "window_end")) if r[0] == 2]
    nine55 = dt.datetime(2024, 1, 1, 9, 55)
    assert got == sorted(
        [(2, 1, 5, nine55, ts(5)), (2, 2, 12, ts(0), ts(10)), (2, 1, 7, ts(5), ts(15))], key=repr
    )


def test_cumulate_window() -> None:
    # CUMULATE(step 5 min, size 15 min): windows [10:00, 10:05), [10:00, 10:10), [10:00, 10:15).
    spec = n.WindowSpec(kind=n.WindowKind.CUMULATE, time_col=2, size_ms=900_000, step_ms=300_000)
    got = [r for r in _window_counts(spec, ("window_start", "window_end")) if r[0] == 1]
    # auction 1 bids at 10:00:10, 10:03, 10:11
    assert got == sorted(
        [(1, 2, 30, ts(0), ts(5)), (1, 2, 30, ts(0), ts(10)), (1, 3, 33, ts(0), ts(15))], key=repr
    )


def test_session_window_per_partition() -> None:
    # SESSION(gap 5 min) PARTITION BY auction: auction 1 = {10:00:10, 10:03} then {10:11};
    # auction 2 = {10:04:59.999, 10:05}. A session is [first, last + gap).
    spec = n.WindowSpec(kind=n.WindowKind.SESSION, time_col=2, gap_ms=300_000, partition=(0,))
    got = _window_counts(spec, ("window_start", "window_end"))
    assert got == sorted(
        [
            (1, 2, 30, ts(0, 10), ts(8)),
            (1, 1, 3, ts(11), ts(16)),
            (2, 2, 12, ts(4, 59, 999), ts(10)),
        ],
        key=repr,
    )


def test_session_gap_boundary_and_ties() -> None:
    # Rows exactly `gap` apart merge (Flink's TimeWindow.intersects is inclusive); ties agree.
    v = values([("k", INT), ("ts", TS)], [(1, ts(0)), (1, ts(0)), (1, ts(5)), (1, ts(11))])
    spec = n.WindowSpec(kind=n.WindowKind.SESSION, time_col=1, gap_ms=300_000, partition=(0,))
    plan = n.WindowAggregate(
        input=rowtime(v, 1),
        window=spec,
        group=(0,),
        aggs=(agg("COUNT", (), BIG, "n"),),
        properties=("window_start", "window_end"),
    )
    assert rows(plan) == [(1, 1, ts(11), ts(16)), (1, 3, ts(0), ts(10))]


def test_window_tvf_columns() -> None:
    spec = n.WindowSpec(kind=n.WindowKind.TUMBLE, time_col=2, size_ms=600_000)
    plan = n.WindowTVF(input=rowtime(BIDS, 2), window=spec)
    got = rows(plan)
    assert (1, 3, ts(11), ts(10), ts(20), ts(20) - dt.timedelta(milliseconds=1)) in got
    assert len(got) == 5


# -- joins ------------------------------------------------------------------------------------
PEOPLE = values([("id", BIG), ("name", STR)], [(1, "ann"), (3, "bob")])


def _join(kind: n.JoinKind) -> n.Join:
    cond = call("EQUALS", BOOL, ref(0, BIG), ref(3, BIG))
    return n.Join(left=BIDS, right=PEOPLE, kind=kind, condition=cond)


def test_inner_join() -> None:
    assert [r[:2] + r[3:] for r in rows(_join(n.JoinKind.INNER))] == [
        (1, 10, 1, "ann"),
        (1, 20, 1, "ann"),
        (1, 3, 1, "ann"),
    ]


def test_outer_joins() -> None:
    assert len(rows(_join(n.JoinKind.LEFT))) == 5
    full = rows(_join(n.JoinKind.FULL))
    assert len(full) == 6
    assert (None, None, None, 3, "bob") in full
    assert len(rows(_join(n.JoinKind.RIGHT))) == 4


def test_semi_and_anti_join() -> None:
    assert sorted(r[1] for r in rows(_join(n.JoinKind.SEMI))) == [3, 10, 20]
    assert sorted(r[1] for r in rows(_join(n.JoinKind.ANTI))) == [5, 7]


def test_self_join_duplicate_names() -> None:
    cond = call("EQUALS", BOOL, ref(0, BIG), ref(3, BIG))
    j = n.Join(left=BIDS, right=BIDS, kind=n.JoinKind.INNER, condition=cond)
    assert len(rows(j)) == 3 * 3 + 2 * 2
    q = lower_to_duckdb(j)
    assert q.names == ("auction", "price", "ts", "auction", "price", "ts")


def test_interval_join() -> None:
    # right rows within [left.ts - 1 min, left.ts]: left.time - right.time in [0, 60000].
    clicks = values([("auction", BIG), ("cts", TS)], [(1, ts(2, 30)), (1, ts(3)), (2, ts(7))])
    cond = call("EQUALS", BOOL, ref(0, BIG), ref(3, BIG))
    j = n.IntervalJoin(
        left=BIDS,
        right=clicks,
        kind=n.JoinKind.INNER,
        condition=cond,
        left_time=2,
        right_time=1,
        lower_ms=0,
        upper_ms=60_000,
    )
    # bid (1, 20, 10:03) matches clicks at 10:02:30 and 10:03 (inclusive bounds).
    assert [(r[1], r[4]) for r in rows(j)] == [(20, ts(2, 30)), (20, ts(3))]


def test_temporal_join_event_time() -> None:
    # Each bid meets the rate version valid at its time (inclusive: FLINK_SEMANTICS.md "the
    # version whose timestamp equals the probe row's time is used").
    rates = values(
        [("auction", BIG), ("rate", INT), ("rts", TS)],
        [(1, 100, ts(0)), (1, 200, ts(3)), (2, 7, ts(6))],
    )
    cond = call("EQUALS", BOOL, ref(0, BIG), ref(3, BIG))
    common = {"left": BIDS, "right": rates, "condition": cond, "left_time": 2, "right_time": 2}
    inner = n.TemporalJoin(kind=n.JoinKind.INNER, right_key=(0,), **common)
    # auction 1: 10:00:10 -> 100, 10:03 -> 200 (equal time), 10:11 -> 200; auction 2's bids
    # (10:04:59.999, 10:05) precede its first version (10:06): no match.
    assert [(r[1], r[4]) for r in rows(inner)] == [(10, 100), (20, 200), (3, 200)]
    left = n.TemporalJoin(kind=n.JoinKind.LEFT, right_key=(0,), **common)
    # bid (2, 5) at 10:04:59.999 is before auction 2's first version: NULL-padded.
    assert (5, None) in [(r[1], r[4]) for r in rows(left)]


def test_temporal_join_residual_condition_left() -> None:
    rates = values([("auction", BIG), ("rate", INT), ("rts", TS)], [(1, 100, ts(0))])
    cond = call(
        "AND",
        BOOL,
        call("EQUALS", BOOL, ref(0, BIG), ref(3, BIG)),
        call("GREATER_THAN", BOOL, ref(1, BIG), lit(15, BIG)),
    )
    j = n.TemporalJoin(
        left=BIDS,
        right=rates,
        kind=n.JoinKind.LEFT,
        condition=cond,
        left_time=2,
        right_time=2,
        right_key=(0,),
    )
    got = {(r[1], r[4]) for r in rows(j)}
    assert got == {(10, None), (20, 100), (3, None), (5, None), (7, None)}


def test_lookup_join_is_a_regular_join_in_batch() -> None:
    cond = call("EQUALS", BOOL, ref(0, BIG), ref(3, BIG))
    j = n.LookupJoin(left=BIDS, right=PEOPLE, kind=n.JoinKind.LEFT, condition=cond)
    assert len(rows(j)) == 5


def test_window_join() -> None:
    spec = n.WindowSpec(kind=n.WindowKind.TUMBLE, time_col=2, size_ms=300_000)
    left = n.WindowTVF(input=rowtime(BIDS, 2), window=spec)
    other = values([("a", BIG), ("t", TS)], [(1, ts(1)), (1, ts(6))])
    right = n.WindowTVF(
        input=rowtime(other, 1),
        window=n.WindowSpec(kind=n.WindowKind.TUMBLE, time_col=1, size_ms=300_000),
    )
    cond = call("EQUALS", BOOL, ref(0, BIG), ref(6, BIG))
    j = n.WindowJoin(
        left=left,
        right=right,
        kind=n.JoinKind.INNER,
        condition=cond,
        left_bounds=(3, 4),
        right_bounds=(2, 3),
    )
    # Only auction 1's bids in [10:00, 10:05) meet the 10:01 row.
    assert sorted(r[1] for r in rows(j)) == [10, 20]


# -- unnest, set operations -------------------------------------------------------------------
def test_unnest_array() -> None:
    arr = t.array(INT)
    v = n.Project(
        input=values([("k", INT)], [(1,), (2,)]),
        exprs=(
            ref(0, INT),
            call("ARRAY", arr, lit(7, INT), lit(8, INT)),
        ),
        names=("k", "xs"),
    )
    u = n.Unnest(input=v, expr=ref(1, arr), names=("x",))
    assert [(r[0], r[2]) for r in rows(u)] == [(1, 7), (1, 8), (2, 7), (2, 8)]


def test_set_operations() -> None:
    a = values([("x", INT)], [(1,), (2,), (2,), (3,)])
    b = values([("y", INT)], [(2,), (3,), (4,)])

    def run(kind: n.SetOpKind, all_: bool) -> list[int]:
        return [r[0] for r in rows(n.SetOp(inputs=(a, b), kind=kind, all=all_))]

    assert run(n.SetOpKind.UNION, True) == [1, 2, 2, 2, 3, 3, 4]
    assert run(n.SetOpKind.UNION, False) == [1, 2, 3, 4]
    assert run(n.SetOpKind.INTERSECT, False) == [2, 3]
    assert run(n.SetOpKind.EXCEPT, False) == [1]
    assert run(n.SetOpKind.EXCEPT, True) == [1, 2]


# -- sorting and ranking ----------------------------------------------------------------------
def test_sort_default_null_ordering() -> None:
    # Flink: ASC puts NULLs first, DESC puts them last (DuckDB's default is NULLS LAST).
    v = values([("x", INT)], [(2,), (None,), (1,)])
    asc = n.Sort(input=v, keys=(n.SortKey(0),))
    desc = n.Sort(input=v, keys=(n.SortKey(0, descending=True),))
    assert [r[0] for r in rows(asc, ordered=True)] == [None, 1, 2]
    assert [r[0] for r in rows(desc, ordered=True)] == [2, 1, None]
    explicit = n.Sort(input=v, keys=(n.SortKey(0, nulls_first=False),), limit=2, offset=1)
    assert [r[0] for r in rows(explicit, ordered=True)] == [2, None]


def test_over_rows_and_range_frames() -> None:
    over_rows = n.Over(
        input=BIDS,
        partition=(0,),
        order=(n.SortKey(2),),
        frame=n.Frame(mode="ROWS", lower=1),
        calls=(agg("SUM", (1,), BIG, "s"),),
    )
    got = {(r[1], r[3]) for r in rows(over_rows)}
    # auction 1 by time: 10, 20, 3 -> 10, 30, 23; auction 2: 5, 7 -> 5, 12
    assert got == {(10, 10), (20, 30), (3, 23), (5, 5), (7, 12)}
    over_range = n.Over(
        input=BIDS,
        partition=(),
        order=(n.SortKey(2),),
        frame=n.Frame(mode="RANGE", lower=5 * 60_000),
        calls=(agg("COUNT", (), BIG, "n"),),
    )
    # rows within the last 5 minutes (inclusive) of each row, over all auctions
    got = {(r[1], r[3]) for r in rows(over_range)}
    assert got == {(10, 1), (20, 2), (5, 3), (7, 4), (3, 1)}


def test_rank_top_n() -> None:
    top = n.Rank(
        input=BIDS,
        partition=(0,),
        order=(n.SortKey(1, descending=True),),
        fn=n.RankFn.ROW_NUMBER,
        lower=1,
        upper=2,
        rank_name="rn",
    )
    assert [(r[0], r[1], r[3]) for r in rows(top)] == [(1, 10, 2), (1, 20, 1), (2, 5, 2), (2, 7, 1)]
    no_number = n.Rank(
        input=BIDS, partition=(), order=(n.SortKey(1),), fn=n.RankFn.RANK, lower=1, upper=1
    )
    assert rows(no_number) == [(1, 3, ts(11))]


def test_dense_rank_ties() -> None:
    v = values([("x", INT)], [(1,), (1,), (2,), (3,)])
    r = n.Rank(
        input=v, partition=(), order=(n.SortKey(0),), fn=n.RankFn.DENSE_RANK, lower=1, upper=2
    )
    assert [x[0] for x in rows(r)] == [1, 1, 2]


def test_deduplicate_first_and_last() -> None:
    first = n.Deduplicate(input=rowtime(BIDS, 2), keys=(0,), time_col=2, keep_last=False)
    last = n.Deduplicate(input=rowtime(BIDS, 2), keys=(0,), time_col=2, keep_last=True)
    assert [r[1] for r in rows(first)] == [10, 5]
    assert [r[1] for r in rows(last)] == [3, 7]


def test_window_top_n_and_dedup() -> None:
    spec = n.WindowSpec(kind=n.WindowKind.TUMBLE, time_col=2, size_ms=300_000)
    tvf = n.WindowTVF(input=rowtime(BIDS, 2), window=spec)
    top = n.WindowRank(
        input=tvf,
        partition=(),
        order=(n.SortKey(1, descending=True),),
        fn=n.RankFn.ROW_NUMBER,
        lower=1,
        upper=1,
        window_bounds=(3, 4),
    )
    # best price per 5-minute window: [10:00) 20, [10:05) 7, [10:10) 3
    assert sorted(r[1] for r in rows(top)) == [3, 7, 20]
    dedup = n.WindowDeduplicate(
        input=tvf, keys=(0,), time_col=2, keep_last=False, window_bounds=(3, 4)
    )
    assert sorted(r[1] for r in rows(dedup)) == [3, 5, 7, 10]


# -- the text ---------------------------------------------------------------------------------
def test_lowered_text_is_stable() -> None:
    plan = _join(n.JoinKind.LEFT)
    a, b = lower_to_duckdb(plan).text(), lower_to_duckdb(plan).text()
    assert a == b
    assert a.endswith(";\n")
    assert "0x" not in a


def test_shared_subplan_lowers_once() -> None:
    cond = call("EQUALS", BOOL, ref(0, BIG), ref(3, BIG))
    j = n.Join(left=BIDS, right=BIDS, kind=n.JoinKind.INNER, condition=cond)
    assert lower_to_duckdb(j).sql.count("VALUES") == 1


def test_time_attr_survives() -> None:
    plan = rowtime(BIDS, 2)
    assert plan.schema.fields[2].time_attr is TimeAttr.ROWTIME
    assert len(rows(plan)) == 5


def test_unnest_rows_maps_and_left_outer() -> None:
    row_t = t.row([("a", INT), ("b", STR)])
    arr_t = t.array(row_t)
    rows_arr = call(
        "ARRAY",
        arr_t,
        call("ROW", row_t, lit(1, INT), lit("x", STR)),
        call("ROW", row_t, lit(2, INT), lit("y", STR)),
    )
    base = values([("k", INT)], [(1,)])
    p = n.Project(input=base, exprs=(ref(0, INT), rows_arr), names=("k", "rs"))
    u = n.Unnest(input=p, expr=ref(1, arr_t), names=("a", "b"))
    assert [(r[2], r[3]) for r in rows(u)] == [(1, "x"), (2, "y")]
    map_t = t.map_(STR, INT)
    m = call("MAP_VALUE", map_t, lit("k1", STR), lit(5, INT))
    pm = n.Project(input=base, exprs=(ref(0, INT), m), names=("k", "m"))
    um = n.Unnest(input=pm, expr=ref(1, map_t), names=("key", "value"))
    assert [(r[2], r[3]) for r in rows(um)] == [("k1", 5)]
    pe = n.Project(
        input=base,
        exprs=(ref(0, INT), Call(name="ARRAY_VALUE", args=(), type=t.array(INT))),
        names=("k", "xs"),
    )
    inner = n.Unnest(input=pe, expr=ref(1, t.array(INT)), names=("x",))
    outer = n.Unnest(input=pe, expr=ref(1, t.array(INT)), names=("x",), left_outer=True)
    assert rows(inner) == []
    assert [(r[0], r[2]) for r in rows(outer)] == [(1, None)]


def test_over_ranking_and_lag() -> None:
    over = n.Over(
        input=BIDS,
        partition=(0,),
        order=(n.SortKey(2),),
        frame=n.Frame(mode="ROWS", lower=None),
        calls=(agg("ROW_NUMBER", (), BIG, "rn"), agg("LAG", (1,), BIG, "prev")),
    )
    got = {(r[1], r[3], r[4]) for r in rows(over)}
    assert got == {(10, 1, None), (20, 2, 10), (3, 3, 20), (5, 1, None), (7, 2, 5)}


def test_over_avg_integer_truncates() -> None:
    v = values([("x", BIG), ("o", INT)], [(1, 1), (2, 2)])
    over = n.Over(
        input=v,
        partition=(),
        order=(n.SortKey(1),),
        frame=n.Frame(mode="ROWS", lower=None),
        calls=(agg("AVG", (0,), BIG, "a"),),
    )
    assert [r[2] for r in rows(over, ordered=False)] == [1, 1]  # AVG(1) = 1, AVG(1, 2) = 1


def test_sort_order_kept_to_the_output() -> None:
    v = values([("x", INT)], [(i,) for i in (5, 3, 9, 1, 7, 2, 8)])
    s = n.Sort(input=v, keys=(n.SortKey(0, descending=True),), limit=4)
    p = n.Project(input=s, exprs=(ref(0, INT),), names=("x",))
    assert [r[0] for r in rows(s, ordered=True)] == [9, 8, 7, 5]
    assert sorted(r[0] for r in rows(p)) == [5, 7, 8, 9]


def test_hop_with_offset_and_gapped_slide() -> None:
    # HOP(slide 10 min, size 5 min) is accepted by Flink batch (FLINK_SEMANTICS.md: "HOP with
    # slide > size: batch accepts it (gapped windows)"): 10:03 is in [10:00, 10:05), 10:05..
    # 10:10 falls in no window.
    v = values([("k", INT), ("ts", TS)], [(1, ts(3)), (1, ts(7))])
    spec = n.WindowSpec(kind=n.WindowKind.HOP, time_col=1, size_ms=300_000, slide_ms=600_000)
    plan = n.WindowAggregate(
        input=rowtime(v, 1),
        window=spec,
        group=(0,),
        aggs=(agg("COUNT", (), BIG, "n"),),
        properties=("window_start",),
    )
    assert rows(plan) == [(1, 1, ts(0))]


def test_min_max_strings_by_code_point() -> None:
    # FLINK_SEMANTICS.md: "`MIN`/`MAX` on strings order by Unicode code point".
    v = values([("s", STR)], [("z",), ("é",), ("🚀",), ("Z",)])
    a = n.Aggregate(
        input=v, group=(), aggs=(agg("MIN", (0,), STR, "lo"), agg("MAX", (0,), STR, "hi"))
    )
    assert rows(a) == [("Z", "🚀")]


def test_tumble_on_ltz_aligns_in_the_session_time_zone() -> None:
    # A daily TUMBLE over TIMESTAMP_LTZ starts at local midnight of the session time zone;
    # window_start/window_end are local TIMESTAMPs.
    ltz = t.timestamp_ltz(3)
    when = dt.datetime(2024, 1, 1, 16, 0, tzinfo=dt.UTC)  # 2024-01-02 01:00 in Tokyo
    v = values([("k", INT), ("t", ltz)], [(1, when)])
    spec = n.WindowSpec(kind=n.WindowKind.TUMBLE, time_col=1, size_ms=86_400_000)
    plan = n.WindowAggregate(
        input=rowtime(v, 1),
        window=spec,
        group=(0,),
        aggs=(agg("COUNT", (), BIG, "n"),),
        properties=("window_start",),
    )
    table = run_plan(plan, time_zone="Asia/Tokyo").table
    assert table.column("window_start").to_pylist() == [dt.datetime(2024, 1, 2)]
    assert run_plan(plan).table.column("window_start").to_pylist() == [dt.datetime(2024, 1, 1)]


def test_cumulate_with_offset() -> None:
    # CUMULATE(step 5 min, size 10 min, offset 2 min): [09:52, 09:57), [09:52, 10:02),
    # [10:02, 10:07), [10:02, 10:12), ...; a row at 10:03 is in the last two.
    v = values([("k", INT), ("ts", TS)], [(1, ts(3))])
    spec = n.WindowSpec(
        kind=n.WindowKind.CUMULATE, time_col=1, size_ms=600_000, step_ms=300_000, offset_ms=120_000
    )
    plan = n.WindowTVF(input=rowtime(v, 1), window=spec)
    assert {(r[2], r[3]) for r in rows(plan)} == {(ts(2), ts(7)), (ts(2), ts(12))}


def test_session_tvf_rows() -> None:
    v = values([("k", INT), ("ts", TS)], [(1, ts(0)), (1, ts(2)), (2, ts(1))])
    spec = n.WindowSpec(kind=n.WindowKind.SESSION, time_col=1, gap_ms=60_000, partition=(0,))
    got = rows(n.WindowTVF(input=rowtime(v, 1), window=spec))
    end = dt.timedelta(milliseconds=1)
    assert got == [
        (1, ts(0), ts(0), ts(1), ts(1) - end),
        (1, ts(2), ts(2), ts(3), ts(3) - end),
        (2, ts(1), ts(1), ts(2), ts(2) - end),
    ]


def test_avg_of_decimal_is_exact_half_up() -> None:
    # Flink: AVG(DECIMAL(p, s)) is DECIMAL(38, max(6, s)), SUM / COUNT rounded HALF_UP:
    # AVG(1.00, 2.00, 2.00) = 1.666667.
    from decimal import Decimal

    d = t.decimal(5, 2)
    v = values([("x", d)], [(Decimal("1.00"),), (Decimal("2.00"),), (Decimal("2.00"),)])
    a = n.Aggregate(input=v, group=(), aggs=(agg("AVG", (0,), t.decimal(38, 6), "a"),))
    assert rows(a) == [(Decimal("1.666667"),)]
    empty = n.Aggregate(
        input=values([("x", d)], []), group=(), aggs=(agg("AVG", (0,), t.decimal(38, 6), "a"),)
    )
    assert rows(empty) == [(None,)]
