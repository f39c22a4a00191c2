"""The streaming target: optimized plan roots -> `JobGraph` (lower/graph.py).

- Chains of Project/Filter fuse into one `calc` (a shared intermediate node ends the chain).
- Keyed operators get explicit `hash(keys)` edges; a global aggregate gets `hash()`.
- `Aggregate` grouped by a window TVF's `window_start` and `window_end` over an insert-only
  event-time input becomes a `window_agg` (fires once per window on the watermark, emits
  insert-only rows), followed by a `calc` that puts the columns in the Aggregate's order. Any
  other Aggregate is a retracting `group_agg`.
- A node the runtime cannot execute raises `UnsupportedError` naming the node and the target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from nrtg.catalog import types as t
from nrtg.catalog.schema import TimeAttr
from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan import traits
from nrtg.compiler.plan.expr import AggCall, Call, ColumnRef, Expr, Literal, and_, conjuncts
from nrtg.compiler.plan.traits import INSERT_ONLY, ChangelogMode

from .graph import Edge, EdgeKind, JobGraph, OperatorSpec

TARGET = "the stream target"


def lower_to_stream(roots: tuple[n.Plan, ...] | n.Plan) -> JobGraph:
    """Lower optimized plan roots (Sinks and queries) to one job graph."""
    plans = roots if isinstance(roots, tuple) else (roots,)
    builder = _Builder(plans)
    out_roots = tuple(builder.root(p) for p in plans)
    return JobGraph(tuple(builder.ops), out_roots)


def _unsupported(node: n.Plan, why: str) -> UnsupportedError:
    return UnsupportedError(f"{type(node).__name__} is not supported by {TARGET}: {why}", node.span)


def equi_keys(
    condition: Expr, n_left: int, null_safe: bool = False
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Pairs `left_col = right_col` (with `null_safe`: `left_col IS NOT DISTINCT FROM
    right_col`) among the condition's conjuncts: (left ordinals, right ordinals within the
    right input)."""
    left: list[int] = []
    right: list[int] = []
    equality = "IS_NOT_DISTINCT_FROM" if null_safe else "EQUALS"
    for c in conjuncts(condition):
        if not (isinstance(c, Call) and c.name == equality and len(c.args) == 2):
            continue
        a, b = c.args
        if not (isinstance(a, ColumnRef) and isinstance(b, ColumnRef)):
            continue
        if a.type.kind != b.type.kind:
            continue
        if a.index < n_left <= b.index:
            left.append(a.index)
            right.append(b.index - n_left)
        elif b.index < n_left <= a.index:
            left.append(b.index)
            right.append(a.index - n_left)
    return tuple(left), tuple(right)


def _same_row(left: n.Plan, right: n.Plan) -> Expr:
    """Every column of `left` IS NOT DISTINCT FROM the same column of `right`."""
    width = len(left.schema)
    terms = [
        Call(
            type=t.boolean(False),
            name="IS_NOT_DISTINCT_FROM",
            args=(
                ColumnRef(type=a.type, index=i, name=a.name),
                ColumnRef(type=b.type, index=width + i, name=b.name),
            ),
        )
        for i, (a, b) in enumerate(zip(left.schema.fields, right.schema.fields, strict=True))
    ]
    return and_(*terms)


class _Builder:
    def __init__(self, roots: tuple[n.Plan, ...]) -> None:
        self.ops: list[OperatorSpec] = []
        self.memo: dict[int, int] = {}
        self.shapes: dict[tuple[Any, ...], int] = {}
        self.shape_of: dict[int, tuple[Any, ...] | None] = {}
        self.uses: dict[int, int] = {}
        stack = list(roots)
        while stack:
            p = stack.pop()
            k = id(p)
            self.uses[k] = self.uses.get(k, 0) + 1
            if self.uses[k] == 1:
                stack.extend(p.children)

    # -- helpers --------------------------------------------------------------------------
    def add(
        self,
        kind: str,
        node: n.Plan,
        inputs: tuple[Edge, ...],
        *,
        state: str = "",
        event_time: bool = False,
        changelog: ChangelogMode | None = None,
        params: dict[str, Any] | None = None,
    ) -> int:
        op_id = len(self.ops)
        self.ops.append(
            OperatorSpec(
                id=op_id,
                kind=kind,
                node=node,
                inputs=inputs,
                schema=node.schema,
                changelog=node.changelog if changelog is None else changelog,
                state=state,
                event_time=event_time,
                params=params or {},
            )
        )
        return op_id

    def forward(self, child: n.Plan) -> Edge:
        return Edge(self.lower(child))

    def hashed(self, child: n.Plan, keys: tuple[int, ...]) -> Edge:
        names = child.schema.names
        return Edge(self.lower(child), EdgeKind.HASH, keys, tuple(names[k] for k in keys))

    def root(self, plan: n.Plan) -> int:
        if isinstance(plan, n.Sink):
            return self.lower(plan)
        edge = self.forward(plan)
        return self.add("collect", plan, (edge,), changelog=self.ops[edge.source].changelog)

    def lower(self, node: n.Plan) -> int:
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        shape = self._shape(node)
        if shape is not None and shape in self.shapes:
            op_id = self.shapes[shape]
        else:
            op_id = self._lower(node)
            if shape is not None:
                self.shapes[shape] = op_id
        self.memo[key] = op_id
        return op_id

    def _shape(self, node: n.Plan) -> tuple[Any, ...] | None:
        cached = self.shape_of.get(id(node), False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        shape = self._compute_shape(node)
        self.shape_of[id(node)] = shape
        return shape

    def _compute_shape(self, node: n.Plan) -> tuple[Any, ...] | None:
        """A structural key: equal subplans (the same view expanded twice, e.g. both sides of
        Nexmark q5 read `bid`) become one operator with two consumers, so the source is read
        and decoded once. None when some field is not hashable."""
        parts: list[Any] = [type(node).__name__]
        for f in fields(node):
            if f.name == "span":
                continue
            value = getattr(node, f.name)
            if isinstance(value, n.Plan):
                value = self._shape(value)
                if value is None:
                    return None
            elif isinstance(value, tuple) and value and isinstance(value[0], n.Plan):
                value = tuple(self._shape(v) for v in value)
                if None in value:
                    return None
            parts.append((f.name, value))
        key = tuple(parts)
        try:
            hash(key)
        except TypeError:
            return None
        return key

    # -- per node -------------------------------------------------------------------------
    def _lower(self, p: n.Plan) -> int:
        handler = _HANDLERS.get(type(p))
        if handler is None:
            raise _unsupported(p, "no streaming operator for this node")
        return handler(self, p)

    def _scan(self, p: n.Plan) -> int:
        assert isinstance(p, n.TableScan)
        connector = p.option("connector", "") or ""
        return self.add("source", p, (), params={"connector": connector}, state="source positions")

    def _values(self, p: n.Plan) -> int:
        return self.add("values", p, ())

    def _calc(self, p: n.Plan) -> int:
        steps: list[n.Plan] = [p]
        below = p.children[0]
        while isinstance(below, n.Project | n.Filter) and self.uses.get(id(below), 0) <= 1:
            steps.append(below)
            below = below.children[0]
        edge = self.forward(below)
        changelog = _calc_changelog(p, self.ops[edge.source].changelog)
        return self.add(
            "calc", p, (edge,), changelog=changelog, params={"steps": tuple(reversed(steps))}
        )

    def _watermark(self, p: n.Plan) -> int:
        return self.add(
            "watermark_assigner",
            p,
            (self.forward(p.children[0]),),
            state="per-split max watermark",
            event_time=True,
        )

    def _window_tvf(self, p: n.Plan) -> int:
        assert isinstance(p, n.WindowTVF)
        _require_rowtime(p, p.input, p.window.time_col)
        if p.window.kind is n.WindowKind.SESSION:
            raise _unsupported(p, "a SESSION window TVF must feed a window aggregate")
        return self.add("window_tvf", p, (self.forward(p.input),))

    def _window_agg(self, p: n.Plan) -> int:
        assert isinstance(p, n.WindowAggregate)
        proctime = _is_proctime(p.input, p.window.time_col)
        if not proctime:
            _require_rowtime(p, p.input, p.window.time_col)
        if not traits.is_insert_only(p.input.changelog):
            raise _unsupported(p, "a window aggregate needs an insert-only input")
        _check_aggs(p, p.aggs)
        keys = p.group if p.window.kind is not n.WindowKind.SESSION else p.window.partition
        state = (
            "per-slice partial aggregates by key"
            if p.window.kind is not n.WindowKind.SESSION
            else "rows per partition until their session closes"
        )
        return self.add(
            "window_agg",
            p,
            (self.hashed(p.input, keys),),
            state=state,
            event_time=not proctime,
            changelog=INSERT_ONLY,
            params={"proctime": True} if proctime else None,
        )

    def _aggregate(self, p: n.Plan) -> int:
        assert isinstance(p, n.Aggregate)
        rewritten = _as_window_aggregate(p)
        if rewritten is not None:
            wagg, project = rewritten
            wid = self._window_agg(wagg)
            self.memo[id(wagg)] = wid
            return self.add(
                "calc",
                project,
                (Edge(wid),),
                changelog=INSERT_ONLY,
                params={"steps": (project,)},
            )
        _check_aggs(p, p.aggs)
        return self.add(
            "group_agg",
            p,
            (self.hashed(p.input, p.group),),
            state="accumulators per group key",
        )

    def _join(self, p: n.Plan) -> int:
        assert isinstance(p, n.Join)
        lk, rk = equi_keys(p.condition, len(p.left.schema))
        params: dict[str, Any] = {"left_keys": lk, "right_keys": rk}
        if not lk:  # keys that match NULL to NULL (INTERSECT, EXCEPT) when there is no other
            lk, rk = equi_keys(p.condition, len(p.left.schema), null_safe=True)
            params = {"left_keys": lk, "right_keys": rk, "null_safe": True} if lk else params
        return self.add(
            "join",
            p,
            (self.hashed(p.left, lk), self.hashed(p.right, rk)),
            state="both inputs' rows by join key",
            params=params,
        )

    def _temporal_join(self, p: n.Plan) -> int:
        assert isinstance(p, n.TemporalJoin)
        if p.kind not in (n.JoinKind.INNER, n.JoinKind.LEFT):
            raise _unsupported(p, "only INNER and LEFT temporal joins exist")
        lk, rk = equi_keys(p.condition, len(p.left.schema))
        if not lk:
            raise _unsupported(p, "the temporal join condition needs an equality on the key")
        return self.add(
            "temporal_join",
            p,
            (self.hashed(p.left, lk), self.hashed(p.right, rk)),
            state="probe rows until the watermark; versions of the right table by key",
            event_time=True,
            params={"left_keys": lk, "right_keys": rk},
        )

    def _lookup_join(self, p: n.Plan) -> int:
        assert isinstance(p, n.LookupJoin)
        if p.kind not in (n.JoinKind.INNER, n.JoinKind.LEFT):
            raise _unsupported(p, "only INNER and LEFT lookup joins exist")
        bounded = _bounded(p.right)
        state = "the lookup table's rows by key" + (" (loaded before probing)" if bounded else "")
        return self.add(
            "lookup_join",
            p,
            (self.forward(p.left), Edge(self.lower(p.right), EdgeKind.BROADCAST)),
            state=state,
            params={"right_bounded": bounded, "proctime": True},
        )

    def _unnest(self, p: n.Plan) -> int:
        return self.add("unnest", p, (self.forward(p.children[0]),))

    def _setop(self, p: n.Plan) -> int:
        """UNION ALL is a union; the distinct set operations run as Flink's streaming planner
        runs them: UNION as a union grouped by every column, INTERSECT/EXCEPT as SEMI/ANTI
        joins on every column (NULL matching NULL) grouped by every column."""
        assert isinstance(p, n.SetOp)
        if p.kind is n.SetOpKind.UNION and p.all:
            return self.add("union", p, tuple(self.forward(i) for i in p.inputs))
        if p.all:
            raise _unsupported(p, f"{p.kind.value} ALL (UNION ALL and the distinct set operations)")
        if p.kind is n.SetOpKind.UNION:
            rows: n.Plan = n.SetOp(inputs=p.inputs, kind=p.kind, all=True, span=p.span)
        else:
            rows = p.inputs[0]
            kind = n.JoinKind.SEMI if p.kind is n.SetOpKind.INTERSECT else n.JoinKind.ANTI
            for other in p.inputs[1:]:
                rows = n.Join(
                    left=rows, right=other, kind=kind, condition=_same_row(rows, other), span=p.span
                )
        width = len(p.schema)
        return self.lower(n.Aggregate(input=rows, group=tuple(range(width)), aggs=(), span=p.span))

    def _over(self, p: n.Plan) -> int:
        assert isinstance(p, n.Over)
        first = p.input.schema.fields[p.order[0].index] if p.order else None
        proctime = first is not None and first.time_attr is TimeAttr.PROCTIME
        if first is None or p.order[0].descending or first.time_attr is None:
            ranked = _as_rank(p)
            if ranked is not None:
                # A lone ROW_NUMBER/RANK/DENSE_RANK (no Top-N filter recognized, e.g. the
                # unoptimized plan): an unbounded rank, retracting rows whose rank changes.
                op_id = self._rank(ranked)
                self.memo[id(ranked)] = op_id
                return op_id
            if first is None or p.order[0].descending:
                raise _unsupported(p, "OVER must be ordered by a time attribute ascending")
            raise _unsupported(
                p, "OVER must be ordered by a time attribute (rowtime or PROCTIME())"
            )
        if not traits.is_insert_only(p.input.changelog):
            raise _unsupported(p, "OVER needs an insert-only input")
        if p.frame.upper != 0:
            # Flink streaming refuses them too ("OVER windows' upper boundary must be CURRENT ROW").
            raise _unsupported(p, "OVER frames must end at CURRENT ROW in streaming (as in Flink)")
        lags = _lag_offsets(p)
        _check_aggs(p, tuple(c for c in p.calls if c.name.upper() != "LAG"), ranking=True)
        params: dict[str, Any] = {"lag_offsets": tuple(sorted(lags.items()))} if lags else {}
        if proctime:
            params["proctime"] = True
        waiting = "each batch as it arrives" if proctime else "rows waiting for the watermark"
        return self.add(
            "over_agg",
            p,
            (self.hashed(p.input, p.partition),),
            state=f"{waiting}; rows of each partition inside the frame",
            event_time=not proctime,
            params=params or None,
        )

    def _rank(self, p: n.Plan) -> int:
        assert isinstance(p, n.Rank)
        return self.add(
            "rank",
            p,
            (self.hashed(p.input, p.partition),),
            state="all rows per partition (retractions can promote any of them)",
        )

    def _sort(self, p: n.Plan) -> int:
        """ORDER BY ... LIMIT n: a Top-N over the whole input that retracts rows leaving the
        top, as Flink's streaming SortLimit. ORDER BY an event-time attribute ascending first
        (no LIMIT): rows leave sorted as the watermark passes them (Flink's TemporalSort).
        Other sorts without LIMIT cannot finish on an unbounded input, and LIMIT without
        ORDER BY picks arbitrary rows: both refused."""
        assert isinstance(p, n.Sort)
        first = p.input.schema.fields[p.keys[0].index] if p.keys else None
        by_time = first is not None and first.time_attr is TimeAttr.ROWTIME
        if p.limit is None and by_time and not p.keys[0].descending and not p.offset:
            return self.add(
                "temporal_sort",
                p,
                (self.hashed(p.input, ()),),
                state="rows waiting for the watermark",
                event_time=True,
            )
        if p.limit is None or not p.keys:
            what = "ORDER BY without LIMIT" if p.limit is None else "LIMIT without ORDER BY"
            raise _unsupported(
                p,
                f"{what} on an unbounded stream (ORDER BY ... LIMIT n is a Top-N; ORDER BY may "
                "sort by an event-time attribute ascending first)",
            )
        top = n.Rank(
            input=p.input,
            partition=(),
            order=p.keys,
            fn=n.RankFn.ROW_NUMBER,
            lower=p.offset + 1,
            upper=p.offset + p.limit,
            span=p.span,
        )
        return self.lower(top)

    def _deduplicate(self, p: n.Plan) -> int:
        assert isinstance(p, n.Deduplicate)
        if not traits.is_insert_only(p.input.changelog):
            raise _unsupported(p, "deduplication needs an insert-only input")
        return self.add(
            "deduplicate",
            p,
            (self.hashed(p.input, p.keys),),
            state=f"the {'last' if p.keep_last else 'first'} row per key",
        )

    def _window_join(self, p: n.Plan) -> int:
        assert isinstance(p, n.WindowJoin)
        if p.kind in (n.JoinKind.SEMI, n.JoinKind.ANTI):
            raise _unsupported(p, f"{p.kind.value} window joins are not implemented yet")
        lk, rk = equi_keys(p.condition, len(p.left.schema))
        return self.add(
            "window_join",
            p,
            (self.hashed(p.left, lk), self.hashed(p.right, rk)),
            state="both inputs' rows per window until the window fires",
            event_time=True,
            params={"left_keys": lk, "right_keys": rk},
        )

    def _interval_join(self, p: n.Plan) -> int:
        assert isinstance(p, n.IntervalJoin)
        if p.kind in (n.JoinKind.SEMI, n.JoinKind.ANTI):
            raise _unsupported(p, f"{p.kind.value} interval joins are not implemented yet")
        _require_rowtime(p, p.left, p.left_time)
        _require_rowtime(p, p.right, p.right_time)
        if not (
            traits.is_insert_only(p.left.changelog) and traits.is_insert_only(p.right.changelog)
        ):
            raise _unsupported(p, "an interval join needs insert-only inputs")
        lk, rk = equi_keys(p.condition, len(p.left.schema))
        return self.add(
            "interval_join",
            p,
            (self.hashed(p.left, lk), self.hashed(p.right, rk)),
            state="each side's rows until the watermark passes their time bound",
            event_time=True,
            params={"left_keys": lk, "right_keys": rk},
        )

    def _window_rank(self, p: n.Plan) -> int:
        assert isinstance(p, n.WindowRank)
        return self.add(
            "window_rank",
            p,
            (self.hashed(p.input, p.partition),),
            state="rows per window until it fires",
            event_time=True,
        )

    def _window_dedup(self, p: n.Plan) -> int:
        assert isinstance(p, n.WindowDeduplicate)
        keys = tuple(dict.fromkeys((*p.keys, *p.window_bounds)))
        return self.add(
            "window_dedup",
            p,
            (self.hashed(p.input, keys),),
            state="rows per window until it fires",
            event_time=True,
        )

    def _sink(self, p: n.Plan) -> int:
        assert isinstance(p, n.Sink)
        edge = self.forward(p.input)
        return self.add(
            "sink",
            p,
            (edge,),
            changelog=self.ops[edge.source].changelog,
            params={"connector": p.option("connector", "") or ""},
        )


_HANDLERS: dict[type, Callable[[_Builder, n.Plan], int]] = {
    n.TableScan: _Builder._scan,
    n.Values: _Builder._values,
    n.Project: _Builder._calc,
    n.Filter: _Builder._calc,
    n.AssignWatermark: _Builder._watermark,
    n.WindowTVF: _Builder._window_tvf,
    n.WindowAggregate: _Builder._window_agg,
    n.Aggregate: _Builder._aggregate,
    n.Join: _Builder._join,
    n.TemporalJoin: _Builder._temporal_join,
    n.LookupJoin: _Builder._lookup_join,
    n.Unnest: _Builder._unnest,
    n.SetOp: _Builder._setop,
    n.Over: _Builder._over,
    n.Sink: _Builder._sink,
    n.Rank: _Builder._rank,
    n.Sort: _Builder._sort,
    n.Deduplicate: _Builder._deduplicate,
    n.WindowJoin: _Builder._window_join,
    n.IntervalJoin: _Builder._interval_join,
    n.WindowRank: _Builder._window_rank,
    n.WindowDeduplicate: _Builder._window_dedup,
}

# Aggregates with a streaming accumulator (runtime/stream/operators/_accumulators.py), all
# retractable as in Flink (FIRST_VALUE/LAST_VALUE/LISTAGG/ARRAY_AGG keep their values in arrival
# order).
STREAM_AGGS = frozenset(
    {"COUNT", "SUM", "SUM0", "$SUM0", "AVG", "MIN", "MAX", "FIRST_VALUE", "LAST_VALUE"}
    | {"LISTAGG", "COLLECT", "ARRAY_AGG", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP"}
)
RANKING = frozenset({"ROW_NUMBER", "RANK", "DENSE_RANK"})


def _check_aggs(p: n.Plan, aggs: tuple[AggCall, ...], ranking: bool = False) -> None:
    allowed = STREAM_AGGS | (RANKING if ranking else frozenset())
    for a in aggs:
        if a.name.upper() not in allowed:
            raise _unsupported(p, f"aggregate {a.name} has no streaming accumulator yet")


def _lag_offsets(p: n.Over) -> dict[int, int]:
    """LAG calls (position -> rows back; LEAD needs rows not yet seen and is refused, as in
    Flink). The offset must be an integer literal. The streaming OVER runs LAG only next to
    the calls it computes column-wise: ranking, COUNT, MIN/MAX, integer SUM/AVG/STDDEV/VAR."""
    lags: dict[int, int] = {}
    for x, c in enumerate(p.calls):
        if c.name.upper() != "LAG":
            continue
        offset: object = 1
        if len(c.args) > 1:
            arg = p.input.exprs[c.args[1]] if isinstance(p.input, n.Project) else None
            offset = arg.value if isinstance(arg, Literal) else None
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise _unsupported(p, "LAG's offset must be a non-negative integer literal")
        lags[x] = offset
    if not lags:
        return lags
    fields = p.input.schema.fields
    for c in p.calls:
        name = c.name.upper()
        columnar = name in ("COUNT", "MIN", "MAX") or (
            name in ("SUM", "SUM0", "AVG", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP")
            and fields[c.args[0]].type.is_integer
        )
        if name in RANKING or name == "LAG" or (columnar and not c.distinct):
            continue
        raise _unsupported(
            p, f"LAG cannot share an OVER window with {name}{' DISTINCT' if c.distinct else ''} yet"
        )
    return lags


def _is_proctime(child: n.Plan, col: int) -> bool:
    return child.schema.fields[col].time_attr is TimeAttr.PROCTIME


def _bounded(node: n.Plan) -> bool:
    """Every source under `node` is bounded (files, VALUES)."""
    if isinstance(node, n.TableScan):
        connector = node.option("connector") or node.option("connector.type") or ""
        return connector == "filesystem"
    if isinstance(node, n.Values):
        return True
    return all(_bounded(c) for c in node.children)


def _as_rank(p: n.Over) -> n.Rank | None:
    """Over with a single ranking call: the same rows as a Rank over [1, unbounded]."""
    if len(p.calls) != 1 or p.calls[0].name.upper() not in RANKING or not p.order:
        return None
    call = p.calls[0]
    return n.Rank(
        input=p.input,
        partition=p.partition,
        order=p.order,
        fn=n.RankFn(call.name.upper()),
        lower=1,
        upper=2**62,
        rank_name=p.schema.names[len(p.input.schema)],
        span=p.span,
    )


def _require_rowtime(p: n.Plan, child: n.Plan, col: int) -> None:
    f = child.schema.fields[col]
    if f.time_attr is not TimeAttr.ROWTIME:
        raise _unsupported(
            p, f"window on {f.name}, which is not an event-time attribute (add a WATERMARK)"
        )


def _calc_changelog(p: n.Plan, input_mode: ChangelogMode) -> ChangelogMode:
    # A calc keeps its input's row kinds (the plan may claim fewer, e.g. over a window agg).
    return input_mode if traits.is_insert_only(input_mode) else p.changelog


def _as_window_aggregate(p: n.Aggregate) -> tuple[n.WindowAggregate, n.Project] | None:
    """Aggregate(Project?(WindowTVF(x))) grouped by window_start and window_end, on an
    insert-only event-time input: the same rows as a WindowAggregate + a reordering Project."""
    child = p.input
    if isinstance(child, n.Project) and isinstance(child.input, n.WindowTVF):
        tvf, exprs = child.input, child.exprs
    elif isinstance(child, n.WindowTVF):
        tvf = child
        exprs = tuple(
            ColumnRef(index=i, name=f.name, type=f.type) for i, f in enumerate(tvf.schema.fields)
        )
    else:
        return None
    x = tvf.input
    nx = len(x.schema)
    if not traits.is_insert_only(x.changelog):
        return None
    if x.schema.fields[tvf.window.time_col].time_attr not in (TimeAttr.ROWTIME, TimeAttr.PROCTIME):
        return None
    window_of: dict[int, str] = {}
    for j, e in enumerate(exprs):
        if isinstance(e, ColumnRef) and e.index >= nx:
            window_of[j] = n.WINDOW_PROPERTIES[e.index - nx]
        elif any(i >= nx for i in e.column_refs):
            return None
    grouped = {window_of[g] for g in p.group if g in window_of}
    if not {"window_start", "window_end"} <= grouped:
        return None
    if any(a.filter in window_of or any(i in window_of for i in a.args) for a in p.aggs):
        return None
    # Columns of the window aggregate's input: x's columns, then non-reference expressions.
    inner_exprs: list[Expr] = [
        ColumnRef(index=i, name=f.name, type=f.type) for i, f in enumerate(x.schema.fields)
    ]
    inner_names = list(x.schema.names)
    pos: dict[int, int] = {}
    for j, e in enumerate(exprs):
        if j in window_of:
            continue
        if isinstance(e, ColumnRef):
            pos[j] = e.index
        else:
            pos[j] = len(inner_exprs)
            inner_exprs.append(e)
            inner_names.append(child.schema.names[j])
    inner: n.Plan = x
    if len(inner_exprs) > nx:
        inner = n.Project(input=x, exprs=tuple(inner_exprs), names=_unique(inner_names))
    group = tuple(pos[g] for g in p.group if g not in window_of)
    aggs = tuple(
        AggCall(
            name=a.name,
            args=tuple(pos[i] for i in a.args),
            type=a.type,
            distinct=a.distinct,
            filter=None if a.filter is None else pos[a.filter],
            alias=a.alias,
        )
        for a in p.aggs
    )
    props = tuple(w for w in n.WINDOW_PROPERTIES if w in grouped)
    wagg = n.WindowAggregate(
        input=inner, window=tvf.window, group=group, aggs=aggs, properties=props, span=p.span
    )
    wf = wagg.schema.fields
    out: list[Expr] = []
    k = 0
    for g in p.group:
        if g in window_of:
            idx = len(group) + len(aggs) + props.index(window_of[g])
        else:
            idx, k = k, k + 1
        out.append(ColumnRef(index=idx, name=wf[idx].name, type=wf[idx].type))
    for i in range(len(aggs)):
        idx = len(group) + i
        out.append(ColumnRef(index=idx, name=wf[idx].name, type=wf[idx].type))
    project = n.Project(input=wagg, exprs=tuple(out), names=p.schema.names, span=p.span)
    return wagg, project


def _unique(names: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out = []
    for name in names:
        cand, k = name, 0
        while cand in seen:
            cand, k = f"{name}{k}", k + 1
        seen.add(cand)
        out.append(cand)
    return tuple(out)
