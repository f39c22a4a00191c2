"""The optimizer's rules, one module each; RULES is their order (see driver.py).

The driver runs the logical rules to a fixpoint first, then the streaming rules. Event-time
temporal joins (`FOR SYSTEM_TIME AS OF l.rowtime`) and legacy group windows
(`GROUP BY TUMBLE(ts, ...)`, bound as a WindowTVF below an Aggregate) are produced directly by
the binder, so no rule creates a TemporalJoin or rewrites legacy windows; window_aggregate then
turns the legacy form into a WindowAggregate like any window TVF aggregation.
"""

from __future__ import annotations

from ..driver import Rule
from .deduplicate import deduplicate
from .fold_constants import fold_constants
from .interval_join import interval_join
from .merge_filters import merge_filters
from .merge_projects import merge_projects
from .prune_columns import prune_columns
from .push_filter_down import push_filter_down
from .topn import topn
from .window_aggregate import window_aggregate
from .window_deduplicate import window_deduplicate
from .window_join import window_join
from .window_topn import window_topn

RULES: tuple[Rule, ...] = (
    # -- logical: schema and changelog of every root stay exactly the same ------------------
    # Folding first turns `CAST(10 AS BIGINT)` into `10` and drops Filter(TRUE), so pushdown
    # and the rank rules see plain literals.
    fold_constants,
    merge_filters,
    # Pushdown before pruning: a pushed predicate's columns are read lower down, and pruning
    # must see them where they end up. Pushdown leaves Project(Project) pairs (from the
    # binder's Project/Filter/Project sandwiches); merge_projects joins them afterwards.
    push_filter_down,
    merge_projects,
    prune_columns,
    # -- streaming: operators are chosen; names and types stay, changelogs may improve -------
    # window_aggregate, then window_join: both make window sources (a WindowAggregate, a
    # WindowJoin) that the rank rules below look for; window_join also needs window_aggregate's
    # result for Nexmark q8. Were topn to run first, it would turn a window Top-N over a
    # not-yet-recognised window join into a plain Rank.
    window_aggregate,
    window_join,
    # interval_join before the rank rules too: an IntervalJoin keeps both rowtime attributes
    # (a regular Join drops them), so ROW_NUMBER() over its output ordered by a rowtime is a
    # Deduplicate rather than a Rank.
    interval_join,
    # The window variants before the plain ones: both match Filter(rn ...) over Over, and a
    # window partition should become a WindowRank / WindowDeduplicate, not a Rank.
    window_deduplicate,
    window_topn,
    # deduplicate before topn: ROW_NUMBER() = 1 by a time attribute is a Deduplicate, which
    # topn would otherwise turn into a Rank.
    deduplicate,
    topn,
)
