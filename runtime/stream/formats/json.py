"""Flink's `json` format, vectorized.

Decoding has one semantics: DuckDB's typed `read_json`, the reader the filesystem connector
uses for JSON files (json_duck.py, with the rules of runtime/batch/json_format.py), so a
topic and a file decode the same bytes alike. A poll's message values are joined with
newlines and read at once; small polls go through pyarrow's
reader where it provably gives DuckDB's answer (json_fast.py, ~20x cheaper per query), the
rest through DuckDB. Unknown fields are ignored and missing ones are NULL (Flink's
`json.fail-on-missing-field = false`); DECIMAL rounds HALF_UP to the declared scale, as Flink's
JSON source does; TIMESTAMP takes the SQL (`2026-01-01 00:00:00.123`) and the ISO-8601
(`2026-01-01T00:00:00.123`) layouts whatever `json.timestamp-format.standard` says (Flink
accepts only the declared one; the encoder writes the declared one); BYTES are base64, as Flink
writes them.

DuckDB is more lenient than Flink's Jackson reader in places: it reads `"123"` into a BIGINT
(Flink does too), `true` as 1, rounds `1.5` into a BIGINT to 2 (Flink truncates to 1) and
accepts a trailing comma.

Null (tombstone), empty and blank values and the JSON literal `null` carry no row and are
skipped without counting, as Flink's JSON deserializer does. Any other value that is not a JSON
object, or does not read, is malformed: the job fails naming topic, partition and offset and
the reason, or with `json.ignore-parse-errors = true` the record is skipped and counted. Only a
poll with such a value pays per-message work.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nrtg.catalog.errors import ExecutionError

from ..chunks import contiguous
from . import Decoded, Locate, is_true, text_bytes
from .json_duck import DuckJson, rows_only
from .json_fast import FastJson

# Polls of at least this many bytes go to DuckDB at once: below, pyarrow's reader is cheaper
# (DuckDB costs ~2 ms more per query, pyarrow ~1 us more per message: even at ~1500-2000
# events, BENCHMARKS.md).
DUCKDB_MIN_BYTES = 512 << 10


def _objects_only(values: Sequence[bytes], buf: bytes) -> bool:
    """Whether every value starts with `{` (`buf`: the values joined with newlines). Checked
    on the first bytes at once; only a poll with another value pays per message."""
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    starts = np.cumsum(lengths + 1) - lengths - 1
    return bool((np.frombuffer(buf, dtype=np.uint8)[starts] == ord("{")).all())


def _carries_no_row(value: bytes | None) -> bool:
    """A tombstone, a blank value or a JSON `null` (Flink's deserializer returns no row)."""
    return value is None or value.strip() in (b"", b"null")


def _one_line_each(lines: Sequence[bytes]) -> bytes:
    """The lines joined with newlines, a value spread over lines (pretty-printed) kept on one:
    a tab is JSON whitespace where a line feed is, and as invalid inside a string."""
    return b"\n".join(v.replace(b"\n", b"\t") for v in lines)


class JsonDecoder:
    def __init__(self, schema: pa.Schema, options: Mapping[str, str], table: str) -> None:
        self.schema = schema
        self.table_name = table
        self.ignore_errors = is_true(options, "json.ignore-parse-errors")
        self.duck = DuckJson(schema, table)
        self.fast = FastJson.of(schema)

    def _read(self, lines: Sequence[bytes], buf: bytes | None = None) -> pa.Table | None:
        """The lines (JSON objects, by their first byte) read at once, or None when one of
        them does not read; `buf`: the lines joined with newlines, when already made."""
        if buf is None:
            buf = b"\n".join(lines)
        table = self._read_buffer(buf, len(lines))
        # A value spread over lines fails DuckDB's line-by-line read (or changes the row
        # count: every value starts with `{`, so none can make up for it); only then are the
        # lines looked at (counting line feeds costs ~0.15 us a message).
        if table is None and buf.count(b"\n") != len(lines) - 1:
            table = self._read_buffer(_one_line_each(lines), len(lines))
        return table

    def _read_buffer(self, buf: bytes, rows: int) -> pa.Table | None:
        if self.fast is not None and len(buf) < DUCKDB_MIN_BYTES:
            table = self.fast.read(buf, rows)
            if table is not None:
                return table
        try:
            return self.duck.read(buf, rows)
        except Exception:  # duckdb.Error, or a row count mismatch (ValueError): sort them out
            return None

    def _sort_out(self, lines: Sequence[bytes]) -> tuple[pa.Table, list[int], list[int]]:
        """The rows of the lines that read, their positions, and the positions of those that
        do not (only the first, for a job that fails on it). One query with the lenient JSON
        reader finds most bad lines; it is more lenient than read_json in a few cases (a
        declared key given twice, array elements that do not convert, strings DuckDB's cast
        takes), so the lines it accepts are read strictly, and bisected only if that fails."""
        accepted = self.duck.classify(lines)
        rejected = sorted(set(range(len(lines))) - set(accepted))
        if rejected and not self.ignore_errors:  # a record after the first bad one is moot
            accepted = [j for j in accepted if j < rejected[0]]
            rejected = rejected[:1]
        parts: list[tuple[list[int], pa.Table]] = []
        self._bisect(accepted, lines, parts, rejected)
        good = [j for positions, _ in parts for j in positions]
        if not self.schema:  # concatenating tables without columns loses their rows
            return rows_only(len(good)), good, sorted(rejected)
        tables = [table for _, table in parts]
        table = pa.concat_tables(tables) if tables else self.schema.empty_table()
        return table, good, sorted(rejected)

    def _bisect(
        self,
        positions: list[int],
        lines: Sequence[bytes],
        parts: list[tuple[list[int], pa.Table]],
        rejected: list[int],
    ) -> None:
        if not positions:
            return
        some = [lines[j] for j in positions]
        try:
            parts.append((positions, self.duck.read(_one_line_each(some), len(some))))
            return
        except Exception:  # duckdb.Error or ValueError, as in _read
            if len(positions) == 1:
                rejected.append(positions[0])
                return
        mid = len(positions) // 2
        self._bisect(positions[:mid], lines, parts, rejected)
        self._bisect(positions[mid:], lines, parts, rejected)

    def decode(self, values: Sequence[bytes | None], locate: Locate) -> Decoded:
        if all(values):
            buf = b"\n".join(values)  # type: ignore[arg-type]
            if _objects_only(values, buf):  # type: ignore[arg-type]
                table = self._read(values, buf)  # type: ignore[arg-type]
                if table is not None:
                    return Decoded(table, None)
        index: list[int] = []  # the messages holding an object
        bad: list[tuple[int, str]] = []
        for i, v in enumerate(values):
            if _carries_no_row(v):
                continue
            if v.lstrip()[:1] == b"{":  # type: ignore[union-attr]
                index.append(i)
            else:
                bad.append((i, "the value is not a JSON object"))
        if bad and not self.ignore_errors:  # only a record before it can fail the job first
            index = [i for i in index if i < bad[0][0]]
        lines: list[bytes] = [values[i] for i in index]  # type: ignore[misc]
        table = self._read(lines) if lines else None
        kept = index
        if table is None and lines:
            table, good, failed = self._sort_out(lines)
            kept = [index[j] for j in good]
            bad += [(index[j], "") for j in failed]
        if bad and not self.ignore_errors:
            at, reason = min(bad)
            if not reason:
                reason = self.duck.reason(values[at])  # type: ignore[arg-type]
            raise ExecutionError(
                f"table {self.table_name}: malformed json record at {locate(at)}: {reason} "
                "(set 'json.ignore-parse-errors' = 'true' to skip such records)"
            )
        if table is None:
            table = self.schema.empty_table() if self.schema else rows_only(0)
        return Decoded(table, kept, skipped=len(bad))


def _is_datetime(t: pa.DataType) -> bool:
    return pa.types.is_timestamp(t) or pa.types.is_time(t)


def datetime_json(column: pa.Array, iso: bool) -> pa.Array:
    """TIMESTAMP, TIMESTAMP_LTZ and TIME as Flink's JSON format writes them (inside structs
    too): the fraction in as few digits as it needs, none when it is zero
    (`2026-01-01 00:00:00`, `...00:00:00.5`, `...00:00:00.123`, `12:34:56.5`); ISO-8601 puts
    `T` between date and time; TIMESTAMP_LTZ is the UTC time with a trailing `Z` in both
    standards (the session time zone plays no part). Observed on Flink 2.3. Flink's TIME holds
    milliseconds, so finer digits are dropped. Arrow's cast to string (about 30x faster than
    strftime) always writes the unit's digits, so its trailing zeros are trimmed: the
    fraction's `.` stops the trim, and a unit of seconds has no fraction to trim."""
    t = column.type
    if pa.types.is_time(t) or pa.types.is_timestamp(t):
        zoned = pa.types.is_timestamp(t) and t.tz is not None
        if zoned:  # Arrow writes the zone's local time and offset: UTC writes `Z`
            column = column.cast(pa.timestamp(t.unit, "UTC"))
        elif pa.types.is_time(t) and t.unit in ("us", "ns"):
            column = column.cast(pa.time32("ms"), safe=False)
        text = column.cast(pa.string())
        if t.unit != "s":
            # `...00.500Z` -> `...00.5`, `...00.000` -> `...00`
            text = pc.ascii_rtrim(pc.ascii_rtrim(text, "0Z" if zoned else "0"), ".")
            if zoned:
                text = pc.binary_join_element_wise(text, "Z", "")
        if iso and pa.types.is_timestamp(t):
            text = pc.replace_substring(text, " ", "T", max_replacements=1)
        return text
    if pa.types.is_struct(t) and any(_is_datetime(f.type) for f in t):
        assert isinstance(column, pa.StructArray)
        children = [datetime_json(column.field(i), iso) for i in range(t.num_fields)]
        names = [f.name for f in t]
        return pa.StructArray.from_arrays(
            children, names=names, mask=column.is_null() if column.null_count else None
        )
    return column


def _text_piece(t: pa.DataType) -> bool:
    """Types whose JSON text is Arrow's cast to string (as DuckDB's to_json writes them)."""
    return pa.types.is_integer(t) or pa.types.is_boolean(t)


def decimal_json(column: pa.Array) -> pa.Array:
    """DECIMAL as Flink's JSON format writes it (Jackson, `json.encode.decimal-as-plain-number`
    false): Java's `BigDecimal.stripTrailingZeros().toString()`, zero as `0`. Observed on Flink
    2.3: DECIMAL(9,3) 2.500 -> `2.5`, DECIMAL(5,0) 100 -> `1E+2`, DECIMAL(11,9) 0.000000027 ->
    `2.7E-8`. Arrow's cast to string is Java's `toString` of the unstripped value (scientific
    when the exponent is below -6); stripping keeps that exponent, so only the zeros go, and a
    whole number left with trailing zeros turns scientific (negative scale)."""
    text = column.cast(pa.string())
    scale = column.type.scale
    zero = pc.equal(column, pa.scalar(0, column.type))
    plain = zero  # values whose trailing zeros stay: zero itself, exponents
    if 0 < scale <= 6:
        # every value is a plain fraction: `2.500` -> `2.5`, `100.00` -> `100`
        text = pc.utf8_rtrim(pc.utf8_rtrim(text, "0"), ".")
    elif scale > 6:
        # scientific forms too (exponent below -6): `2.70E-10` -> `2.7E-10`, `1.00E-10` -> `1E-10`
        text = pc.replace_substring_regex(text, r"\.?0+E|(\.\d*[1-9])0+E", r"\1E")
        text = pc.replace_substring_regex(text, r"\.0*$|(\.\d*[1-9])0+$", r"\1")
        plain = pc.or_(zero, pc.match_substring(text, "E"))  # an exponent may end in 0: `2E-10`
    whole = pc.and_(pc.ends_with(text, "0"), pc.invert(plain))
    if pc.any(whole).as_py():
        # `-2500` -> `-2.5E+3`: the digits without their k trailing zeros, exponent digits-1+k
        ends = text.filter(whole)
        kept = pc.utf8_rtrim(ends, "0")
        digits = pc.utf8_ltrim(kept, "-")
        count = pc.utf8_length(digits)
        trailing = pc.subtract(pc.utf8_length(ends), pc.utf8_length(kept))
        rest = pc.utf8_slice_codeunits(digits, 1)
        mantissa = pc.if_else(
            pc.greater(count, 1),
            pc.binary_join_element_wise(pc.utf8_slice_codeunits(digits, 0, 1), rest, "."),
            digits,
        )
        sign = pc.if_else(pc.starts_with(ends, "-"), "-", "")
        exponent = pc.add(pc.subtract(count, 1), trailing).cast(pa.string())
        sci = pc.binary_join_element_wise(sign, mantissa, "E+", exponent, "")
        text = pc.replace_with_mask(text, whole, sci)
    return pc.if_else(zero, "0", text)


def _string_piece(column: pa.Array) -> pa.Array | None:
    """A text column's values ready to sit between quotes, or None when one holds a control
    character (those need \\uXXXX escapes: the caller falls back to DuckDB). numpy compares
    the bytes at ~0.3 ns each, 20x faster than a regular expression."""
    data = text_bytes(column)
    if (data < 0x20).any():
        return None
    if not ((data == ord('"')).any() or (data == ord("\\")).any()):
        return column
    escaped = pc.replace_substring(column, "\\", "\\\\")
    return pc.replace_substring(escaped, '"', '\\"')


class JsonEncoder:
    """Rows -> JSON objects, column-wise: each column's JSON text is made on its own and the
    keys and texts are joined in one Arrow kernel. Integers, BOOLEAN, TIMESTAMP, TIME, DECIMAL,
    BYTES (base64) and text are written by Arrow kernels (no per-batch query, which costs
    DuckDB ~1.5 ms even for a few hundred rows); the other columns (DOUBLE, DATE, nested types, text with control
    characters) by one DuckDB `to_json` per column in a single query."""

    def __init__(self, schema: pa.Schema, options: Mapping[str, str], table: str) -> None:
        self.schema = schema
        self.iso = options.get("json.timestamp-format.standard", "SQL").upper() == "ISO-8601"
        self.keys = [
            ("{" if i == 0 else ",") + json.dumps(f.name, ensure_ascii=False) + ":"
            for i, f in enumerate(schema)
        ]
        self.con: Any = None

    def _piece(self, column: pa.Array) -> tuple[pa.Array, bool] | None:
        """The column's JSON text and whether it goes between quotes; None: DuckDB writes it."""
        t = column.type
        if _is_datetime(t):
            # digits and separators: nothing to escape
            return datetime_json(column, self.iso), True
        if pa.types.is_decimal(t):
            return decimal_json(column), False
        if _text_piece(t):
            return column.cast(pa.string()), False
        if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
            # base64, as Flink writes BYTES (and the decoder reads them)
            coded = [
                None if v is None else base64.b64encode(v).decode() for v in column.to_pylist()
            ]
            return pa.array(coded, pa.string()), True
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            text = _string_piece(column.cast(pa.string()))  # one string type for the join
            return None if text is None else (text, True)
        return None

    def _duckdb(self, columns: dict[int, pa.Array]) -> dict[int, pa.Array]:
        """The columns' JSON texts as DuckDB's to_json writes them."""
        if self.con is None:
            import duckdb

            self.con = duckdb.connect()
        data = pa.Table.from_arrays(list(columns.values()), names=[f"c{i}" for i in columns])
        self.con.register("nrtg_rows", data)
        try:
            sql = ", ".join(f"to_json(c{i})" for i in columns)
            out = self.con.sql(f"SELECT {sql} FROM nrtg_rows").to_arrow_table()
        finally:
            self.con.unregister("nrtg_rows")
        return {i: contiguous(out.column(j)) for j, i in enumerate(columns)}

    def encode_array(self, batch: pa.RecordBatch) -> pa.Array:
        """One JSON object per row, as a binary array (bytes are cheaper to make than str
        and go to Kafka as they are)."""
        pieces: list[tuple[pa.Array, bool] | None] = []
        rest: dict[int, pa.Array] = {}
        for i in range(len(self.schema)):
            column = batch.column(i)
            piece = self._piece(column)
            if piece is None:
                rest[i] = datetime_json(column, self.iso)
            pieces.append(piece)
        written = self._duckdb(rest) if rest and batch.num_rows else {}
        parts: list[Any] = []
        for i, (key, piece) in enumerate(zip(self.keys, pieces, strict=True)):
            text, quoted = piece if piece is not None else (written.get(i), False)
            if text is None:  # an empty batch: nothing was written
                text = pa.array([], pa.string())
            if text.null_count:
                if quoted:
                    text = pc.binary_join_element_wise('"', text, '"', "")
                    quoted = False
                text = pc.fill_null(text, "null")
            parts += [key + '"', text, '"'] if quoted else [key, text]
        if not parts:
            return pa.array([b"{}"] * batch.num_rows, pa.binary())
        parts.append("}")
        joined = pc.binary_join_element_wise(*parts, "")
        return joined.cast(pa.binary())

    def encode(self, batch: pa.RecordBatch) -> list[bytes | str | None]:
        values: list[bytes | str | None] = self.encode_array(batch).to_pylist()
        return values
