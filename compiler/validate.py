"""Plan checks Flink performs before it runs a job: what each sink can consume."""

from __future__ import annotations

from .errors import PlanValidationError, UnsupportedError
from .plan import nodes as n
from .plan import traits
from .plan.explain import explain
from .plan.walk import walk

APPEND_ONLY_CONNECTORS = frozenset({"kafka", "filesystem"})
UPSERT_CONNECTORS = frozenset({"upsert-kafka", "jdbc"})


def validate(roots: tuple[n.Plan, ...], target: str = "stream") -> None:
    """`target` is "stream" (the strictest, and the default) or "batch": a bounded run has no
    changelog, so Flink's batch mode accepts updating queries into append-only sinks and OVER
    windows in any order; both are refused for streaming."""
    for root in roots:
        if target == "stream":
            for node in walk(root):
                if isinstance(node, n.Over):
                    _over(node)
        if isinstance(root, n.Sink):
            _sink(root, target)


def _over(over: n.Over) -> None:
    """What Flink's streaming OVER aggregate accepts; nrtg refuses the rest on every target so
    that a job never runs with different semantics on different targets."""
    span = over.calls[0].span if over.calls else over.span
    if not traits.is_insert_only(over.input.changelog):
        raise UnsupportedError(
            "OVER aggregation on an updating input is not supported (Flink refuses it too, "
            f"FLINK-19059); the input produces {traits.render(over.input.changelog)}",
            span,
            hint="aggregate with GROUP BY instead, or make the input insert-only",
        )
    first = over.order[0] if over.order else None
    fields = over.input.schema.fields
    if first is None or fields[first.index].time_attr is None or first.descending:
        raise UnsupportedError(
            "OVER windows in a streaming job must be ordered by a time attribute, ascending",
            span,
            hint="ORDER BY the table's rowtime (the WATERMARK column) or a PROCTIME() column; "
            "ROW_NUMBER() filtered by rn <= N is a Top-N instead",
        )


def _updating_node(plan: n.Plan) -> n.Plan:
    """The deepest node that first produces updates: the one to blame in messages."""
    culprit = plan
    for node in walk(plan):
        if not traits.is_insert_only(node.changelog) and all(
            traits.is_insert_only(c.changelog) for c in node.children
        ):
            return node
    return culprit


def _sink(sink: n.Sink, target: str) -> None:
    connector = sink.option("connector", "") or ""
    fmt = sink.option("format") or sink.option("value.format") or ""
    mode = sink.input.changelog
    changelog_format = fmt in ("debezium-json", "canal-json", "maxwell-json")
    if (
        connector in APPEND_ONLY_CONNECTORS
        and not changelog_format
        and not traits.is_insert_only(mode)
    ):
        culprit = _updating_node(sink.input)
        text = explain(culprit, changelog=True).splitlines()[0].strip()
        raise PlanValidationError(
            f"table sink '{sink.table}' ({connector}) is append-only, but the query produces "
            f"updates {traits.render(mode)} from node {text}",
            culprit.span or sink.span,
            hint="write to an 'upsert-kafka' table with a PRIMARY KEY, use a changelog format "
            "such as 'debezium-json', or make the query insert-only (e.g. a window aggregation)",
        )
    if connector in UPSERT_CONNECTORS and sink.primary_key is None:
        raise PlanValidationError(
            f"table sink '{sink.table}' ({connector}) needs a PRIMARY KEY: upserts are applied by key",
            sink.span,
            hint="declare PRIMARY KEY (...) NOT ENFORCED on the sink table",
        )
