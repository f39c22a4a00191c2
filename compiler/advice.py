"""Plan advice (like Flink's EXPLAIN PLAN_ADVICE): state that grows without bound, a missing
watermark, non-deterministic functions that break batch/stream parity."""

from __future__ import annotations

from dataclasses import dataclass

from .plan import nodes as n
from .plan.expr import Expr, is_deterministic
from .plan.walk import walk

TTL_OPTION = "table.exec.state.ttl"


@dataclass(frozen=True)
class Advice:
    kind: str  # unbounded-state, missing-watermark, non-deterministic
    node: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "node": self.node, "message": self.message}

    def __str__(self) -> str:
        return f"advice[{self.kind}] {self.node}: {self.message}"


def _exprs(p: n.Plan) -> list[Expr]:
    match p:
        case n.Project():
            return list(p.exprs)
        case n.Filter():
            return [p.predicate]
        case n.Join() | n.IntervalJoin() | n.TemporalJoin() | n.LookupJoin() | n.WindowJoin():
            return [p.condition]
    return []


def plan_advice(roots: tuple[n.Plan, ...], options: dict[str, str] | None = None) -> list[Advice]:
    options = options or {}
    out: list[Advice] = []
    has_ttl = TTL_OPTION in options
    for root in roots:
        for p in walk(root):
            name = type(p).__name__
            if isinstance(p, n.Join) and not has_ttl:
                out.append(
                    Advice(
                        "unbounded-state",
                        name,
                        "a regular join keeps both inputs in state forever; set 'table.exec.state.ttl' or use an interval/window/temporal join",
                    )
                )
            if isinstance(p, n.Aggregate) and p.group and not has_ttl:
                out.append(
                    Advice(
                        "unbounded-state",
                        name,
                        "a group aggregate keeps one entry per key forever; set 'table.exec.state.ttl' or use a window aggregation",
                    )
                )
            if isinstance(p, n.Rank | n.Deduplicate) and not has_ttl:
                out.append(
                    Advice(
                        "unbounded-state",
                        name,
                        "Top-N/deduplication keeps state per key forever; set 'table.exec.state.ttl'",
                    )
                )
            if isinstance(p, n.LookupJoin):
                out.append(
                    Advice(
                        "non-deterministic",
                        name,
                        "a processing-time lookup join reads the table as of processing time; batch and stream results can differ",
                    )
                )
            for e in _exprs(p):
                if not is_deterministic(e):
                    out.append(
                        Advice(
                            "non-deterministic",
                            name,
                            "the expression uses a non-deterministic function (PROCTIME, NOW, RAND, UUID, ...); batch and stream results can differ",
                        )
                    )
                    break
            if isinstance(p, n.TableScan) and p.option("connector") in ("kafka", "upsert-kafka"):
                out.append(
                    Advice(
                        "missing-watermark",
                        name,
                        f"table {p.table} has no WATERMARK; event-time operators cannot use it",
                    )
                ) if not _has_watermark(root, p) else None
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for a in out:
        key = (a.kind, a.node, a.message)
        if key not in seen:
            seen.add(key)
            unique.append(a)
    return unique


def _has_watermark(root: n.Plan, scan: n.TableScan) -> bool:
    for p in walk(root):
        if isinstance(p, n.AssignWatermark) and any(c is scan for c in walk(p)):
            return True
    return False
