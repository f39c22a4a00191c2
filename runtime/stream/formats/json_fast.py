"""pyarrow's JSON reader as a fast path for small polls, taken only where it provably gives
DuckDB's answer (json_duck.py defines the semantics). DuckDB costs ~2 ms per query whatever the
poll's size, pyarrow ~0.1 ms, so a trickle of small polls stays cheap.

pyarrow is stricter than DuckDB almost everywhere (a string for a number, a float for an
integer, a trailing comma, a decimal needing rounding: pyarrow fails, and the poll goes to
DuckDB). Where it is more lenient, or reads the same text differently, the guards below send
the poll to DuckDB instead:
- TIMESTAMP, TIMESTAMP_LTZ, DATE and TIME are read as text and must have a canonical layout
  (`2026-01-01`, `2026-01-01 00:00:00.123`, `T` or space, up to 6 fraction digits, `Z` only for
  TIMESTAMP_LTZ) before Arrow's cast converts them: pyarrow would apply an offset DuckDB drops on
  TIMESTAMP, and accepts an hour-only time DuckDB rejects;
- DECIMAL(p, s) is read as a 256-bit decimal of the same precision and scale (pyarrow rejects a
  number with more digits, which DuckDB rounds) and cast to 128 bits with an overflow check
  (pyarrow's 128-bit read wraps an integer part of 21+ digits without an error); DECIMAL(p, p)
  is DuckDB's only (it fails some exponents there, `1.5E-1`, that pyarrow reads);
- strings must be UTF-8 (pyarrow does not check; DuckDB fails the record);
- FLOAT is read as DOUBLE and narrowed as DuckDB narrows it; an infinity from a finite number
  is DuckDB's error;
- BYTES is base64 text decoded strictly;
- arrays only of types that need no guard; maps are DuckDB's only.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from ..chunks import contiguous

# The layouts the guards let through. Ranges (month 13, hour 24, second 60, year 0) are left
# to Arrow's cast, which rejects all of them (DuckDB rejects or reads some differently); a
# simple expression compiles in ~25 us, one with the ranges spelled out in ~50.
_DATE = r"\d{4}-\d\d-\d\d"
_TIME = r"\d\d:\d\d:\d\d(\.\d{1,6})?"
DATE_TEXT = f"^{_DATE}$"
TIME_TEXT = f"^{_TIME}$"
TIMESTAMP_TEXT = f"^{_DATE}([ T]{_TIME})?$"
TIMESTAMP_UTC_TEXT = f"^{_DATE}([ T]{_TIME})?Z?$"


class _Declined(Exception):
    """A value pyarrow read that DuckDB might read differently."""


class _Texts:
    """The text columns a poll's guards require a layout of, checked together at the end: one
    regular expression per layout and poll (compiling one costs ~50 us)."""

    def __init__(self) -> None:
        self.pending: dict[str, list[pa.Array]] = {}

    def require(self, column: pa.Array, pattern: str) -> pa.Array:
        if column.null_count < len(column):
            self.pending.setdefault(pattern, []).append(column)
        return column

    def check(self) -> None:
        for pattern, columns in self.pending.items():
            text = pa.concat_arrays(columns) if len(columns) > 1 else columns[0]
            if not pc.all(pc.match_substring_regex(text, pattern)).as_py():
                raise _Declined


# A guard's conversion: the read column in the target type; raises _Declined when DuckDB must
# decide.
Finish = Callable[[pa.Array, _Texts], pa.Array]


def _cast(column: pa.Array, target: pa.DataType, safe: bool = True) -> pa.Array:
    try:
        return column.cast(target, safe=safe)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise _Declined from e


def _timestamp(target: pa.DataType) -> Finish:
    def finish(column: pa.Array, texts: _Texts) -> pa.Array:
        # Straight to the column's unit: finer digits than it holds make the cast fail, and
        # DuckDB truncates them (the layout allows at most DuckDB's 6)
        naive = pa.timestamp(target.unit)
        if target.tz is None:
            return _cast(texts.require(column, TIMESTAMP_TEXT), naive)
        text = texts.require(column, TIMESTAMP_UTC_TEXT)
        # a naive timestamp cast to a zoned one is read as UTC, as DuckDB reads it
        return _cast(_cast(pc.replace_substring_regex(text, "Z$", ""), naive), target)

    return finish


def _date(target: pa.DataType) -> Finish:
    return lambda column, texts: _cast(texts.require(column, DATE_TEXT), target)


def _time(target: pa.DataType) -> Finish:
    def finish(column: pa.Array, texts: _Texts) -> pa.Array:
        text = texts.require(column, TIME_TEXT)
        stamps = _cast(pc.binary_join_element_wise("1970-01-01T", text, ""), pa.timestamp("us"))
        return _cast(_cast(stamps, pa.time64("us")), target, safe=False)

    return finish


def _bytes(target: pa.DataType) -> Finish:
    def finish(column: pa.Array, texts: _Texts) -> pa.Array:
        try:
            decoded = [
                None if v is None else base64.b64decode(v, validate=True)
                for v in column.to_pylist()
            ]
        except (binascii.Error, ValueError) as e:
            raise _Declined from e
        return pa.array(decoded, type=target)

    return finish


def _float(target: pa.DataType) -> Finish:
    def finish(column: pa.Array, texts: _Texts) -> pa.Array:
        narrow = _cast(column, target, safe=False)
        if pc.any(pc.is_inf(narrow)).as_py() and not pc.any(pc.is_inf(column)).as_py():
            raise _Declined
        return narrow

    return finish


def _decimal(target: pa.DataType) -> Finish:
    return lambda column, texts: _cast(column, target)


def _struct(target: pa.DataType, children: list[Finish | None]) -> Finish:
    def finish(column: pa.Array, texts: _Texts) -> pa.Array:
        assert isinstance(column, pa.StructArray)
        fields = [
            column.field(i) if f is None else f(column.field(i), texts)
            for i, f in enumerate(children)
        ]
        return pa.StructArray.from_arrays(
            fields, fields=list(target), mask=column.is_null() if column.null_count else None
        )

    return finish


def _plain(t: pa.DataType) -> bool:
    """Types pyarrow reads exactly as DuckDB does, with no guard."""
    return (
        pa.types.is_integer(t)
        or pa.types.is_float64(t)
        or pa.types.is_boolean(t)
        or pa.types.is_string(t)
    )


def _guard(t: pa.DataType) -> tuple[pa.DataType, Finish | None] | None:
    """(the type pyarrow reads, the conversion to `t`, None when none is needed), or None when
    pyarrow cannot be trusted with `t`."""
    if _plain(t):
        return t, None
    if pa.types.is_timestamp(t):
        return pa.string(), _timestamp(t)
    if pa.types.is_date32(t):
        return pa.string(), _date(t)
    if pa.types.is_time(t):
        return pa.string(), _time(t)
    if pa.types.is_binary(t):
        return pa.string(), _bytes(t)
    if pa.types.is_float32(t):
        return pa.float64(), _float(t)
    if pa.types.is_decimal128(t) and t.scale < t.precision:
        # without integer digits DuckDB fails some exponents (`1.5E-1` into DECIMAL(5, 5))
        return pa.decimal256(t.precision, t.scale), _decimal(t)
    if pa.types.is_list(t) and _plain(t.value_type):
        return t, None
    if pa.types.is_struct(t) and t.num_fields:
        guards = [_guard(f.type) for f in t]
        if any(g is None for g in guards):
            return None
        read = pa.struct([pa.field(f.name, g[0]) for f, g in zip(t, guards, strict=True)])  # type: ignore[index]
        children = [g[1] for g in guards]  # type: ignore[index]
        if all(c is None for c in children):
            return t, None
        return read, _struct(t, children)
    return None


class FastJson:
    """pyarrow's read of a poll, or None where DuckDB must read it."""

    def __init__(self, schema: pa.Schema, guards: list[tuple[pa.DataType, Finish | None]]):
        self.schema = schema
        self.finish = [g[1] for g in guards]
        read_schema = pa.schema(
            [pa.field(f.name, g[0]) for f, g in zip(schema, guards, strict=True)]
        )
        self.parse_options = pj.ParseOptions(
            explicit_schema=read_schema, unexpected_field_behavior="ignore"
        )

    @classmethod
    def of(cls, schema: pa.Schema) -> FastJson | None:
        """The fast path for `schema`, None when a column's type has no guarded read."""
        guards = [_guard(f.type) for f in schema]
        if any(g is None for g in guards):
            return None
        return cls(schema, guards)  # type: ignore[arg-type]

    def read(self, buf: bytes, rows: int) -> pa.Table | None:
        """The `rows` objects of the newline-delimited `buf`, or None: pyarrow fails or reads
        something DuckDB might read differently."""
        opts = pj.ReadOptions(use_threads=False, block_size=max(len(buf) + 1, 1 << 16))
        try:
            table = pj.read_json(
                io.BytesIO(buf), read_options=opts, parse_options=self.parse_options
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        if table.num_rows != rows:
            return None
        if not self.schema:
            return table
        try:
            table.validate(full=True)  # pyarrow does not check that strings are UTF-8
        except pa.ArrowInvalid:
            return None
        texts = _Texts()
        try:
            columns = [
                column if finish is None else finish(column, texts)
                for column, finish in zip(
                    (contiguous(c) for c in table.columns), self.finish, strict=True
                )
            ]
            texts.check()
        except _Declined:
            return None
        return pa.Table.from_arrays(columns, schema=self.schema)
