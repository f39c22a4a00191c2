"""Stable text (STYLE.md §4) and DOT for a `JobGraph`.

Text: one operator per line, drawn from the roots down, two spaces per level:

    [7] collect: changelog=[I]
      [6] calc: exprs=[auction, num], changelog=[I,UB,UA,D] <- forward
        [5] join: kind=INNER, ..., state=both inputs' rows by join key <- hash(starttime, endtime)

`[N]` is the operator id (its position in the topological order, deterministic); an operator
reached a second time prints as `ref [N]`. Each line after the root ends with the note of the
edge that feeds its parent. DOT output is for people, never golden-tested.
"""

from __future__ import annotations

from typing import Any

from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan import traits
from nrtg.compiler.plan.explain import _details as node_details
from nrtg.compiler.plan.sql_text import sql

from .graph import JobGraph, OperatorSpec


def _calc_details(spec: OperatorSpec) -> list[str]:
    out: list[str] = []
    for step in spec.params.get("steps", ()):
        names = step.children[0].schema.names
        if isinstance(step, n.Filter):
            out.append(f"where={sql(step.predicate, names)}")
        else:
            out.extend(node_details(step))
    return out


def details(spec: OperatorSpec) -> list[str]:
    """The `key=value` parts of one operator's line, changelog and state included."""
    if spec.kind == "calc":
        parts = _calc_details(spec)
    elif spec.kind == "collect":
        parts = []
    else:
        parts = node_details(spec.node)
    if spec.kind in ("source", "sink") and spec.params.get("connector"):
        parts.append(f"connector={spec.params['connector']}")
    parts.append(f"changelog={traits.render(spec.changelog)}")
    if spec.event_time:
        parts.append("event-time")
    if spec.params.get("proctime"):
        parts.append("processing-time")
    if spec.state:
        parts.append(f"state={spec.state}")
    return parts


def graph_text(graph: JobGraph) -> str:
    lines: list[str] = []
    seen: set[int] = set()

    def emit(op_id: int, depth: int, note: str) -> None:
        indent = "  " * depth
        suffix = f" <- {note}" if note else ""
        if op_id in seen:
            lines.append(f"{indent}ref [{op_id}]{suffix}")
            return
        seen.add(op_id)
        spec = graph.operator(op_id)
        lines.append(f"{indent}[{op_id}] {spec.kind}: {', '.join(details(spec))}{suffix}")
        for edge in spec.inputs:
            emit(edge.source, depth + 1, edge.text())

    for root in graph.roots:
        emit(root, 0, "")
    return "\n".join(lines) + "\n"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def graph_dot(graph: JobGraph) -> str:
    """Graphviz DOT: one box per operator (kind, changelog, state), edges labelled."""
    lines = ["digraph job {", "  rankdir=BT;", '  node [shape=box, fontname="Helvetica"];']
    for spec in graph.operators:
        label = [f"[{spec.id}] {spec.kind}"]
        label.append(f"changelog={traits.render(spec.changelog)}")
        if spec.state:
            label.append(f"state: {spec.state}")
        if spec.event_time:
            label.append("event-time")
        if spec.params.get("proctime"):
            label.append("processing-time")
        text = "\\n".join(_dot_escape(x) for x in label)
        style = ', style="rounded,filled", fillcolor="#e8f0fe"' if spec.state else ""
        lines.append(f'  op{spec.id} [label="{text}"{style}];')
    for spec in graph.operators:
        for edge in spec.inputs:
            lines.append(f'  op{edge.source} -> op{spec.id} [label="{_dot_escape(edge.text())}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_json(graph: JobGraph) -> dict[str, Any]:
    """The job graph as plain data (for `--format json` and tools): operators with their kind,
    details, inputs and edge kinds, schema, changelog, state and event-time flag."""
    return {
        "roots": list(graph.roots),
        "operators": [
            {
                "id": spec.id,
                "kind": spec.kind,
                "details": details(spec),
                "inputs": [
                    {"from": e.source, "edge": e.kind.value, "keys": list(e.key_names)}
                    for e in spec.inputs
                ],
                "schema": str(spec.schema),
                "changelog": traits.render(spec.changelog),
                "state": spec.state,
                "event_time": spec.event_time,
            }
            for spec in graph.operators
        ],
    }


GRAPHVIZ_HINT = "install Graphviz to render SVG (apt-get install graphviz), or use --dot"


def graph_svg(graph: JobGraph, dot_exe: str | None = None) -> bytes:
    """The job graph as SVG, drawn by Graphviz's `dot` (looked up on PATH unless given).
    Raises FileNotFoundError naming the fix when `dot` is missing."""
    import shutil
    import subprocess

    exe = dot_exe or shutil.which("dot")
    if exe is None:
        raise FileNotFoundError(f"Graphviz `dot` is not on PATH: {GRAPHVIZ_HINT}")
    done = subprocess.run(
        [exe, "-Tsvg"], input=graph_dot(graph).encode(), capture_output=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
