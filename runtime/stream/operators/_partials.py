"""What group_agg's columnar groups (`_groups`) and window_agg's columnar slices (`_slices`) share
beyond `_columnar`'s partials: the LISTAGG calls whose separator is one string, which LISTAGG,
FIRST_VALUE/LAST_VALUE and STDDEV/VAR calls they keep column-wise, Arrow's ordered hash
aggregates for FIRST/LAST_VALUE, the exact moments' decoding and variance, and a STDDEV/VAR
result column. A module of its own: `_columnar` cannot import `_groups` (which imports it), and
`_slices` should not reach into `_groups`' privates.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.catalog.types import Kind
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Literal

from . import _columnar as col
from ._accumulators import INTEGER_KINDS, ORDERED, AggFn, stat_as_type

HASH_AGG = {"FIRST_VALUE": "first", "LAST_VALUE": "last"}  # Arrow's (NULLs skipped, in order)


def listagg_separators(node: n.Aggregate | n.WindowAggregate) -> dict[int, str]:
    """LISTAGG calls (position -> separator) whose separator is one string for every row: the
    default, or a literal the input projects (the batch target wants a literal too)."""
    out: dict[int, str] = {}
    for x, a in enumerate(node.aggs):
        if a.name.upper() != "LISTAGG":
            continue
        if len(a.args) == 1:
            out[x] = ","
        elif isinstance(node.input, n.Project):
            sep = node.input.exprs[a.args[1]]
            if isinstance(sep, Literal) and isinstance(sep.value, str):
                out[x] = sep.value
    return out


def first_or_last(fn: AggFn, typ: pa.DataType | None) -> bool:
    """FIRST_VALUE/LAST_VALUE over an input without retractions: one kept value per group."""
    return (
        fn.name in ORDERED
        and not fn.retracting
        and not fn.distinct
        and len(fn.args) == 1
        and typ is not None
        and col.groupable(typ)
        and not pa.types.is_decimal(typ)  # Arrow's hash_first/hash_last take no decimals
    )


def listagg(fn: AggFn, typ: pa.DataType | None) -> bool:
    """LISTAGG of strings without DISTINCT: over an input without retractions one text per
    group, the batch's values joined on; else the list of its values."""
    string = typ is not None and (pa.types.is_string(typ) or pa.types.is_large_string(typ))
    return fn.name == "LISTAGG" and not fn.distinct and string


def stat_number(typ: pa.DataType) -> bool:
    """Numbers STDDEV/VAR keep moments of: a decimal's square must fit DECIMAL256(76)."""
    if pa.types.is_decimal(typ):
        return int(typ.precision) <= 37
    return pa.types.is_integer(typ) or pa.types.is_floating(typ)


def precision(typ: pa.DataType) -> int:
    """Decimal digits enough for any value of an integer or decimal type."""
    if pa.types.is_decimal(typ):
        return int(typ.precision)
    return len(str(2**typ.bit_width))


def decimal_ints(sums: pa.ChunkedArray) -> np.ndarray:
    """DECIMAL256 sums as Python ints of their unscaled values (0 where NULL), from the 32-byte
    two's complement words (no decimal context, so no rounding)."""
    array = sums.combine_chunks()
    words = memoryview(array.buffers()[1])[array.offset * 32 : (array.offset + len(array)) * 32]
    valid = array.is_valid().to_pylist()
    out = np.zeros(len(array), object)
    out[:] = [
        int.from_bytes(words[32 * i : 32 * i + 32], "little", signed=True) if ok else 0
        for i, ok in enumerate(valid)
    ]
    return out


def without_nulls(lists: pa.ListArray) -> pa.ListArray:
    """The lists without their NULL elements (Arrow's binary_join of a list with one is NULL)."""
    values = lists.flatten()
    valid = np.asarray(values.is_valid())
    if valid.all():
        return lists
    parents = np.asarray(pc.list_parent_indices(lists))
    counts = np.bincount(parents[valid], minlength=len(lists))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values.filter(pa.array(valid)))


def ddof_of(fn: AggFn) -> int:
    """The degrees of freedom a STDDEV/VAR loses: 1 for a sample's, 0 for a population's."""
    return 1 if fn.name.endswith("_SAMP") else 0


def exact_variance(
    count: np.ndarray, ddof: int, total: np.ndarray, squares: np.ndarray, scale: int
) -> np.ndarray:
    """The variance per group from the exact sum and sum of squares of the unscaled values
    (Python ints), (n Q - S^2) / (n (n - ddof)), as doubles (any value where there are too few
    values)."""
    divisor = np.maximum(count - ddof, 1)
    # exact until this one division (Python's int / int rounds once)
    below = np.maximum(count, 1).astype(object) * divisor.astype(object) * 10 ** (2 * scale)
    n = count.astype(object)
    return np.asarray((n * squares - total * total) / below, np.float64)


def stat_column(fn: AggFn, count: np.ndarray, var: np.ndarray, typ: pa.DataType) -> pa.Array:
    """VAR_*/STDDEV_* from the count and variance (NULL without enough values), as its type."""
    none = count - ddof_of(fn) <= 0
    value = np.sqrt(var) if fn.name.startswith("STDDEV") else var
    kind = fn.type.kind
    if kind is Kind.DECIMAL:  # exact HALF_UP at the scale: Python's, one call per result row
        pairs = zip(value.tolist(), none.tolist(), strict=True)
        return pa.array([None if n else stat_as_type(v, fn.type) for v, n in pairs], typ)
    if kind in INTEGER_KINDS:  # HALF_UP of a value >= 0 (the fraction is exact)
        whole = np.floor(value)
        value = whole + (value - whole >= 0.5)
        return pa.array(value.astype(np.int64), mask=none).cast(typ)
    return pa.array(value, mask=none).cast(typ)
