"""Keys as 64-bit codes, computed per batch with numpy (no Python object per row).

A `KeyCoder` turns key columns into int64 codes. One integer-like column (integers, booleans,
dates, times, timestamps) is its own code: exact, two rows share a code only if their keys are
equal (NULL is coded as the smallest int64, so only that code needs checking). Anything else is hashed (strings by a polynomial hash over their bytes, floats by their
bits, other types by Python's hash of the value), columns combined by a 64-bit mixer; equal
keys always share a code, and rows whose codes collide are told apart with `rows_equal` over
the key columns, so a collision costs time, never a wrong result. Codes live only in memory
(an index is rebuilt from the stored rows on restore), so Python's per-process string hashing
is never persisted.

Both sides of a join code their keys with one coder built from both sides' types, so an INT
key meets a BIGINT key (both exact) and a BIGINT key meets a DOUBLE key (both as doubles).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._rows import hashable

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_P = 0x100000001B3  # odd: invertible modulo 2**64
_P_INV = pow(_P, -1, 2**64)
_NULL_CODE = np.uint64(0x5BD1E9955BD1E995)

INT, FLOAT, BYTES, OBJECT = "int", "float", "bytes", "object"
NULL_EXACT = -(2**63)  # an exact key's NULL: shares its code with that one value only


def _kind(typ: pa.DataType) -> str:
    if (
        pa.types.is_integer(typ)
        or pa.types.is_boolean(typ)
        or (pa.types.is_temporal(typ) and typ.bit_width in (32, 64))
        or pa.types.is_null(typ)
    ):
        return INT
    if pa.types.is_floating(typ):
        return FLOAT
    if (
        pa.types.is_string(typ)
        or pa.types.is_large_string(typ)
        or pa.types.is_binary(typ)
        or pa.types.is_large_binary(typ)
    ):
        return BYTES
    return OBJECT


def _common(kinds: set[str]) -> str:
    if len(kinds) == 1:
        return next(iter(kinds))
    return FLOAT if kinds <= {INT, FLOAT} else OBJECT


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer over uint64 (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def _powers(base: int, n: int) -> np.ndarray:
    out = np.empty(n + 1, dtype=np.uint64)
    out[0] = 1
    if n:
        out[1:] = np.cumprod(np.full(n, base, dtype=np.uint64))
    return out


def _as_int64(column: pa.Array) -> np.ndarray:
    typ = column.type
    if pa.types.is_temporal(typ):
        width = typ.bit_width
        column = column.view(pa.int32() if width == 32 else pa.int64())
    if pa.types.is_null(typ):
        return np.zeros(len(column), dtype=np.int64)
    if not column.null_count and not pa.types.is_uint64(column.type):
        # numpy widens it losslessly: Arrow's cast (~3 us even to int64 itself) and fill_null
        # (~10 us with nothing to fill) only for NULLs and for uint64 (Arrow's overflow check)
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.int64)
    filled = pc.fill_null(column.cast(pa.int64()), 0)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=np.int64)


def _hash_floats(column: pa.Array) -> np.ndarray:
    values = pc.fill_null(column.cast(pa.float64()), 0.0).to_numpy(zero_copy_only=False)
    values = np.asarray(values, dtype=np.float64) + 0.0  # -0.0 becomes 0.0, equal keys
    return mix(values.view(np.uint64))


def _hash_bytes(column: pa.Array) -> np.ndarray:
    """Per value sum(b[j] * P**j) over its bytes (mod 2**64), then mixed with its length."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        column = column.cast(pa.large_string())
    else:
        column = column.cast(pa.large_binary())
    n = len(column)
    buffers = column.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[column.offset : column.offset + n + 1]
    if not n:
        return np.zeros(0, dtype=np.uint64)
    base = int(offsets[0])
    ends = offsets - base
    size = int(ends[-1])
    data = buffers[2]
    raw = (
        np.frombuffer(data, dtype=np.uint8)[base : base + size]
        if data is not None and size
        else np.zeros(0, dtype=np.uint8)
    )
    weighted = raw.astype(np.uint64) * _powers(_P, size)[:size]
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(weighted, out=prefix[1:])
    starts = ends[:-1]
    unshift = _powers(_P_INV, size)[starts]
    h = (prefix[ends[1:]] - prefix[starts]) * unshift
    return mix(h ^ mix((ends[1:] - starts).astype(np.uint64) + _GOLDEN))


def _hash_objects(column: pa.Array) -> np.ndarray:
    values = column.to_pylist()
    return np.fromiter(
        (hash(hashable((v,))) for v in values), dtype=np.int64, count=len(values)
    ).view(np.uint64)


class KeyCoder:
    """Codes for keys over `len(types[0])` columns; `types` lists the column types of every
    input whose keys must meet (one sequence per input, positionally aligned)."""

    def __init__(self, *types: Sequence[pa.DataType]) -> None:
        width = len(types[0])
        self.kinds = [_common({_kind(t[c]) for t in types}) for c in range(width)]
        self.exact = width == 1 and self.kinds[0] == INT

    def columns(self, batch: pa.RecordBatch, indices: Sequence[int]) -> list[pa.Array]:
        """The key columns, cast to the type the codes and comparisons use."""
        out = []
        for kind, i in zip(self.kinds, indices, strict=True):
            column = batch.column(i)
            if kind == FLOAT and not pa.types.is_float64(column.type):
                column = column.cast(pa.float64())
            out.append(column)
        return out

    def codes(self, columns: Sequence[pa.Array], n: int) -> tuple[np.ndarray, np.ndarray]:
        """(int64 code per row, whether the row's key holds a NULL)."""
        nulls = np.zeros(n, dtype=np.bool_)
        for column in columns:
            if column.null_count:
                nulls |= np.asarray(column.is_null().to_numpy(zero_copy_only=False))
        if self.exact:
            values = _as_int64(columns[0])
            return (np.where(nulls, NULL_EXACT, values) if nulls.any() else values), nulls
        h = np.full(n, _GOLDEN, dtype=np.uint64)
        for kind, column in zip(self.kinds, columns, strict=True):
            if kind == INT:
                part = mix(_as_int64(column).view(np.uint64))
            elif kind == FLOAT:
                part = _hash_floats(column)
            elif kind == BYTES:
                part = _hash_bytes(column)
            else:
                part = _hash_objects(column)
            if column.null_count:
                part = np.where(column.is_null().to_numpy(zero_copy_only=False), _NULL_CODE, part)
            h = mix(h * _M1 + part)
        return h.view(np.int64), nulls

    def of(self, batch: pa.RecordBatch, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        return self.codes(self.columns(batch, indices), batch.num_rows)


def values_equal(a: pa.Array, b: pa.Array) -> np.ndarray:
    """Per position a[i] == b[i], NULL equal to NULL (a partition of NULLs is one group)."""
    n = len(a)
    if pa.types.is_list(a.type) and pa.types.is_list(b.type):
        return _lists_equal(a, b)
    try:
        eq = pc.fill_null(pc.equal(a, b), False)
        both = pc.and_(a.is_null(), b.is_null())
        same = np.asarray(pc.or_(eq, both).to_numpy(zero_copy_only=False), dtype=np.bool_)
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
        pairs = zip(a.to_pylist(), b.to_pylist(), strict=True)
        same = np.fromiter((hashable((x,)) == hashable((y,)) for x, y in pairs), np.bool_, n)
    return same


def _lists_equal(a: pa.Array, b: pa.Array) -> np.ndarray:
    """Per position whether two lists are equal (NULL equal to NULL, lists and elements), the
    elements compared in Arrow rather than one Python list at a time."""
    length = [np.asarray(pc.fill_null(pc.list_value_length(c), -1)) for c in (a, b)]
    same = length[0] == length[1]
    pairs = np.flatnonzero(same & (length[0] > 0))
    if len(pairs):
        take = pa.array(pairs)
        equal = values_equal(a.take(take).flatten(), b.take(take).flatten())
        owner = np.repeat(np.arange(len(pairs)), length[0][pairs])
        same[pairs[np.bincount(owner[~equal], minlength=len(pairs)) > 0]] = False
    return same


def rows_equal(a: Sequence[pa.Array], b: Sequence[pa.Array], n: int) -> np.ndarray:
    """Per position (of `n`) whether every column pair holds equal values (NULL equal to
    NULL)."""
    same = np.ones(n, dtype=np.bool_)
    for x, y in zip(a, b, strict=True):
        same &= values_equal(x, y)
    return same


def group_ids(columns: Sequence[pa.Array], n: int) -> np.ndarray:
    """Per row a group number, equal exactly for rows with equal keys (NULLs equal)."""
    groups = np.zeros(n, dtype=np.int64)
    for column in columns:
        try:
            encoded = pc.dictionary_encode(column, null_encoding="encode")
            codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
            width = len(encoded.dictionary)
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
            seen: dict[object, int] = {}
            values = [hashable((v,)) for v in column.to_pylist()]
            codes = np.fromiter((seen.setdefault(v, len(seen)) for v in values), np.int64, n)
            width = len(seen)
        _, groups = np.unique(groups * (width + 1) + codes, return_inverse=True)
    return groups.astype(np.int64, copy=False)
