"""join: the regular (unbounded-state) join, INNER/LEFT/RIGHT/FULL/SEMI/ANTI, over changelogs.

Each input's rows live in an Arrow-backed `RowStore` with a key index (`KeyedRows`): every
inserted row is its own stored row (duplicates too), with, on an outer side (and SEMI/ANTI's
left), the number of rows of the other side it currently matches. A batch is processed as a
whole: inserts are stored, each retraction removes the earliest stored row equal to it that
arrived before it, and every row meets the other side's rows under its key through one
vectorized lookup. The residual condition (what is not `left.k = right.k`) is evaluated by
DuckDB over the candidate pairs of a batch (calc's expression lowering), built by Arrow `take`s.
An outer row without matches is emitted NULL-padded and retracted when its first match arrives
(and re-emitted when its last match goes away); match counts move in batch order, so the output
is what row-at-a-time processing gives. Rows whose key holds a NULL never match and are not
kept. Output kinds are +I and -D.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, Expr, and_, conjuncts

from ..api import OP_COLUMN, Output
from ._arrow_eval import CalcProgram, filter_program
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program
from ._keyed import KeyedRows
from ._keys import KeyCoder
from ._rows import DELETE, INSERT, arrow_schema, retractions
from ._rowstore import RowStore

MATCHES = "matches"


def residual(
    condition: Expr, lk: tuple[int, ...], rk: tuple[int, ...], n_left: int, null_safe: bool = False
) -> Expr:
    """The condition without the key equalities (`IS NOT DISTINCT FROM` ones for null-safe
    keys)."""
    used = set()
    for a, b in zip(lk, rk, strict=True):
        used.add((a, b + n_left))
    equality = "IS_NOT_DISTINCT_FROM" if null_safe else "EQUALS"
    rest = []
    for c in conjuncts(condition):
        if isinstance(c, Call) and c.name == equality and len(c.args) == 2:
            refs = tuple(getattr(x, "index", -1) for x in c.args)
            if refs in used or refs[::-1] in used:
                continue
        rest.append(c)
    return and_(*rest)


def pair_batch(left: pa.RecordBatch, right: pa.RecordBatch) -> pa.RecordBatch:
    """Left and right columns side by side (names p0..pN), for a residual Program."""
    cols = list(left.columns) + list(right.columns)
    return pa.RecordBatch.from_arrays(cols, names=[f"p{i}" for i in range(len(cols))])


def kept_pairs(program: Program | CalcProgram, pairs: pa.RecordBatch) -> np.ndarray:
    """Indices of the pairs the residual condition keeps."""
    marked = pairs.append_column("_split", pa.array(np.arange(pairs.num_rows)))
    return np.asarray(program.run(marked).column("_split").to_numpy(), dtype=np.int64)


def transitions(
    rows: np.ndarray, ids: np.ndarray, signs: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (batch row, stored id) move the stored rows' match `counts` by `signs` (+1/-1), in
    batch order; per pair whether it took its row's count from 0 (`up`) or to 0 (`down`).
    `counts` is updated in place."""
    order = np.lexsort((rows, ids))
    sid, sgn = ids[order], signs[order]
    heads = np.r_[True, sid[1:] != sid[:-1]]
    run = np.cumsum(sgn)
    base = np.maximum.accumulate(np.where(heads, np.arange(len(sid)), 0))
    run_before = run - sgn - np.where(base > 0, run[base - 1], 0)
    before = counts[sid] + run_before
    after = before + sgn
    up = np.zeros(len(ids), dtype=np.bool_)
    down = np.zeros(len(ids), dtype=np.bool_)
    up[order] = (before <= 0) & (after > 0)
    down[order] = (before > 0) & (after <= 0)
    np.add.at(counts, ids, signs)
    return up, down


class Join(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Join)
        self.kind = node.kind
        self.keys = (spec.params["left_keys"], spec.params["right_keys"])
        # null-safe keys (INTERSECT, EXCEPT): a NULL key is a value like any other
        self.null_safe = bool(spec.params.get("null_safe", False))
        self.widths = (len(node.left.schema), len(node.right.schema))
        cond = residual(node.condition, *self.keys, self.widths[0], self.null_safe)
        self.program = filter_program(cond, sum(self.widths), env)
        self.outer = (
            self.kind in (n.JoinKind.LEFT, n.JoinKind.FULL),
            self.kind in (n.JoinKind.RIGHT, n.JoinKind.FULL),
        )
        self.semi = self.kind in (n.JoinKind.SEMI, n.JoinKind.ANTI)
        schemas = (arrow_schema(node.left.schema), arrow_schema(node.right.schema))
        coder = KeyCoder(*[[schemas[s].field(i).type for i in self.keys[s]] for s in (0, 1)])
        # match counts: an outer side's padding follows them, and so does SEMI/ANTI's left
        counted = (self.outer[0] or self.semi, self.outer[1])
        self.sides = tuple(
            KeyedRows(
                RowStore(schemas[s], (MATCHES,) if counted[s] else ()),
                coder,
                self.keys[s],
                nulls=self.null_safe,
            )
            for s in (0, 1)
        )

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        side = input_index
        me, other = self.sides[side], self.sides[1 - side]
        data = pa.RecordBatch.from_arrays(
            batch.columns[: self.widths[side]], schema=me.store.schema
        )
        retract = retractions(batch)
        columns, codes, nulls = me.keys(data)
        if self.null_safe:
            nulls = np.zeros_like(nulls)
        # store the inserts first; a retraction may take back a row inserted before it
        ins = np.flatnonzero(~retract & ~nulls)
        first = me.append(data, ins, codes, nulls)
        entry = np.full(data.num_rows, -1, dtype=np.int64)
        entry[ins] = np.arange(first, first + len(ins))
        ret = np.flatnonzero(retract & ~nulls)
        if len(ret):
            limits = first + np.searchsorted(ins, ret)
            entry[ret] = me.retract(data, ret, codes, columns, limits)
        active = np.flatnonzero(entry >= 0)
        probe, theirs = other.find(codes[active], [c.take(pa.array(active)) for c in columns])
        mine = active[probe]
        if self.program is not None and len(mine):
            pairs = self._pairs(side, data.take(pa.array(mine)), other.store.take(theirs))
            keep = np.zeros(len(mine), dtype=np.bool_)
            keep[kept_pairs(self.program, pairs)] = True
            mine, theirs = mine[keep], theirs[keep]
        out = self._events(side, data, retract, nulls, entry, mine, theirs)
        me.maybe_compact()
        return self.emit(out)

    def _pairs(self, side: int, mine: pa.RecordBatch, theirs: pa.RecordBatch) -> pa.RecordBatch:
        return pair_batch(mine, theirs) if side == 0 else pair_batch(theirs, mine)

    def _events(
        self,
        side: int,
        data: pa.RecordBatch,
        retract: np.ndarray,
        nulls: np.ndarray,
        entry: np.ndarray,
        mine: np.ndarray,
        theirs: np.ndarray,
    ) -> list[pa.RecordBatch]:
        """The output of a batch: per input row (in order) its joined rows, then the changes of
        the other side's padding (or SEMI/ANTI rows) its matches cause, then its own padding."""
        me, other = self.sides[side], self.sides[1 - side]
        n_rows = data.num_rows
        sign_op = np.where(retract, DELETE, INSERT).astype(np.int8)
        matched = np.bincount(mine, minlength=n_rows)
        if MATCHES in me.store.aux:
            fresh = np.flatnonzero((entry >= 0) & ~retract)
            me.store.aux[MATCHES][entry[fresh]] = matched[fresh]
        n_pairs = len(mine)
        seq = np.arange(n_pairs, dtype=np.int64)
        parts: list[tuple[np.ndarray, ...]] = []  # (row, order, mine, theirs, op)
        if not self.semi:
            parts.append((mine, 2 * seq, mine, theirs, sign_op[mine]))
        if MATCHES in other.store.aux and n_pairs:
            signs = np.where(retract[mine], -1, 1)
            up, down = transitions(mine, theirs, signs, other.store.aux[MATCHES])
            if self.semi:
                rise, fall = (INSERT, DELETE) if self.kind is n.JoinKind.SEMI else (DELETE, INSERT)
            else:
                rise, fall = DELETE, INSERT  # padding leaves on the first match
            for flag, op in ((up, rise), (down, fall)):
                at = np.flatnonzero(flag)
                parts.append(
                    (
                        mine[at],
                        2 * at + 1,
                        np.full(len(at), -1, dtype=np.int64),
                        theirs[at],
                        np.full(len(at), op, dtype=np.int8),
                    )
                )
        alone = self._alone(side, retract, nulls, entry, matched)
        if len(alone):
            parts.append(
                (
                    alone,
                    np.full(len(alone), 2 * n_pairs, dtype=np.int64),
                    alone,
                    np.full(len(alone), -1, dtype=np.int64),
                    sign_op[alone],
                )
            )
        if not parts:
            return []
        row, order, a, b, ops = (np.concatenate(c) for c in zip(*parts, strict=True))
        if not len(row):
            return []
        by = np.lexsort((order, row))
        return self._output(side, data, a[by], b[by], ops[by])

    def _alone(
        self,
        side: int,
        retract: np.ndarray,
        nulls: np.ndarray,
        entry: np.ndarray,
        matched: np.ndarray,
    ) -> np.ndarray:
        """Input rows emitted by themselves: an outer row without matches (NULL-padded), a
        SEMI/ANTI left row whose stored match count says it is in."""
        if self.semi:
            if side == 1:
                return np.zeros(0, dtype=np.int64)
            counts = np.zeros(len(entry), dtype=np.int64)
            has = entry >= 0
            counts[has] = self.sides[0].store.aux[MATCHES][entry[has]]
            present = nulls | has
            inside = (counts > 0) == (self.kind is n.JoinKind.SEMI)
            return np.flatnonzero(present & inside)
        if not self.outer[side]:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(nulls | ((entry >= 0) & (matched == 0)))

    def _output(
        self, side: int, data: pa.RecordBatch, mine: np.ndarray, theirs: np.ndarray, ops: np.ndarray
    ) -> list[pa.RecordBatch]:
        """Joined rows: input row `mine[j]` (-1: NULLs) beside the other side's stored row
        `theirs[j]` (-1: NULLs), with kinds `ops`."""
        a = data.take(pa.array(np.maximum(mine, 0), mask=mine < 0))
        b = self.sides[1 - side].store.take(theirs)
        left, right = (a, b) if side == 0 else (b, a)
        cols = list(left.columns) + ([] if self.semi else list(right.columns))
        cols.append(pa.array(ops, type=pa.int8()))
        return [pa.RecordBatch.from_arrays(cols, names=[*self.out_schema.names, OP_COLUMN])]

    # -- state ------------------------------------------------------------------------------
    def state_rows(self) -> int:
        return sum(s.store.live for s in self.sides)

    def state_bytes(self) -> int:
        return sum(s.nbytes for s in self.sides)

    def state_arrow_bytes(self) -> int:
        return sum(s.store.live_arrow_bytes() for s in self.sides)

    def snapshot(self) -> Any:
        return {"sides": [s.snapshot() for s in self.sides]}

    def restore(self, state: Any) -> None:
        for s, saved in zip(self.sides, state["sides"], strict=True):
            s.restore(saved)
