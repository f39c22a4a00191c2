"""Changelog modes (Flink's vocabulary: +I, -U, +U, -D) and the helpers that derive them."""

from __future__ import annotations

from enum import Enum


class RowKind(Enum):
    INSERT = "I"
    UPDATE_BEFORE = "UB"
    UPDATE_AFTER = "UA"
    DELETE = "D"

    @property
    def short(self) -> str:
        return {"I": "+I", "UB": "-U", "UA": "+U", "D": "-D"}[self.value]


_ORDER = {RowKind.INSERT: 0, RowKind.UPDATE_BEFORE: 1, RowKind.UPDATE_AFTER: 2, RowKind.DELETE: 3}

ChangelogMode = frozenset[RowKind]

INSERT_ONLY: ChangelogMode = frozenset({RowKind.INSERT})
# What a retracting operator emits: updates as -U/+U pairs and deletes.
RETRACT: ChangelogMode = frozenset(RowKind)
# What an upsert source (upsert-kafka) emits: no -U, the key identifies the row.
UPSERT: ChangelogMode = frozenset({RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.DELETE})
# A group aggregate over insert-only input never deletes a group.
INSERT_UPDATE: ChangelogMode = frozenset(
    {RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER}
)


def is_insert_only(mode: ChangelogMode) -> bool:
    return mode == INSERT_ONLY


def render(mode: ChangelogMode) -> str:
    """`[I,UB,UA,D]` in Flink's order, as Flink's EXPLAIN CHANGELOG_MODE prints it."""
    return "[" + ",".join(k.value for k in sorted(mode, key=_ORDER.__getitem__)) + "]"


def union(*modes: ChangelogMode) -> ChangelogMode:
    out: set[RowKind] = set()
    for m in modes:
        out |= m
    return frozenset(out)
