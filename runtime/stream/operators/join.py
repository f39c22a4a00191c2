"""join: the regular (unbounded-state) join, INNER/LEFT/RIGHT/FULL/SEMI/ANTI, over changelogs.

Each input's rows live in an Arrow-backed `RowStore` (one stored row per distinct row, with its
multiplicity, the number of rows of the other side it currently matches, and its hash for
finding it again on retraction) and a key -> ids index. The residual condition (what is not
`left.k = right.k`) is evaluated by DuckDB over the candidate pairs of a batch (calc's
expression lowering), built by Arrow `take`s. An outer row without matches is emitted
NULL-padded and retracted when its first match arrives (and re-emitted when its last match goes
away). Rows whose key holds a NULL never match and are not kept. Output kinds are +I and -D.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from nrtg.compiler.lower.graph import OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan import traits
from nrtg.compiler.plan.expr import TRUE, Call, Expr, and_, conjuncts

from ..api import OP_COLUMN, Output
from ._base import BaseOperator
from ._duck import DEFAULT_ENV, Env, Program
from ._rows import DELETE, INSERT, arrow_schema, hashable, is_retract, ops_of, rows_of
from ._rowstore import KeyIndex, RowStore, keys_of, null_key
from ._sizing import deep_size

MULT, MATCHES, HASH = "mult", "matches", "hash"


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


def pair_batch(left: pa.RecordBatch, right: pa.RecordBatch) -> pa.RecordBatch:
    """Left and right columns side by side (names p0..pN), for a residual Program."""
    cols = list(left.columns) + list(right.columns)
    return pa.RecordBatch.from_arrays(cols, names=[f"p{i}" for i in range(len(cols))])


def kept_pairs(program: Program, pairs: pa.RecordBatch) -> np.ndarray:
    """Indices of the pairs the residual condition keeps."""
    marked = pairs.append_column("_split", pa.array(np.arange(pairs.num_rows)))
    return np.asarray(program.run(marked).column("_split").to_numpy(), dtype=np.int64)


class _Side:
    """One input's rows. An insert-only input (never retracted) keeps no multiplicity or hash
    per row (each row is its own entry), and match counts only when it is an outer side."""

    def __init__(self, schema: pa.Schema, append_only: bool, outer: bool) -> None:
        aux = ((MATCHES,) if outer else ()) if append_only else (MULT, MATCHES, HASH)
        self.store = RowStore(schema, aux)
        self.index = KeyIndex()

    def upgrade(self) -> None:
        """A retraction reached a compact side (its plan input claimed insert-only): give every
        stored row a multiplicity of 1, a hash and a match count."""
        store = self.store
        ids = store.live_ids()
        hashes = np.zeros(store.size, dtype=np.int64)
        for rid, row in zip(ids.tolist(), store.rows(ids), strict=True):
            hashes[rid] = hash(hashable(row))
        store.add_aux(MULT, np.ones(store.size, dtype=np.int64))
        store.add_aux(HASH, hashes)
        if MATCHES not in store.aux:
            store.add_aux(MATCHES)

    def mult(self, ids: np.ndarray) -> np.ndarray:
        col = self.store.aux.get(MULT)
        return np.ones(len(ids), dtype=np.int64) if col is None else col[ids]

    def find(self, key: Any, h: int, row: tuple[Any, ...]) -> int | None:
        """The stored id of a row equal to `row` under `key`, if any."""
        ids = self.index.get(key)
        if not len(ids):
            return None
        same = ids[self.store.aux[HASH][ids] == h]
        if len(same) <= 1:
            return int(same[0]) if len(same) else None
        for rid, stored in zip(same, self.store.rows(same), strict=True):
            if hashable(stored) == hashable(row):
                return int(rid)
        return None

    def maybe_compact(self) -> None:
        if self.store.should_compact():
            self.index.remap(self.store.compact())


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
        # Sides whose plan input is insert-only: rows are never looked up for retraction.
        self.append_only = (
            traits.is_insert_only(node.left.changelog),
            traits.is_insert_only(node.right.changelog),
        )
        self.outer = (
            self.kind in (n.JoinKind.LEFT, n.JoinKind.FULL),
            self.kind in (n.JoinKind.RIGHT, n.JoinKind.FULL),
        )
        self.semi = self.kind in (n.JoinKind.SEMI, n.JoinKind.ANTI)
        # A side is kept compactly (no per-row multiplicity or hash) when its rows are only
        # ever appended: insert-only, and no outer other side whose padding it could retract.
        self.compact = tuple(
            self.append_only[s] and not self.outer[1 - s] and not self.semi for s in (0, 1)
        )
        self.sides = (
            _Side(arrow_schema(node.left.schema), self.compact[0], self.outer[0]),
            _Side(arrow_schema(node.right.schema), self.compact[1], self.outer[1]),
        )

    # -- matching ---------------------------------------------------------------------------
    def _matches(self, side: int, data: pa.RecordBatch, keys: list[Any]) -> list[np.ndarray]:
        """For each incoming row, the other side's ids it joins with."""
        other = self.sides[1 - side]
        none = np.zeros(0, dtype=np.int64)
        found = [none if null_key(k) else other.index.get(k) for k in keys]
        if self.program is None:
            return found
        counts = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
        if not counts.sum():
            return found
        rows = np.repeat(np.arange(len(found)), counts)
        ids = np.concatenate(found)
        mine = data.take(pa.array(rows))
        theirs = other.store.take(ids)
        pairs = pair_batch(mine, theirs) if side == 0 else pair_batch(theirs, mine)
        keep = np.zeros(len(ids), dtype=np.bool_)
        keep[kept_pairs(self.program, pairs)] = True
        bounds = np.cumsum(counts)[:-1]
        return [f[k] for f, k in zip(found, np.split(keep, bounds), strict=True)]

    # -- output -----------------------------------------------------------------------------
    def _output(
        self, side: int, data: pa.RecordBatch, mine: list[int], theirs: list[int], ops: list[int]
    ) -> list[pa.RecordBatch]:
        """Joined rows: incoming row `mine[j]` (-1: NULLs) beside the other side's stored row
        `theirs[j]` (-1: NULLs), with kinds `ops`."""
        if not ops:
            return []
        m = np.asarray(mine, dtype=np.int64)
        a = data.take(pa.array(np.maximum(m, 0), mask=m < 0))
        b = self.sides[1 - side].store.take(theirs)
        left, right = (a, b) if side == 0 else (b, a)
        cols = list(left.columns) + ([] if self.semi else list(right.columns))
        cols.append(pa.array(ops, type=pa.int8()))
        return [pa.RecordBatch.from_arrays(cols, names=[*self.out_schema.names, OP_COLUMN])]

    def process(self, batch: pa.RecordBatch, input_index: int) -> Output:
        self.records_in += batch.num_rows
        side = input_index
        me = self.sides[side]
        data = pa.RecordBatch.from_arrays(
            batch.columns[: self.widths[side]], schema=me.store.schema
        )
        keys = keys_of(data, self.keys[side])
        matches = self._matches(side, data, keys)
        if self.semi:
            out = self._semi(side, batch, data, keys, matches)
        elif (
            self.append_only[side]
            and not self.outer[1 - side]
            and OP_COLUMN not in batch.schema.names
        ):
            out = self._append(side, data, keys, matches)
        else:
            if self.compact[side]:
                me.upgrade()
                self.compact = (False, self.compact[1]) if side == 0 else (self.compact[0], False)
            out = self._changes(side, batch, data, keys, matches)
        me.maybe_compact()
        return self.emit(out)

    def _append(
        self, side: int, data: pa.RecordBatch, keys: list[Any], matches: list[np.ndarray]
    ) -> list[pa.RecordBatch]:
        """Insert-only input whose rows are never retracted: appended as they come (no row
        hashing), matches emitted as +I."""
        me, other = self.sides[side], self.sides[1 - side]
        keep = [i for i, k in enumerate(keys) if not null_key(k)]
        first = me.store.append(data, keep) if keep else 0
        mine: list[int] = []
        theirs: list[int] = []
        outer_me = self.outer[side]
        matched = np.zeros(len(keys), dtype=np.int64)
        for i, found in enumerate(matches):
            if not len(found):
                if outer_me:
                    mine.append(i)
                    theirs.append(-1)
                continue
            reps = other.mult(found)
            matched[i] = int(reps.sum())
            mine += [i] * int(matched[i])
            theirs += np.repeat(found, reps).tolist()
        ids = np.arange(first, first + len(keep))
        if MATCHES in me.store.aux:
            me.store.aux[MATCHES][ids] = matched[keep]
        for rid, i in zip(ids.tolist(), keep, strict=True):
            me.index.add(keys[i], rid)
        return self._output(side, data, mine, theirs, [INSERT] * len(mine))

    def _stored_ids(
        self, side: int, ops: list[int], keys: list[Any], data: pa.RecordBatch
    ) -> dict[int, int]:
        """Append every inserted row with a non-NULL key up front: batch row -> new id (a
        duplicate of a stored row is released again right away)."""
        ins = [
            i
            for i, (op, k) in enumerate(zip(ops, keys, strict=True))
            if not is_retract(op) and not null_key(k)
        ]
        if not ins:
            return {}
        first = self.sides[side].store.append(data, ins)
        return {i: first + j for j, i in enumerate(ins)}

    def _enter(
        self, me: _Side, key: Any, row: tuple[Any, ...], new_id: int, retract: bool
    ) -> int | None:
        """Count one row in (or out of) state; its id, None for a retraction of nothing."""
        h = hash(hashable(row))
        aux = me.store.aux
        found = me.find(key, h, row)
        if retract:
            if found is None:
                return None
            aux[MULT][found] -= 1
            if aux[MULT][found] == 0:
                me.store.release([found])
                me.index.remove(key, found)
            return found
        if found is not None:
            aux[MULT][found] += 1
            me.store.release([new_id])
            return found
        aux[MULT][new_id], aux[MATCHES][new_id], aux[HASH][new_id] = 1, 0, h
        me.index.add(key, new_id)
        return new_id

    def _changes(
        self,
        side: int,
        batch: pa.RecordBatch,
        data: pa.RecordBatch,
        keys: list[Any],
        matches: list[np.ndarray],
    ) -> list[pa.RecordBatch]:
        me, other = self.sides[side], self.sides[1 - side]
        ops, rows = rows_of(data.append_column(OP_COLUMN, pa.array(ops_of(batch), pa.int8())))
        new_ids = self._stored_ids(side, ops, keys, data)
        omult, omatch = other.store.aux.get(MULT), other.store.aux.get(MATCHES)
        outer_me, outer_other = self.outer[side], self.outer[1 - side]
        mine: list[int] = []
        theirs: list[int] = []
        out_ops: list[int] = []
        for i, (op, row, key, found) in enumerate(zip(ops, rows, keys, matches, strict=True)):
            retract = is_retract(op)
            sign_op = DELETE if retract else INSERT
            if null_key(key):
                if outer_me:
                    mine.append(i)
                    theirs.append(-1)
                    out_ops.append(sign_op)
                continue
            entry = self._enter(me, key, row, new_ids.get(i, -1), retract)
            if entry is None:
                continue
            matched = 0
            for oid in found.tolist():
                reps = 1 if omult is None else int(omult[oid])
                mine += [i] * reps
                theirs += [oid] * reps
                out_ops += [sign_op] * reps
                matched += reps
                if outer_other and omatch is not None:
                    if not retract:
                        if omatch[oid] == 0:
                            mine += [-1] * reps
                            theirs += [oid] * reps
                            out_ops += [DELETE] * reps
                        omatch[oid] += 1
                    else:
                        omatch[oid] -= 1
                        if omatch[oid] == 0:
                            mine += [-1] * reps
                            theirs += [oid] * reps
                            out_ops += [INSERT] * reps
            if not retract and MATCHES in me.store.aux:
                me.store.aux[MATCHES][entry] = matched
            if outer_me and matched == 0:
                mine.append(i)
                theirs.append(-1)
                out_ops.append(sign_op)
        return self._output(side, data, mine, theirs, out_ops)

    def _semi(
        self,
        side: int,
        batch: pa.RecordBatch,
        data: pa.RecordBatch,
        keys: list[Any],
        matches: list[np.ndarray],
    ) -> list[pa.RecordBatch]:
        """SEMI/ANTI: a left row is out while it has (SEMI) or has no (ANTI) match; each left
        entry counts its current matches, so right-side changes flip left rows in and out."""
        semi = self.kind is n.JoinKind.SEMI
        me, other = self.sides[side], self.sides[1 - side]
        ops, rows = rows_of(data.append_column(OP_COLUMN, pa.array(ops_of(batch), pa.int8())))
        new_ids = self._stored_ids(side, ops, keys, data)
        mine: list[int] = []
        theirs: list[int] = []
        out_ops: list[int] = []
        for i, (op, row, key, found) in enumerate(zip(ops, rows, keys, matches, strict=True)):
            retract = is_retract(op)
            if side == 0:
                if null_key(key):
                    count = 0
                    entry_matches = 0
                else:
                    count = int(other.store.aux[MULT][found].sum()) if len(found) else 0
                    fresh = new_ids.get(i, -1)
                    entry = self._enter(me, key, row, fresh, retract)
                    if entry is None:
                        continue
                    if entry == fresh:
                        me.store.aux[MATCHES][entry] = count
                    entry_matches = int(me.store.aux[MATCHES][entry])
                if (entry_matches > 0) == semi:
                    mine.append(i)
                    theirs.append(-1)
                    out_ops.append(DELETE if retract else INSERT)
                continue
            if null_key(key) or self._enter(me, key, row, new_ids.get(i, -1), retract) is None:
                continue
            lmatch, lmult = other.store.aux[MATCHES], other.store.aux[MULT]
            for oid in found.tolist():
                before = int(lmatch[oid])
                lmatch[oid] += -1 if retract else 1
                if (before > 0) != (lmatch[oid] > 0):
                    now_in = (lmatch[oid] > 0) == semi
                    reps = int(lmult[oid])
                    mine += [-1] * reps
                    theirs += [oid] * reps
                    out_ops += [INSERT if now_in else DELETE] * reps
        return self._output(side, data, mine, theirs, out_ops)

    # -- state ------------------------------------------------------------------------------
    def state_rows(self) -> int:
        return sum(s.store.live for s in self.sides)

    def state_bytes(self) -> int:
        return sum(s.store.nbytes + deep_size(s.index.ids) for s in self.sides)

    def state_arrow_bytes(self) -> int:
        return sum(s.store.live_arrow_bytes() for s in self.sides)

    def snapshot(self) -> Any:
        return {
            "sides": [
                {"store": s.store.snapshot(), "index": s.index.snapshot()} for s in self.sides
            ]
        }

    def restore(self, state: Any) -> None:
        for s, saved in zip(self.sides, state["sides"], strict=True):
            remap = s.store.restore(saved["store"])
            s.index.restore(saved["index"], remap)
