"""Fold a changelog (a table with an `_op` column, or insert-only) into the final table:
as a multiset (each +I/+U adds a row, each -U/-D removes one equal row) or by upsert key
(+I/+U replace the key's row, -D removes it; -U is ignored)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from .api import OP_COLUMN

RETRACT_KINDS = (1, 3)


def _freeze(v: Any) -> Any:
    if isinstance(v, dict):
        return tuple((k, _freeze(x)) for k, x in v.items())
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    return v


def _rows(table: pa.Table) -> tuple[list[str], list[int], list[tuple[Any, ...]]]:
    positions = [i for i, c in enumerate(table.column_names) if c != OP_COLUMN]
    names = [table.column_names[i] for i in positions]
    ops = (
        table.column(OP_COLUMN).to_pylist()
        if OP_COLUMN in table.column_names
        else [0] * table.num_rows
    )
    cols = [table.column(i).to_pylist() for i in positions]
    rows = [tuple(_freeze(v) for v in r) for r in zip(*cols, strict=True)] if cols else []
    return names, ops, rows


def fold_multiset(table: pa.Table | None) -> Counter[tuple[Any, ...]]:
    """Rows with multiplicities; a retraction of a row never inserted is an error."""
    out: Counter[tuple[Any, ...]] = Counter()
    if table is None:
        return out
    _, ops, rows = _rows(table)
    for op, row in zip(ops, rows, strict=True):
        if op in RETRACT_KINDS:
            if out[row] <= 0:
                raise ValueError(f"retraction of a row that is not there: {row}")
            out[row] -= 1
            if not out[row]:
                del out[row]
        else:
            out[row] += 1
    return out


def fold_upsert(
    table: pa.Table | None, key: Sequence[int]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    out: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    if table is None:
        return out
    _, ops, rows = _rows(table)
    for op, row in zip(ops, rows, strict=True):
        k = tuple(row[i] for i in key)
        if op == 3:
            out.pop(k, None)
        elif op != 1:
            out[k] = row
    return out


def fold_table(table: pa.Table | None, schema: pa.Schema) -> pa.Table:
    """The multiset fold as an Arrow table with `schema` (no `_op`)."""
    rows = list(fold_multiset(table).elements())
    if table is not None and rows:
        source = table.select([i for i, c in enumerate(table.column_names) if c != OP_COLUMN])
        # Rebuild from the original values (frozen nested values are not re-typed).
        index: dict[tuple[Any, ...], list[int]] = {}
        _, _, all_rows = _rows(source)
        for i, r in enumerate(all_rows):
            index.setdefault(r, []).append(i)
        take = [index[r].pop() for r in rows]
        return source.take(pa.array(take, type=pa.int64())).rename_columns(schema.names)
    return schema.empty_table()
