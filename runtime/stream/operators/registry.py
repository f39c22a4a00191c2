"""Operator kind (compiler/lower/graph.py) -> runtime implementation."""

from __future__ import annotations

from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.lower.graph import OperatorSpec

from ..api import Operator
from ._duck import DEFAULT_ENV, Env


def make_operator(spec: OperatorSpec, env: Env = DEFAULT_ENV) -> Operator:
    kind = spec.kind
    if kind == "calc":
        from .calc import Calc

        return Calc(spec, env)
    if kind == "watermark_assigner":
        from .watermark_assigner import WatermarkAssigner

        return WatermarkAssigner(spec, env)
    if kind == "window_tvf":
        from .window_tvf import WindowTVF

        return WindowTVF(spec)
    if kind == "window_agg":
        from .window_agg import WindowAgg

        return WindowAgg(spec, env)
    if kind == "group_agg":
        from .group_agg import GroupAgg

        return GroupAgg(spec)
    if kind == "join":
        from .join import Join

        return Join(spec, env)
    if kind == "temporal_join":
        from .temporal_join import TemporalJoin

        return TemporalJoin(spec, env)
    if kind == "lookup_join":
        from .lookup_join import LookupJoin

        return LookupJoin(spec, env)
    if kind == "over_agg":
        from .over_agg import OverAgg

        return OverAgg(spec)
    if kind == "union":
        from .union import Union

        return Union(spec)
    if kind == "unnest":
        from .unnest import Unnest

        return Unnest(spec, env)
    if kind == "rank":
        from .rank import Rank

        return Rank(spec)
    if kind == "temporal_sort":
        from .temporal_sort import TemporalSort

        return TemporalSort(spec)
    if kind == "deduplicate":
        from .deduplicate import Deduplicate

        return Deduplicate(spec)
    if kind == "window_join":
        from .window_join import WindowJoin

        return WindowJoin(spec, env)
    if kind == "interval_join":
        from .interval_join import IntervalJoin

        return IntervalJoin(spec, env)
    if kind == "window_rank":
        from .window_rank import WindowRank

        return WindowRank(spec)
    if kind == "window_dedup":
        from .window_rank import WindowDedup

        return WindowDedup(spec)
    raise UnsupportedError(f"the stream runtime has no operator {kind!r}")
