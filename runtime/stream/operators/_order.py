"""Row ordering for ORDER BY keys (ASC/DESC, NULLS FIRST/LAST as SortKey says), columnar:
Arrow sort indices and ranks within groups."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.compiler.plan.nodes import RankFn, SortKey

from ._keys import values_equal


def sorted_positions(
    groups: np.ndarray, columns: Sequence[pa.Array], keys: Sequence[SortKey], arrival: np.ndarray
) -> np.ndarray:
    """Positions ordered by group, then by `keys` (key j over `columns[j]`, with its direction
    and NULL placement), then by `arrival` (equal rows keep their order)."""
    arrays: list[pa.Array] = [pa.array(groups)]
    order: list[tuple[str, str]] = [("g", "ascending")]
    for j, (column, k) in enumerate(zip(columns, keys, strict=True)):
        null = np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=np.int8)
        arrays += [pa.array(1 - null if k.effective_nulls_first else null), column]
        order += [(f"n{j}", "ascending"), (f"v{j}", "descending" if k.descending else "ascending")]
    arrays.append(pa.array(arrival))
    order.append(("a", "ascending"))
    names = ["g"] + [f"{p}{j}" for j in range(len(columns)) for p in "nv"] + ["a"]
    table = pa.Table.from_arrays(arrays, names=names)
    return np.asarray(pc.sort_indices(table, sort_keys=order).to_numpy(), dtype=np.int64)


def group_ranks(groups: np.ndarray, columns: Sequence[pa.Array], fn: RankFn) -> np.ndarray:
    """ROW_NUMBER/RANK/DENSE_RANK of rows already sorted by (group, sort keys): `groups` and
    the sort key `columns` in that order."""
    n = len(groups)
    if not n:
        return np.zeros(0, dtype=np.int64)
    index = np.arange(n)
    head = np.r_[True, groups[1:] != groups[:-1]]
    start = np.maximum.accumulate(np.where(head, index, 0))
    if fn is RankFn.ROW_NUMBER:
        return index - start + 1
    new = head.copy()
    for column in columns:
        new[1:] |= ~values_equal(column.slice(1), column.slice(0, n - 1))
    if fn is RankFn.RANK:
        return np.maximum.accumulate(np.where(new, index, 0)) - start + 1
    dense = np.cumsum(new)
    return dense - dense[start] + 1
