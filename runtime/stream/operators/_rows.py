"""Arrow batches <-> Python rows for the operators that keep rows in state, and the changelog
column conventions of runtime/stream/api.py."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.catalog.schema import Schema
from nrtg.catalog.type_mapping import to_arrow_type

from ..api import OP_COLUMN, Op
from ._windows import epoch_ms_column

Row = tuple[Any, ...]
SPLIT_COLUMN = "_split"
INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE = (int(o) for o in Op)


def arrow_schema(schema: Schema, with_op: bool = False) -> pa.Schema:
    fields = [pa.field(f.name, to_arrow_type(f.type)) for f in schema.fields]
    if with_op:
        fields.append(pa.field(OP_COLUMN, pa.int8()))
    return pa.schema(fields)


def is_retract(op: int) -> bool:
    return op in (UPDATE_BEFORE, DELETE)


def data_width(batch: pa.RecordBatch) -> int:
    """Columns before the bookkeeping columns (`_op`, `_split`)."""
    width = batch.num_columns
    while width and batch.schema.field(width - 1).name in (OP_COLUMN, SPLIT_COLUMN):
        width -= 1
    return width


def ops_of(batch: pa.RecordBatch) -> list[int]:
    index = batch.schema.get_field_index(OP_COLUMN)
    if index < 0:
        return [INSERT] * batch.num_rows
    return batch.column(index).to_pylist()


def rows_of(batch: pa.RecordBatch) -> tuple[list[int], list[Row]]:
    """(row kinds, rows as tuples of Python values) of a batch's data columns."""
    width = data_width(batch)
    columns = [batch.column(i).to_pylist() for i in range(width)]
    rows = list(zip(*columns, strict=True)) if columns else [()] * batch.num_rows
    return ops_of(batch), rows


def to_batch(
    schema: pa.Schema, rows: Sequence[Row], ops: Sequence[int] | None = None
) -> pa.RecordBatch:
    """Rows (tuples in schema order) -> a batch; `ops` adds the `_op` column."""
    n = len(schema)
    arrays = []
    for i in range(n):
        values = [r[i] for r in rows]
        arrays.append(pa.array(values, type=schema.field(i).type))
    names = list(schema.names)
    if ops is not None:
        arrays.append(pa.array(ops, type=pa.int8()))
        names.append(OP_COLUMN)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def with_ops(batch: pa.RecordBatch, op: int) -> pa.RecordBatch:
    """An insert-only batch with an explicit `_op` column of `op`."""
    if batch.schema.get_field_index(OP_COLUMN) >= 0:
        return batch
    column = pa.array([op] * batch.num_rows, type=pa.int8())
    return batch.append_column(OP_COLUMN, column)


def epoch_ms(column: pa.Array | pa.ChunkedArray) -> list[int | None]:
    """A TIMESTAMP column as epoch milliseconds (None for NULL)."""
    return epoch_ms_column(column).to_pylist()


def epoch_ms_array(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A TIMESTAMP column as int64 epoch milliseconds (0 where NULL), and its NULL mask."""
    ms = epoch_ms_column(column)
    nulls = np.asarray(ms.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_)
    values = pc.fill_null(ms, 0).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.int64), nulls


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Cast a batch's data columns to `schema` (names and types), keeping `_op`/`_split`."""
    width = data_width(batch)
    arrays = []
    for i in range(len(schema)):
        column = batch.column(i)
        target = schema.field(i).type
        if column.type != target:
            with contextlib.suppress(pa.ArrowInvalid, pa.ArrowNotImplementedError):
                column = column.cast(target, safe=False)
        arrays.append(column)
    names = list(schema.names)
    for i in range(width, batch.num_columns):
        arrays.append(batch.column(i))
        names.append(batch.schema.field(i).name)
    if not arrays:  # no column to cast; from_arrays would lose the row count
        return batch
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _freeze(v: Any) -> Any:
    if isinstance(v, dict):
        return tuple((k, _freeze(x)) for k, x in v.items())
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    return v


def hashable(row: Row) -> Row:
    """The row itself when it can be a dict key, else a frozen copy (lists, dicts inside)."""
    try:
        hash(row)
    except TypeError:
        return tuple(_freeze(v) for v in row)
    return row


def retractions(batch: pa.RecordBatch) -> np.ndarray:
    """Per row whether it is a retraction (-U/-D); all False without an `_op` column."""
    index = batch.schema.get_field_index(OP_COLUMN)
    if index < 0:
        return np.zeros(batch.num_rows, dtype=np.bool_)
    ops = np.asarray(batch.column(index).to_numpy(zero_copy_only=False))
    return (ops == UPDATE_BEFORE) | (ops == DELETE)
