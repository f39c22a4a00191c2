"""Relational plan nodes -> one DuckDB CTE per node (sqlglot expressions).

Every CTE `qN` exposes the node's output columns under unique names (`unique_names`): the
node's field names, with later duplicates suffixed `_2`, `_3`, ... (case-insensitively, as
DuckDB compares identifiers). Shared subplans lower once. Window assignment, sessions, Top-N
and deduplication are spelled out with window functions; joins live in `duckdb_joins`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall

from .duckdb_aggs import ORDER_SENSITIVE, literal_columns, lower_agg
from .duckdb_base import Rel, Source, alias, ident, ordered, unique_names
from .duckdb_context import ColRefs, col
from .duckdb_expr import cast
from .duckdb_joins import JoinLowering
from .duckdb_share import fold_filtered_case, fold_project_over_filter
from .duckdb_window import (
    ARRIVAL,
    RowOrder,
    arrival,
    assign_windows,
    by_arrival,
    order_columns,
    row_order,
    window_bounds,
    window_starts,
)

__all__ = ["Rel", "RelLowerer", "Source", "unique_names"]


class RelLowerer(JoinLowering):
    """The batch lowering of every plan node kind."""

    # -- leaves -------------------------------------------------------------------------------
    def _TableScan(self, p: n.TableScan) -> Rel:
        # A changelog source (debezium-json, ...) reads as its folded final contents.
        names = self.names_of(p)
        relation = self.source_relation(p, names)
        w = self.w
        return self.emit(w.select([w.quoted(c) for c in names], w.quoted(relation)), names)

    def _Values(self, p: n.Values) -> Rel:
        names = self.names_of(p)
        types = [f.type for f in p.fields]
        if not p.rows:
            nulls = [alias(cast(exp.Null(), ty), c) for ty, c in zip(types, names, strict=True)]
            return self.emit(exp.select(*nulls, copy=False).where(exp.false(), copy=False), names)
        rows = [
            exp.Tuple(
                expressions=[
                    cast(self.expr(v, ColRefs(())), ty) for v, ty in zip(row, types, strict=True)
                ]
            )
            for row in p.rows
        ]
        values = exp.Values(
            expressions=rows,
            alias=exp.TableAlias(this=ident("v"), columns=[ident(c) for c in names]),
        )
        return self.emit(exp.select(exp.Star(), copy=False).from_(values, copy=False), names)

    # -- row-wise -----------------------------------------------------------------------------
    def _Project(self, p: n.Project) -> Rel:
        folded = fold_project_over_filter(p)
        if folded is not None:
            return self.lower(folded)
        src = self.lower(p.input)
        names = self.names_of(p)
        cols = src.cols()
        items = [self.item(e, cols, c) for e, c in zip(p.exprs, names, strict=True)]
        if not items:  # no column needed (COUNT(*)): SQL has no empty select list
            items = [self.w.named("TRUE", "$row")]
        return self.emit(self.w.select(items, src.cte), names, src)

    def _Filter(self, p: n.Filter) -> Rel:
        folded = fold_filtered_case(p)
        if folded is not None:
            return self.lower(folded)
        src = self.lower(p.input)
        where = self.w.sql(self.expr(p.predicate, src.cols()))
        return self.emit(self.w.select(["*"], src.cte, where), src.names, src)

    def _AssignWatermark(self, p: n.AssignWatermark) -> Rel:
        # Batch reads bounded input completely: the watermark only marks the time attribute.
        return self.lower(p.input)

    # -- aggregation --------------------------------------------------------------------------
    def _Aggregate(self, p: n.Aggregate) -> Rel:
        src = self.lower(p.input)
        if not any(a.name.upper() in ORDER_SENSITIVE for a in p.aggs):
            return self._group(src, p.input, p.group, p.aggs, self.names_of(p), ())
        # Order-sensitive aggregates take a group's rows in arrival order, as the stream
        # target's: the input's rows numbered as they come, ORDER BY that inside the calls
        # (a parallel scan hands DuckDB's aggregate its rows in pieces).
        numbered = self.emit(self._numbered(src.cte), (*src.names, ARRIVAL), src)
        names = self.names_of(p)
        return self._group(numbered, p.input, p.group, p.aggs, names, (), [by_arrival()])

    def _numbered(self, source: str) -> str:
        """SELECT * FROM `source`, + "$arr" (`arrival`)."""
        return self.w.select(["*", self.w.sql(arrival())], source)

    def _group(
        self,
        src: Rel,
        input_plan: n.Plan,
        group: tuple[int, ...],
        aggs: tuple[AggCall, ...],
        names: tuple[str, ...],
        extra_keys: tuple[int, ...],
        order: Sequence[exp.Ordered] = (),
    ) -> Rel:
        """`order`: the order ORDER_SENSITIVE aggregates take their rows in (`lower_agg`)."""
        w = self.w
        cols = src.cols()
        types = [f.type for f in input_plan.schema.fields]
        constants = literal_columns(input_plan, self.ctx)
        items = [w.column_as(src.names[g], None, c) for g, c in zip(group, names, strict=False)]
        for a, c in zip(aggs, names[len(group) :], strict=False):
            call = lower_agg(a, cols, types, self.ctx, constants=constants, order=order)
            items.append(w.alias(call, c))
        items += [
            w.column_as(src.names[i], None, c)
            for i, c in zip(extra_keys, names[len(group) + len(aggs) :], strict=True)
        ]
        keys = [w.quoted(src.names[i]) for i in (*group, *extra_keys)]
        # A global aggregate over empty input gives one row (COUNT = 0, SUM = NULL): Flink's
        # batch answer, and DuckDB's.
        return self.emit(w.select(items, src.cte, group=keys), names, src)

    def _WindowTVF(self, p: n.WindowTVF, order: RowOrder = RowOrder.SORTED) -> Rel:
        src = self.lower(p.input)
        fields = p.input.schema.fields
        names = self.names_of(p)[len(fields) :]
        select = assign_windows(src, p.window, fields, names, self.ctx, self.w, order)
        keys = order_columns(p.window) if order is RowOrder.KEYS else ()
        return self.emit(select, (*self.names_of(p), *keys), src)

    def _WindowAggregate(self, p: n.WindowAggregate) -> Rel:
        # Order-sensitive aggregates take the window's rows in the stream target's order.
        keyed = any(a.name.upper() in ORDER_SENSITIVE for a in p.aggs)
        fast = self._window_aggregate_by_start(p, keyed)
        if fast is not None:
            return fast
        tvf = n.WindowTVF(input=p.input, window=p.window, span=p.span)
        src = self._WindowTVF(tvf, RowOrder.KEYS if keyed else RowOrder.ANY)
        order = row_order(p.window) if keyed else []
        width = len(p.input.schema)
        props = tuple(width + n.WINDOW_PROPERTIES.index(x) for x in p.properties)
        if not {"window_start", "window_end"} <= set(p.properties):
            # Group by both bounds even when not selected.
            inner_names = self.names_of(tvf)
            hidden = tuple(i for i in (width, width + 1) if i not in props)
            props_all = props + hidden
            names = self.names_of(p) + tuple(inner_names[i] + "$hidden" for i in hidden)
            rel = self._group(src, tvf, p.group, p.aggs, names, props_all, order)
            keep = self.names_of(p)
            return self.emit(self.w.select([self.w.quoted(c) for c in keep], rel.cte), keep, rel)
        return self._group(src, tvf, p.group, p.aggs, self.names_of(p), props, order)

    def _window_aggregate_by_start(self, p: n.WindowAggregate, keyed: bool) -> Rel | None:
        """TUMBLE/HOP: group by the window's start in epoch ms (the end is start + size) and
        compute the bounds once per group, not per row."""
        if p.window.kind not in (n.WindowKind.TUMBLE, n.WindowKind.HOP):
            return None
        width = len(p.input.schema)
        for a in p.aggs:
            if any(i >= width for i in a.args) or (a.filter is not None and a.filter >= width):
                return None
        src = self.lower(p.input)
        fields = p.input.schema.fields
        starts = window_starts(src, p.window, fields, self.ctx, self.w, keyed)
        if starts is None:
            return None
        keys = order_columns(p.window) if keyed else ()
        inner = self.emit(starts, (*src.names, "$ws", *keys), src)
        order = row_order(p.window) if keyed else ()
        w = self.w
        cols = inner.cols()
        types = [f.type for f in fields]
        names = self.names_of(p)
        items = [w.column_as(inner.names[g], None, c) for g, c in zip(p.group, names, strict=False)]
        agg_names = names[len(p.group) : len(p.group) + len(p.aggs)]
        constants = literal_columns(p.input, self.ctx)
        for a, c in zip(p.aggs, agg_names, strict=True):
            call = lower_agg(a, cols, types, self.ctx, constants=constants, order=order)
            items.append(w.alias(call, c))
        prop_names = names[len(p.group) + len(p.aggs) :]
        items += window_bounds(p.window, fields[p.window.time_col], p.properties, prop_names, w)
        keys = [w.quoted(inner.names[g]) for g in p.group] + [w.quoted("$ws")]
        return self.emit(w.select(items, inner.cte, group=keys), names, inner)

    def _SetOp(self, p: n.SetOp) -> Rel:
        rels = [self.lower(i) for i in p.inputs]
        names = self.names_of(p)
        selects: list[exp.Expression] = [
            exp.select(
                *[alias(col(c), x) for c, x in zip(r.names, names, strict=True)], copy=False
            ).from_(r.table, copy=False)
            for r in rels
        ]
        cls = {
            n.SetOpKind.UNION: exp.Union,
            n.SetOpKind.INTERSECT: exp.Intersect,
            n.SetOpKind.EXCEPT: exp.Except,
        }[p.kind]
        out = selects[0]
        for s in selects[1:]:
            out = cls(this=out, expression=s, distinct=not p.all)
        wrapped = exp.select(exp.Star(), copy=False).from_(
            exp.Subquery(this=out, alias=exp.TableAlias(this=exp.to_identifier("u"))), copy=False
        )
        return self.emit(wrapped, names, *rels)

    # -- sorting and ranking ------------------------------------------------------------------
    def _Sort(self, p: n.Sort) -> Rel:
        src = self.lower(p.input)
        cols = src.cols()
        select = exp.select(exp.Star(), copy=False).from_(src.table, copy=False)
        if p.keys:
            select = select.order_by(*[ordered(cols[k.index], k) for k in p.keys], copy=False)
        if p.limit is not None:
            select = select.limit(p.limit, copy=False)
        if p.offset:
            select = select.offset(p.offset, copy=False)
        return self.emit(select, src.names, src)

    def _Over(self, p: n.Over, keep_arrival: bool = False) -> Rel:
        """`keep_arrival`: the output keeps "$arr" last, for the Over above (the optimizer
        splits the calls of one SELECT by window into a chain of Over nodes)."""
        from .duckdb_aggs import RANGE_POSITIONS, over_call, range_positions, ties_by_arrival

        # Order-sensitive aggregates break time ties by arrival, as the stream target does:
        # the input's rows numbered in the order they come ("$arr") before a window sorts them
        # (once per chain: an Over's output is in its window's order, no longer arrival's).
        sensitive = any(c.name.upper() in ORDER_SENSITIVE for c in p.calls) and ties_by_arrival(p)
        numbered = keep_arrival or sensitive
        chained = numbered and isinstance(p.input, n.Over)
        src = self._Over(p.input, keep_arrival=True) if chained else self.lower(p.input)
        names = self.names_of(p)
        width = len(p.input.schema)
        cols = src.cols()
        in_types = [f.type for f in p.input.schema.fields]
        w = self.w
        arrival = col(ARRIVAL) if numbered else None
        ranged = sensitive and p.frame.mode.upper() == "RANGE"
        hidden = (ARRIVAL, *(RANGE_POSITIONS if ranged else ()))
        items = [w.star_except(hidden) if numbered else "*"]
        for c, x in zip(p.calls, names[width:], strict=True):
            items.append(w.alias(over_call(c, p, cols, in_types, self.ctx, arrival), x))
        if not numbered:
            return self.emit(w.select(items, src.cte), names, src)
        if keep_arrival:
            items.append(w.quoted(ARRIVAL))
            names = (*names, ARRIVAL)
        source = src.cte if chained else w.subquery(self._numbered(src.cte), "a")
        if ranged:
            assert arrival is not None
            positions = range_positions(p, cols, in_types, arrival)
            ranks = w.select(["*", *[w.alias(e, x) for e, x in positions]], source)
            source = w.subquery(ranks, "r")
        return self.emit(w.select(items, source), names, src)

    def _rank(
        self,
        src: Rel,
        partition: tuple[int, ...],
        order: tuple[n.SortKey, ...],
        fn_name: str,
        lower: int,
        upper: int,
        rank_name: str | None,
        names: tuple[str, ...],
    ) -> Rel:
        w = self.w
        rn = names[-1] if rank_name is not None else "$rn"
        keys = [
            w.ordered(w.quoted(src.names[k.index]), k.descending, k.effective_nulls_first)
            for k in order
        ]
        window = w.window(w.func(fn_name), [w.quoted(src.names[i]) for i in partition], keys)
        inner = w.select(["*", w.named(window, rn)], src.cte)
        cond = f"{w.quoted(rn)} = {lower}"
        if lower != upper:
            cond = f"{w.quoted(rn)} BETWEEN {lower} AND {upper}"
        outer = "*" if rank_name is not None else w.star_except(("$rn",))
        return self.emit(w.select([outer], w.subquery(inner, "t"), cond), names, src)

    def _Rank(self, p: n.Rank) -> Rel:
        src = self.lower(p.input)
        return self._rank(
            src,
            p.partition,
            p.order,
            p.fn.value.lower(),
            p.lower,
            p.upper,
            p.rank_name,
            self.names_of(p),
        )

    def _WindowRank(self, p: n.WindowRank) -> Rel:
        src = self.lower(p.input)
        partition = tuple(dict.fromkeys((*p.partition, *p.window_bounds)))
        return self._rank(
            src,
            partition,
            p.order,
            p.fn.value.lower(),
            p.lower,
            p.upper,
            p.rank_name,
            self.names_of(p),
        )

    def _Deduplicate(self, p: n.Deduplicate) -> Rel:
        # Ties on the time column are broken arbitrarily (streaming keeps arrival order).
        src = self.lower(p.input)
        key = n.SortKey(p.time_col, descending=p.keep_last)
        return self._rank(src, p.keys, (key,), "row_number", 1, 1, p.rank_name, self.names_of(p))

    def _WindowDeduplicate(self, p: n.WindowDeduplicate) -> Rel:
        src = self.lower(p.input)
        key = n.SortKey(p.time_col, descending=p.keep_last)
        partition = tuple(dict.fromkeys((*p.keys, *p.window_bounds)))
        return self._rank(src, partition, (key,), "row_number", 1, 1, None, self.names_of(p))

    def _Sink(self, p: n.Sink) -> Rel:
        src = self.lower(p.input)
        names = self.names_of(p)
        items = [self.w.column_as(c, None, x) for c, x in zip(src.names, names, strict=True)]
        return self.emit(self.w.select(items, src.cte), names, src)
