"""join: the regular (unbounded-state) join, INNER/LEFT/RIGHT/FULL, over changelogs.

Both inputs' rows are kept per equi-join key, each with its multiplicity and, for a preserved
(outer) side, the number of rows of the other side it currently matches. The residual
condition (what is not `left.k = right.k`) is evaluated by DuckDB over the candidate pairs of a
batch (calc's expression lowering). An outer row without matches is emitted NULL-padded and
retracted when its first match arrives (and re-emitted when its last match goes away).
Output kinds are +I and -D."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan import traits
from nrtg.compiler.plan.expr import TRUE, Call, Expr, and_, conjuncts

from ..api import OP_COLUMN, Output
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program
from ._rows import DELETE, INSERT, Row, arrow_schema, hashable, is_retract, rows_of, to_batch

Key = tuple[Any, ...]


def residual(condition: Expr, lk: tuple[int, ...], rk: tuple[int, ...], n_left: int) -> Expr:
    used = set()
    for a, b in zip(lk, rk, strict=True):
        used.add((a, b + n_left))
    rest = []
    for c in conjuncts(condition):
        if isinstance(c, Call) and c.name == "EQUALS" and len(c.args) == 2:
            refs = tuple(getattr(x, "index", -1) for x in c.args)
            if refs in used or refs[::-1] in used:
                continue
        rest.append(c)
    return and_(*rest)


class Join(BaseOperator):
    def __init__(self, spec: OperatorSpec, env: Env = DEFAULT_ENV) -> None:
        super().__init__(spec)
        node = spec.node
        assert isinstance(node, n.Join)
        self.kind = node.kind
        self.keys = (spec.params["left_keys"], spec.params["right_keys"])
        self.widths = (len(node.left.schema), len(node.right.schema))
        cond = residual(node.condition, self.keys[0], self.keys[1], self.widths[0])
        self.program: Program | None = None
        if cond != TRUE:
            self.program = Program(sum(self.widths), [("filter", cond)], env)
            self.pair_schema = pa.schema(
                list(arrow_schema(node.left.schema)) + list(arrow_schema(node.right.schema))
            )
            self.pair_schema = pa.schema(
                [pa.field(f"p{i}", f.type) for i, f in enumerate(self.pair_schema)]
            )
        self.seq = 0
        # Sides whose plan input is insert-only: rows are never looked up for retraction.
        self.append_only = (
            traits.is_insert_only(node.left.changelog),
            traits.is_insert_only(node.right.changelog),
        )
        self.outer = (
            self.kind in (n.JoinKind.LEFT, n.JoinKind.FULL),
            self.kind in (n.JoinKind.RIGHT, n.JoinKind.FULL),
        )
        # per side: key -> {row: [row, multiplicity, matches]}
        self.state: tuple[dict[Key, dict[Row, list[Any]]], dict[Key, dict[Row, list[Any]]]] = (
            {},
            {},
        )

    def _matches(self, side: int, rows: list[Row], keys: list[Key]) -> list[list[list[Any]]]:
        """For each incoming row, the other side's entries it joins with."""
        other = self.state[1 - side]
        cands = [list(other[k].values()) if None not in k and k in other else [] for k in keys]
        if self.program is None:
            return cands
        pairs: list[Row] = []
        for row, entries in zip(rows, cands, strict=True):
            for e in entries:
                pairs.append(row + e[0] if side == 0 else e[0] + row)
        if not pairs:
            return cands
        batch = to_batch(self.pair_schema, pairs)
        marker = pa.array(range(len(pairs)), type=pa.int64())
        batch = batch.append_column("_split", marker)
        kept = set(self.program.run(batch).column("_split").to_pylist())
        out: list[list[list[Any]]] = []
        i = 0
        for entries in cands:
            sel = []
            for e in entries:
                if i in kept:
                    sel.append(e)
                i += 1
            out.append(sel)
        return out

    def _pad(self, side: int, row: Row) -> Row:
        nulls = (None,) * self.widths[1 - side]
        return row + nulls if side == 0 else nulls + row

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        side = input_index
        ops, rows = rows_of(batch)
        key_idx = self.keys[side]
        keys = [tuple(r[i] for i in key_idx) for r in rows]
        matches = self._matches(side, rows, keys)
        if self.kind in (n.JoinKind.SEMI, n.JoinKind.ANTI):
            return self._semi(side, ops, rows, keys, matches)
        mine = self.state[side]
        out_rows: list[Row] = []
        out_ops: list[int] = []
        outer_me, outer_other = self.outer[side], self.outer[1 - side]
        if self.append_only[side] and not outer_other and OP_COLUMN not in batch.schema.names:
            return self._append(side, rows, keys, matches)
        for op, row, key, found in zip(ops, rows, keys, matches, strict=True):
            retract = is_retract(op)
            bucket = mine.setdefault(key, {})
            frozen = hashable(row)
            entry = bucket.get(frozen)
            if retract:
                if entry is None:
                    continue
                entry[1] -= 1
                if entry[1] == 0:
                    del bucket[frozen]
                    if not bucket:
                        del mine[key]
            elif entry is None:
                entry = bucket[frozen] = [row, 1, 0]
            else:
                entry[1] += 1
            sign_op = DELETE if retract else INSERT
            matched = 0
            for e in found:
                joined = row + e[0] if side == 0 else e[0] + row
                for _ in range(e[1]):
                    out_rows.append(joined)
                    out_ops.append(sign_op)
                matched += e[1]
                if outer_other:
                    if not retract:
                        if e[2] == 0:
                            out_rows += [self._pad(1 - side, e[0])] * e[1]
                            out_ops += [DELETE] * e[1]
                        e[2] += 1
                    else:
                        e[2] -= 1
                        if e[2] == 0:
                            out_rows += [self._pad(1 - side, e[0])] * e[1]
                            out_ops += [INSERT] * e[1]
            if not retract:
                entry[2] = matched
            if outer_me and matched == 0:
                out_rows.append(self._pad(side, row))
                out_ops.append(sign_op)
        batches = [to_batch(self.out_schema, out_rows, out_ops)] if out_rows else []
        return self.emit(batches)

    def _append(
        self, side: int, rows: list[Row], keys: list[Key], matches: list[list[list[Any]]]
    ) -> Output:
        """Insert-only input whose rows are never retracted: entries keyed by arrival number
        (no hashing of rows), matches emitted as +I."""
        mine = self.state[side]
        out_rows: list[Row] = []
        outer_me = self.outer[side]
        seq = self.seq
        for row, key, found in zip(rows, keys, matches, strict=True):
            bucket = mine.get(key)
            if bucket is None:
                bucket = mine[key] = {}
            matched = 0
            for e in found:
                joined = row + e[0] if side == 0 else e[0] + row
                out_rows += [joined] * e[1]
                matched += e[1]
            bucket[seq] = [row, 1, matched]
            seq += 1
            if outer_me and matched == 0:
                out_rows.append(self._pad(side, row))
        self.seq = seq
        if not out_rows:
            return self.emit([])
        return self.emit([to_batch(self.out_schema, out_rows, [INSERT] * len(out_rows))])

    def _semi(
        self,
        side: int,
        ops: list[int],
        rows: list[Row],
        keys: list[Key],
        matches: list[list[list[Any]]],
    ) -> Output:
        """SEMI/ANTI: a left row is out while it has (SEMI) or has no (ANTI) match; each entry
        counts its current matches, so right-side changes flip left rows in and out."""
        semi = self.kind is n.JoinKind.SEMI
        out_rows: list[Row] = []
        out_ops: list[int] = []
        mine = self.state[side]
        for op, row, key, found in zip(ops, rows, keys, matches, strict=True):
            retract = is_retract(op)
            bucket = mine.setdefault(key, {})
            frozen = hashable(row)
            entry = bucket.get(frozen)
            if side == 0:
                count = sum(e[1] for e in found)
                if retract:
                    if entry is None:
                        continue
                    entry[1] -= 1
                    if entry[1] == 0:
                        del bucket[frozen]
                else:
                    if entry is None:
                        entry = bucket[frozen] = [row, 0, count]
                    entry[1] += 1
                if (entry[2] > 0) == semi:
                    out_rows.append(row)
                    out_ops.append(DELETE if retract else INSERT)
                if not bucket:
                    del mine[key]
                continue
            if retract:
                if entry is None:
                    continue
                entry[1] -= 1
                if entry[1] == 0:
                    del bucket[frozen]
            elif entry is None:
                entry = bucket[frozen] = [row, 1, 0]
            else:
                entry[1] += 1
            if not bucket:
                del mine[key]
            for e in found:
                before = e[2]
                e[2] += -1 if retract else 1
                if (before > 0) != (e[2] > 0):
                    now_in = (e[2] > 0) == semi
                    out_rows += [e[0]] * e[1]
                    out_ops += [INSERT if now_in else DELETE] * e[1]
        batches = [to_batch(self.out_schema, out_rows, out_ops)] if out_rows else []
        return self.emit(batches)

    def state_rows(self) -> int:
        return sum(len(b) for s in self.state for b in s.values())

    def snapshot(self) -> Any:
        return {"state": self.state, "seq": self.seq}

    def restore(self, state: Any) -> None:
        self.state = state["state"]
        self.seq = state["seq"]
