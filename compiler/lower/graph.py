"""The streaming job graph: the runtime's input (STYLE.md §1, `lower/graph.py`).

A `JobGraph` is a DAG of `OperatorSpec`s in topological order (every input precedes its
consumer). Each spec names the operator kind the runtime instantiates
(`runtime/stream/operators/<kind>.py`), the plan node it executes, its inputs as `Edge`s, its
output schema and changelog mode, a one-line description of the state it keeps, and whether it
is driven by event time (fires on watermarks).

Edges are `forward` (same partitioning), `hash(keys)` (rows with equal keys meet in the same
operator instance; keys are ordinals of the upstream output) or `broadcast`. The runtime runs
one instance per operator, so a hash edge is a statement of what the operator is keyed by (and
what a parallel runtime would shuffle on), not a data movement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from nrtg.catalog.schema import Schema
from nrtg.compiler.plan.nodes import Plan
from nrtg.compiler.plan.traits import ChangelogMode


class EdgeKind(Enum):
    FORWARD = "forward"
    HASH = "hash"
    BROADCAST = "broadcast"


@dataclass(frozen=True)
class Edge:
    """One input of an operator: the upstream operator id and how rows travel."""

    source: int
    kind: EdgeKind = EdgeKind.FORWARD
    keys: tuple[int, ...] = ()  # HASH: ordinals of the upstream output
    key_names: tuple[str, ...] = ()

    def text(self) -> str:
        if self.kind is EdgeKind.HASH:
            return f"hash({', '.join(self.key_names)})"
        return self.kind.value


# Operator kinds the runtime implements (one module each in runtime/stream/operators/).
SOURCE_KINDS = frozenset({"source", "values"})
SINK_KINDS = frozenset({"sink", "collect"})


@dataclass(frozen=True, eq=False)
class OperatorSpec:
    """One operator of the job. `node` is the plan node it executes (for `calc`, the top of the
    fused Project/Filter chain; `params["steps"]` holds the chain bottom-up)."""

    id: int
    kind: str
    node: Plan
    inputs: tuple[Edge, ...]
    schema: Schema
    changelog: ChangelogMode
    state: str = ""  # "" = stateless
    event_time: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_source(self) -> bool:
        return not self.inputs

    @property
    def is_sink(self) -> bool:
        return self.kind in SINK_KINDS


@dataclass(frozen=True, eq=False)
class JobGraph:
    """Operators in topological order (ids are their positions) and the ids of the roots:
    one per statement (a `sink` for INSERT INTO, a `collect` for a query)."""

    operators: tuple[OperatorSpec, ...]
    roots: tuple[int, ...]

    def operator(self, op_id: int) -> OperatorSpec:
        return self.operators[op_id]

    def consumers(self, op_id: int) -> tuple[tuple[int, int], ...]:
        """(consumer id, input index) for every edge leaving `op_id`, in id order."""
        out: list[tuple[int, int]] = []
        for spec in self.operators:
            for index, edge in enumerate(spec.inputs):
                if edge.source == op_id:
                    out.append((spec.id, index))
        return tuple(out)

    @property
    def sources(self) -> tuple[OperatorSpec, ...]:
        return tuple(s for s in self.operators if s.is_source)
