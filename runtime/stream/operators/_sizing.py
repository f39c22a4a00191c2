"""Memory accounting for operator state (the `state_bytes` metric).

Python-object state is measured by walking the object graph (`deep_size`); large containers are
sampled (the first `SAMPLE` items measured, the rest extrapolated), so the metric stays cheap
enough to scrape. Arrow-backed state reports its buffers exactly (`RowStore.nbytes`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa

SAMPLE = 200
_ATOMIC = (int, float, str, bytes, bool, type(None))


def deep_size(obj: Any, sample: int = SAMPLE) -> int:
    """Approximate bytes held by `obj` and everything it references (shared objects once)."""
    seen: set[int] = set()

    def size(x: Any) -> float:
        if id(x) in seen:
            return 0
        seen.add(id(x))
        own: float = sys.getsizeof(x)
        if isinstance(x, _ATOMIC):
            return own
        if isinstance(x, np.ndarray):
            return own if x.base is None else own + x.nbytes
        if isinstance(x, pa.RecordBatch | pa.Table | pa.Array | pa.ChunkedArray):
            return own + x.nbytes
        if isinstance(x, dict):
            return own + _items(x.items(), len(x), lambda kv: size(kv[0]) + size(kv[1]))
        if isinstance(x, list | tuple | set | frozenset):
            return own + _items(x, len(x), size)
        if hasattr(x, "__dict__"):
            return own + size(vars(x))
        if hasattr(x, "__slots__"):
            return own + sum(size(getattr(x, s, None)) for s in x.__slots__)
        return own

    def _items(items: Iterable[Any], n: int, measure: Any) -> float:
        total = 0.0
        for k, item in enumerate(items):
            if k == sample:
                return total * n / k
            total += measure(item)
        return total

    return int(size(obj))


def arrow_size(schema: pa.Schema, rows: list[tuple[Any, ...]]) -> int:
    """Bytes of `rows` as one Arrow record batch of `schema` (the reference size)."""
    if not rows:
        return 0
    columns = [
        pa.array([r[i] for r in rows], type=schema.field(i).type) for i in range(len(schema))
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema).nbytes
