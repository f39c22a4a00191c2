"""push_filter_down, merge_projects, prune_columns, merge_filters on hand-built plans."""

from __future__ import annotations

import datetime as dt

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, Ident, TimeAttr
from nrtg.compiler.optimizer.driver import Rule, optimize
from nrtg.compiler.optimizer.rules import RULES
from nrtg.compiler.optimizer.rules.merge_filters import merge_filters
from nrtg.compiler.optimizer.rules.merge_projects import merge_projects
from nrtg.compiler.optimizer.rules.prune_columns import prune_columns
from nrtg.compiler.optimizer.rules.push_filter_down import push_filter_down
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall, Call, ColumnRef, Expr, Literal
from nrtg.compiler.plan.walk import walk

BIGINT = t.bigint()
BOOL = t.boolean()
TS = t.timestamp(3)


def scan(name: str, *cols: tuple[str, t.SqlType], **kw: object) -> n.TableScan:
    fields = tuple(Field(c, ty) for c, ty in cols)
    options = (("connector", "kafka"), ("format", "json"))
    return n.TableScan(table=Ident("default", name), fields=fields, options=options, **kw)  # type: ignore[arg-type]


def col(plan: n.Plan, i: int) -> ColumnRef:
    f = plan.schema.fields[i]
    return ColumnRef(index=i, name=f.name, type=f.type)


def gt(a: Expr, v: int) -> Call:
    return Call(name="GREATER_THAN", args=(a, Literal(value=v, type=BIGINT)), type=BOOL)


def apply(r: Rule, root: n.Plan) -> n.Plan:
    (out,) = optimize((root,), rules=(r,))
    assert out.schema == root.schema and out.changelog == root.changelog
    return out


def test_merge_filters_keeps_inner_predicate_first() -> None:
    s = scan("t", ("a", BIGINT), ("b", BIGINT))
    root = n.Filter(input=n.Filter(input=s, predicate=gt(col(s, 0), 1)), predicate=gt(col(s, 1), 2))
    out = apply(merge_filters, root)
    assert isinstance(out, n.Filter) and out.input is s
    assert isinstance(out.predicate, Call) and out.predicate.name == "AND"
    assert out.predicate.args == (gt(col(s, 0), 1), gt(col(s, 1), 2))


def _join(kind: n.JoinKind) -> n.Join:
    left = scan("l", ("a", BIGINT), ("b", BIGINT))
    right = scan("r", ("c", BIGINT), ("d", BIGINT))
    cond = Call(name="EQUALS", args=(col(left, 0), col(right, 0).replace(index=2)), type=BOOL)
    return n.Join(left=left, right=right, kind=kind, condition=cond)


def test_filter_above_left_join_moves_only_into_the_left_side() -> None:
    j = _join(n.JoinKind.LEFT)
    pred = Call(name="AND", args=(gt(col(j, 1), 1), gt(col(j, 3), 2)), type=BOOL)
    out = apply(push_filter_down, n.Filter(input=j, predicate=pred))
    assert isinstance(out, n.Filter) and out.predicate == gt(col(j, 3), 2)
    assert isinstance(out.input, n.Join) and isinstance(out.input.left, n.Filter)
    assert not isinstance(out.input.right, n.Filter)


def test_filter_above_full_join_stays() -> None:
    j = _join(n.JoinKind.FULL)
    root = n.Filter(input=j, predicate=gt(col(j, 1), 1))
    assert apply(push_filter_down, root) is root


def test_anti_join_keeps_its_left_only_on_conjunct() -> None:
    j = _join(n.JoinKind.ANTI)
    cond = Call(name="AND", args=(j.condition, gt(col(j.left, 1), 5)), type=BOOL)
    root = j.replace(condition=cond)
    assert apply(push_filter_down, root) is root


def test_right_only_on_conjunct_of_left_join_moves_right() -> None:
    j = _join(n.JoinKind.LEFT)
    right_d = ColumnRef(index=3, name="d", type=BIGINT)
    root = j.replace(condition=Call(name="AND", args=(j.condition, gt(right_d, 5)), type=BOOL))
    out = apply(push_filter_down, root)
    assert isinstance(out, n.Join) and isinstance(out.right, n.Filter)
    assert out.right.predicate == gt(ColumnRef(index=1, name="d", type=BIGINT), 5)


def test_global_aggregate_stops_pushdown() -> None:
    s = scan("t", ("a", BIGINT))
    agg = n.Aggregate(
        input=s, group=(), aggs=(AggCall(name="COUNT", args=(), type=t.bigint(False), alias="c"),)
    )
    root = n.Filter(input=agg, predicate=gt(col(agg, 0), 1))
    assert apply(push_filter_down, root) is root


def test_non_deterministic_projection_blocks_pushdown() -> None:
    s = scan("t", ("a", BIGINT))
    rand = Call(name="RAND_INTEGER", args=(Literal(value=10, type=t.int_(False)),), type=t.int_())
    p = n.Project(input=s, exprs=(col(s, 0), rand), names=("a", "r"))
    root = n.Filter(input=p, predicate=Call(name="IS_NULL", args=(col(p, 1),), type=BOOL))
    assert apply(push_filter_down, root) is root


def test_merge_projects_refuses_to_duplicate_rand() -> None:
    s = scan("t", ("a", BIGINT))
    rand = Call(name="RAND", args=(), type=t.double(False))
    inner = n.Project(input=s, exprs=(rand,), names=("r",))
    outer = n.Project(input=inner, exprs=(col(inner, 0), col(inner, 0)), names=("x", "y"))
    assert apply(merge_projects, outer) is outer
    once = n.Project(input=inner, exprs=(col(inner, 0),), names=("x",))
    merged = apply(merge_projects, once)
    assert isinstance(merged, n.Project) and merged.input is s


def test_identity_project_goes_but_not_a_renaming_one() -> None:
    s = scan("t", ("a", BIGINT), ("b", BIGINT))
    same = n.Project(input=s, exprs=(col(s, 0), col(s, 1)), names=("a", "b"))
    renamed = n.Project(input=s, exprs=(col(s, 0), col(s, 1)), names=("a", "c"))
    swapped = n.Project(input=s, exprs=(col(s, 1), col(s, 0)), names=("b", "a"))
    root = n.SetOp(inputs=(same, renamed, swapped), kind=n.SetOpKind.UNION, all=True)
    out = apply(merge_projects, root)
    assert isinstance(out, n.SetOp)
    assert out.inputs[0] is s and out.inputs[1] is renamed and out.inputs[2] is swapped


def _watermarked() -> n.Plan:
    """Scan(a, b, m METADATA, ts, lag) + AssignWatermark(ts - INTERVAL '1' SECOND)."""
    s = scan(
        "t",
        ("a", BIGINT),
        ("b", BIGINT),
        ("m", BIGINT),
        ("ts", TS),
        ("lag", BIGINT),
        metadata_keys=(None, None, "offset", None, None),
        primary_key=(0,),
    )
    second = Literal(value=dt.timedelta(seconds=1), type=t.interval_day_time("SECOND", "SECOND"))
    wm = Call(name="MINUS", args=(col(s, 3), second), type=TS)
    return n.AssignWatermark(input=s, rowtime=3, watermark=wm)


def test_prune_remaps_the_watermark_and_narrows_metadata_and_key() -> None:
    w = _watermarked()
    root = n.Project(input=w, exprs=(col(w, 2),), names=("m",))
    out = apply(prune_columns, root)
    scans = [p for p in walk(out) if isinstance(p, n.TableScan)]
    assert [f.name for f in scans[0].fields] == ["m", "ts"]
    assert scans[0].metadata_keys == ("offset", None)
    assert scans[0].primary_key is None  # an insert-only scan drops an unread key
    marks = [p for p in walk(out) if isinstance(p, n.AssignWatermark)]
    assert marks[0].rowtime == 1 and marks[0].schema.fields[1].time_attr is TimeAttr.ROWTIME


def test_prune_keeps_one_column_for_count_star() -> None:
    s = scan("t", ("a", BIGINT), ("b", BIGINT))
    agg = n.Aggregate(
        input=s, group=(), aggs=(AggCall(name="COUNT", args=(), type=t.bigint(False), alias="c"),)
    )
    out = apply(prune_columns, agg)
    assert isinstance(out, n.Aggregate) and isinstance(out.input, n.TableScan)
    assert len(out.input.fields) == 1


def test_prune_leaves_a_csv_scan_whole() -> None:
    s = scan("t", ("a", BIGINT), ("b", BIGINT)).replace(options=(("format", "csv"),))
    root = n.Project(input=s, exprs=(col(s, 1),), names=("b",))
    assert apply(prune_columns, root) is root


def test_prune_is_idempotent() -> None:
    w = _watermarked()
    root = n.Project(input=w, exprs=(col(w, 0),), names=("a",))
    once = apply(prune_columns, root)
    assert apply(prune_columns, once) is once


def test_rules_order_has_dedup_before_topn_and_windows_first() -> None:
    names = [r.name for r in RULES]
    assert names.index("deduplicate") < names.index("topn")
    assert names.index("window_deduplicate") < names.index("deduplicate")
    assert names.index("window_topn") < names.index("topn")
    assert names.index("window_aggregate") < names.index("window_topn")
    assert names.index("window_aggregate") < names.index("window_join")
    assert names.index("window_join") < names.index("window_deduplicate")
    assert names.index("interval_join") < names.index("deduplicate")
    assert all(r.phase == "logical" for r in RULES[:5])


def test_filter_on_input_columns_moves_below_unnest() -> None:
    s = scan("t", ("a", BIGINT), ("tags", t.array(t.string())))
    u = n.Unnest(input=s, expr=col(s, 1), names=("tag",))
    on_tag = Call(name="IS_NULL", args=(col(u, 2),), type=BOOL)
    pred = Call(name="AND", args=(gt(col(u, 0), 1), on_tag), type=BOOL)
    out = apply(push_filter_down, n.Filter(input=u, predicate=pred))
    assert isinstance(out, n.Filter) and out.predicate == on_tag
    assert isinstance(out.input, n.Unnest) and isinstance(out.input.input, n.Filter)


def test_filter_into_union_branches_takes_branch_types() -> None:
    a = scan("a", ("x", t.bigint(nullable=False)))
    b = scan("b", ("x", BIGINT))
    union = n.SetOp(inputs=(a, b), kind=n.SetOpKind.UNION, all=True)
    out = apply(push_filter_down, n.Filter(input=union, predicate=gt(col(union, 0), 1)))
    assert isinstance(out, n.SetOp)
    first = out.inputs[0]
    assert isinstance(first, n.Filter) and isinstance(first.predicate, Call)
    assert first.predicate.args[0].type == t.bigint(nullable=False)
