"""What the subtrees of a SELECT hold: aggregate calls, OVER windows, scalar subqueries.

A SELECT asks this of its items, WHERE, HAVING and ORDER BY, and grouped binding asks it again
of every node it meets on the way down to an aggregate; walking the subtree at each question
made binding quadratic in the expression depth. `Contents` walks each tree once and answers
for every node of it from a table.
"""

from __future__ import annotations

from sqlglot import exp

from ..parse.nodes import find_all, operands
from . import functions

# The bits of a subtree's contents.
AGG = 1  # an aggregate call (with its FILTER wrapper) outside OVER windows and subqueries
WINDOW = 2  # an OVER window, anywhere (inside subqueries too)
SCALAR = 4  # a scalar subquery: a Subquery outside Select/Exists that is not IN's query

# Node types that never hold any of these (an Identifier, a number or string, a column).
_LEAVES = frozenset({exp.Identifier, exp.Column, exp.Literal, exp.Boolean, exp.Null})


def is_agg(node: exp.Expression) -> bool:
    if isinstance(node, exp.AggFunc):
        return True
    return isinstance(node, exp.Anonymous) and functions.is_aggregate(node.name)


class Contents:
    """The contents bits of every node asked about and of its descendants. A node's id keys
    its bits, so each tree asked about is kept alive (its ids cannot be reused) as long as
    this table; the trees must not change meanwhile."""

    def __init__(self) -> None:
        self._bits: dict[int, int] = {}
        self._roots: list[exp.Expression] = []

    def of(self, node: exp.Expression) -> int:
        if type(node) in _LEAVES:
            return 0
        bits = self._bits.get(id(node))
        if bits is None:
            self._roots.append(node)
            bits = self._walk(node)
        return bits

    def _walk(self, x: exp.Expression) -> int:
        inner = 0
        for child in operands(x):
            if type(child) not in _LEAVES:
                inner |= self._walk(child)
        if isinstance(x, exp.Window):
            bits = WINDOW | inner & SCALAR
        elif isinstance(x, exp.Subquery):
            parent = x.parent
            in_query = isinstance(parent, exp.In) and parent.args.get("query") is x
            bits = inner & WINDOW | (0 if in_query else SCALAR)
        elif isinstance(x, exp.Select):
            bits = inner & WINDOW
        elif (isinstance(x, exp.Filter) and is_agg(x.this)) or is_agg(x):
            bits = AGG | inner & (WINDOW | SCALAR)
        elif isinstance(x, exp.Exists):
            bits = inner & (AGG | WINDOW)
        else:
            bits = inner
        self._bits[id(x)] = bits
        return bits

    def aggs(self, node: exp.Expression) -> list[exp.Expression]:
        """Aggregate calls (with their FILTER wrapper) outside OVER windows, outermost first."""
        out: list[exp.Expression] = []
        if self.of(node) & AGG:
            self._collect_aggs(node, out)
        return out

    def _collect_aggs(self, x: exp.Expression, out: list[exp.Expression]) -> None:
        # Only subtrees whose AGG bit is set are entered: the bit is clear for a window,
        # a subquery and a SELECT, where the search stops.
        if (isinstance(x, exp.Filter) and is_agg(x.this)) or is_agg(x):
            out.append(x)
            return
        for child in operands(x):
            if type(child) not in _LEAVES and self._bits[id(child)] & AGG:
                self._collect_aggs(child, out)

    def windows(self, node: exp.Expression) -> list[exp.Window]:
        """The OVER windows in `node`, breadth-first."""
        return find_all(node, exp.Window) if self.of(node) & WINDOW else []


def find_aggs(node: exp.Expression) -> list[exp.Expression]:
    """Aggregate calls (with their FILTER wrapper) outside OVER windows, outermost first."""
    return Contents().aggs(node)


def find_windows(node: exp.Expression) -> list[exp.Window]:
    return find_all(node, exp.Window)
