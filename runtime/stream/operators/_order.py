"""Row ordering for ORDER BY keys (ASC/DESC, NULLS FIRST/LAST as SortKey says)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cmp_to_key
from typing import Any

from nrtg.compiler.plan.nodes import SortKey


def row_comparator(keys: Sequence[SortKey]) -> Callable[[Any], Any]:
    """A sort key function over rows (tuples) for `keys`; equal rows keep their order."""

    def cmp(a: Sequence[Any], b: Sequence[Any]) -> int:
        for k in keys:
            x, y = a[k.index], b[k.index]
            if x == y:
                continue
            if x is None or y is None:
                first = k.effective_nulls_first
                return (-1 if first else 1) if x is None else (1 if first else -1)
            c = -1 if x < y else 1
            return -c if k.descending else c
        return 0

    return cmp_to_key(cmp)


def sort_key_values(row: Sequence[Any], keys: Sequence[SortKey]) -> tuple[Any, ...]:
    return tuple(row[k.index] for k in keys)
