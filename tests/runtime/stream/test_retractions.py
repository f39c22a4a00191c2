"""Insert -> retract: operators fed a changelog that inserts rows and then retracts them (all,
or some) must fold to the batch result of the rows that remain (and to nothing when all are
retracted)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyarrow as pa

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, Ident
from nrtg.compiler.lower.graph import Edge, EdgeKind, JobGraph, OperatorSpec
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall, Call, ColumnRef
from nrtg.runtime.stream.api import OP_COLUMN, Op
from nrtg.runtime.stream.fold import fold_multiset
from nrtg.runtime.stream.operators.registry import make_operator

FIELDS = (Field("k", t.bigint()), Field("v", t.bigint()))
ROWS = [(1, 10), (1, 30), (2, 5), (1, 20), (2, 7), (3, 1)]


def scan(name: str = "s", updating: bool = False) -> n.TableScan:
    options = (("format", "debezium-json"),) if updating else ()
    return n.TableScan(table=Ident("default", name), fields=FIELDS, options=options)


def changelog(rows: list[tuple[Any, ...]], ops: list[Op]) -> pa.RecordBatch:
    cols = list(zip(*rows, strict=True))
    return pa.RecordBatch.from_arrays(
        [pa.array(cols[0], pa.int64()), pa.array(cols[1], pa.int64()), pa.array(ops, pa.int8())],
        names=["k", "v", OP_COLUMN],
    )


def drive(node: n.Plan, kind: str, batches: list[tuple[int, pa.RecordBatch]]) -> Counter[Any]:
    spec = OperatorSpec(
        id=0,
        kind=kind,
        node=node,
        inputs=tuple(Edge(9, EdgeKind.FORWARD) for _ in node.children),
        schema=node.schema,
        changelog=node.changelog,
        params=_params(node),
    )
    op = make_operator(spec)
    out = []
    for index, b in batches:
        out += op.process(b, index).batches
    out += op.on_watermark(2**63 - 1).batches
    return fold_multiset(pa.Table.from_batches(out) if out else None)


def _params(node: n.Plan) -> dict[str, Any]:
    if isinstance(node, n.Join):
        graph = lower_to_stream(node)
        spec = next(s for s in graph.operators if s.kind == "join")
        return dict(spec.params)
    return {}


def agg_node() -> n.Aggregate:
    return n.Aggregate(
        input=scan(updating=True),
        group=(0,),
        aggs=(
            AggCall(name="COUNT", args=(), type=t.bigint(False), alias="c"),
            AggCall(name="SUM", args=(1,), type=t.bigint(), alias="s"),
            AggCall(name="MIN", args=(1,), type=t.bigint(), alias="lo"),
            AggCall(name="MAX", args=(1,), type=t.bigint(), alias="hi"),
            AggCall(name="AVG", args=(1,), type=t.bigint(), alias="a"),
            AggCall(name="COUNT", args=(1,), type=t.bigint(False), distinct=True, alias="d"),
        ),
    )


def test_group_agg_insert_then_retract_all() -> None:
    ins = changelog(ROWS, [Op.INSERT] * len(ROWS))
    out = drive(agg_node(), "group_agg", [(0, ins), (0, changelog(ROWS, [Op.DELETE] * 6))])
    assert out == Counter()


def test_group_agg_retract_the_max_and_min() -> None:
    ins = changelog(ROWS, [Op.INSERT] * len(ROWS))
    gone = changelog([(1, 30), (2, 5)], [Op.UPDATE_BEFORE, Op.DELETE])
    out = drive(agg_node(), "group_agg", [(0, ins), (0, gone)])
    # key 1: 10, 20 -> count 2, sum 30, min 10, max 20, avg 15; key 2: 7; key 3: 1
    assert out == Counter(
        {(1, 2, 30, 10, 20, 15, 2): 1, (2, 1, 7, 7, 7, 7, 1): 1, (3, 1, 1, 1, 1, 1, 1): 1}
    )


def test_group_agg_integer_avg_truncates_toward_zero() -> None:
    rows = [(1, -7), (1, 2)]
    out = drive(agg_node(), "group_agg", [(0, changelog(rows, [Op.INSERT] * 2))])
    (row,) = out
    assert row[5] == -2  # -5 / 2 truncated, as Flink's AVG(BIGINT)


def test_rank_promotes_when_the_top_is_retracted() -> None:
    node = n.Rank(
        input=scan(updating=True),
        partition=(0,),
        order=(n.SortKey(1, descending=True),),
        fn=n.RankFn.ROW_NUMBER,
        lower=1,
        upper=2,
        rank_name="rn",
    )
    ins = changelog(ROWS, [Op.INSERT] * len(ROWS))
    out = drive(node, "rank", [(0, ins), (0, changelog([(1, 30)], [Op.DELETE]))])
    assert out == Counter({(1, 20, 1): 1, (1, 10, 2): 1, (2, 7, 1): 1, (2, 5, 2): 1, (3, 1, 1): 1})


def _join(kind: n.JoinKind) -> n.Join:
    left, right = scan("l"), scan("r")
    cond = Call(
        name="EQUALS",
        args=(
            ColumnRef(index=0, name="k", type=t.bigint()),
            ColumnRef(index=2, name="k", type=t.bigint()),
        ),
        type=t.boolean(),
    )
    return n.Join(left=left, right=right, kind=kind, condition=cond)


def test_full_join_retractions_restore_padding() -> None:
    node = _join(n.JoinKind.FULL)
    left = changelog([(1, 1), (2, 2)], [Op.INSERT, Op.INSERT])
    right = changelog([(1, 100), (3, 300)], [Op.INSERT, Op.INSERT])
    out = drive(node, "join", [(0, left), (1, right)])
    assert out == Counter({(1, 1, 1, 100): 1, (2, 2, None, None): 1, (None, None, 3, 300): 1})
    retract_right = changelog([(1, 100)], [Op.DELETE])
    out = drive(node, "join", [(0, left), (1, right), (1, retract_right)])
    assert out == Counter({(1, 1, None, None): 1, (2, 2, None, None): 1, (None, None, 3, 300): 1})
    retract_all = changelog([(1, 1), (2, 2)], [Op.DELETE, Op.DELETE])
    out = drive(node, "join", [(0, left), (1, right), (0, retract_all)])
    assert out == Counter({(None, None, 1, 100): 1, (None, None, 3, 300): 1})


def test_inner_join_with_duplicates_and_retraction() -> None:
    node = _join(n.JoinKind.INNER)
    left = changelog([(1, 1), (1, 1)], [Op.INSERT, Op.INSERT])
    right = changelog([(1, 5)], [Op.INSERT])
    out = drive(node, "join", [(0, left), (1, right), (0, changelog([(1, 1)], [Op.DELETE]))])
    assert out == Counter({(1, 1, 1, 5): 1})


def test_graph_is_topological() -> None:
    graph: JobGraph = lower_to_stream(agg_node())
    for spec in graph.operators:
        assert all(e.source < spec.id for e in spec.inputs)


def test_semi_and_anti_join_follow_the_right_side() -> None:
    left = changelog([(1, 1), (2, 2), (1, 3)], [Op.INSERT] * 3)
    right = changelog([(1, 100)], [Op.INSERT])
    gone = changelog([(1, 100)], [Op.DELETE])
    semi = _join(n.JoinKind.SEMI)
    assert drive(semi, "join", [(0, left), (1, right)]) == Counter({(1, 1): 1, (1, 3): 1})
    assert drive(semi, "join", [(0, left), (1, right), (1, gone)]) == Counter()
    anti = _join(n.JoinKind.ANTI)
    assert drive(anti, "join", [(1, right), (0, left)]) == Counter({(2, 2): 1})
    assert drive(anti, "join", [(1, right), (0, left), (1, gone)]) == Counter(
        {(1, 1): 1, (2, 2): 1, (1, 3): 1}
    )
