"""Differential fuzz test of the stream JSON decoder against DuckDB's typed `read_json`.

The decoder's contract (runtime/stream/formats/json.py) is that a Kafka message value decodes
exactly as the same line of a JSON file read by the filesystem connector. The authority for a
record is therefore that reader, record by record: the line written to a file and read with
`read_json(path, format = 'newline_delimited', columns = {...}, auto_detect = false)` in the
DuckDB types the filesystem connector declares (`duck_type_text`), cast to the stream schema as
the file source casts its rows (`conform`). It yields a row or an error. On top of the file
reader: BYTES are base64 text in JSON (Flink writes them so), so they are read as VARCHAR and
decoded with DuckDB's `from_base64` (text that is not base64 is an error); a value that is not
a JSON object is malformed; a tombstone, a blank value or the literal `null` carries no row.

Seeded random schemas and records (valid values in their canonical layouts plus the mistakes
producers make: wrong JSON types, out-of-range numbers, odd timestamp layouts, bad base64,
missing, unknown and duplicate undeclared keys, malformed JSON, non-object values) go through
the decoder in polls of 1, ~25 and ~3000 messages, with the pyarrow path and the DuckDB path
each forced (`DUCKDB_MIN_BYTES`), lenient and strict. Values are compared exactly (floats bit
for bit, NaN equal to NaN).

Left out of the generator, DuckDB's own oddities: values outside Arrow's or Python's range
(TIME `24:00:00`; DATE/TIMESTAMP `infinity`, `-infinity`, years 0 and above 9999) and some
exponents into a DECIMAL without integer digits (`1.5E-1` fails into DECIMAL(5, 5)).

Cases the decoder's one-query classification of a bad poll gets wrong on its own, and its
strict re-read of the lines it accepts must catch: declared keys given twice (`{"a":1,"a":2}`,
in ROWs too); a ROW given a non-object (`1`, `[]`); ARRAY elements and MAP values that do not
convert (`["x"]`, `{"k":[1]}`); strings read into numbers by DuckDB's cast but not its JSON
reader (`"1.5"` and `"+5"` into integers, `"1"` into BOOLEAN, `" 2.5 "` into FLOAT/DOUBLE);
column names beyond ASCII (`ü`).
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import math
import random
import re
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from nrtg.catalog import types as t
from nrtg.catalog.errors import ExecutionError
from nrtg.catalog.type_mapping import to_arrow_type
from nrtg.catalog.types import Kind, SqlType
from nrtg.compiler.lower.duckdb_types import duck_type_text
from nrtg.runtime.batch.formats import lit, spec
from nrtg.runtime.stream.formats import Decoded, Decoder, make_decoder
from nrtg.runtime.stream.formats import json as json_format
from nrtg.runtime.stream.operators._rows import conform

SEEDS = (11, 23, 37)
LENIENT = {"json.ignore-parse-errors": "true"}
BASE_OFFSET = 100000  # six-digit offsets: one offset's text is never a prefix of another's

# -- schemas ------------------------------------------------------------------------------------

INTEGERS = {Kind.TINYINT: 8, Kind.SMALLINT: 16, Kind.INT: 32, Kind.BIGINT: 64}
# DECIMAL widths: DuckDB stores p <= 4, 9, 18, 38 in 16, 32, 64 and 128 bits
DECIMALS = [(1, 0), (3, 2), (5, 5), (18, 4), (19, 2), (38, 0), (38, 19)]
# Column and ROW field names: a mixed case one (a key differing only in case is another key in
# Flink), a space, a quote.
NAMES = ["id", "v", "Amount", "ts", "with space", 'q"uote', "x_1", "day", "b", "ü"]


def scalar_types() -> list[SqlType]:
    return [
        t.tinyint(),
        t.smallint(),
        t.int_(),
        t.bigint(),
        t.float_(),
        t.double(),
        t.boolean(),
        t.string(),
        *(t.decimal(p, s) for p, s in DECIMALS),
        t.date(),
        t.time(3),
        t.timestamp(3),
        t.timestamp_ltz(3),
        t.bytes_(),
    ]


def random_type(rng: random.Random, depth: int) -> SqlType:
    """A field type of a ROW: scalar, ARRAY or a ROW again (two levels deep at most)."""
    roll = rng.random()
    if depth < 2 and roll < 0.15:
        return random_row(rng, depth + 1)
    if roll < 0.25:
        return t.array(rng.choice([t.bigint(), t.string()]))
    return rng.choice(scalar_types())


def random_row(rng: random.Random, depth: int) -> SqlType:
    names = rng.sample(NAMES, rng.randint(1, 4))
    return t.row([(n, random_type(rng, depth)) for n in names])


def random_fields(rng: random.Random, part: int) -> list[tuple[str, SqlType]]:
    """Part `part` of len(SEEDS) of the scalar types (each seed its own, every type over the
    seeds) and nested columns, in a random order under random names. Only the first part has
    a MAP: the decoder reads a schema with one by DuckDB alone, the others take pyarrow's path
    too."""
    types = [
        *scalar_types()[part :: len(SEEDS)],
        random_row(rng, 1),
        random_row(rng, 0),
        t.array(rng.choice([t.bigint(), t.string()])),
    ]
    if part == 0:
        types.append(t.map_(t.string(False), t.bigint()))
    rng.shuffle(types)
    names = [*NAMES, *(f"c{i}" for i in range(len(types)))]
    return list(zip(names, types, strict=False))


def read_type(typ: SqlType) -> SqlType:
    """The type the authority reads: BYTES as the base64 text (STRING), at any depth."""
    if typ.kind in (Kind.BINARY, Kind.VARBINARY):
        return t.string()
    if typ.kind is Kind.ROW:
        return t.row([(f.name, read_type(f.type)) for f in typ.fields])
    return typ


# -- values -------------------------------------------------------------------------------------

# Values of the wrong JSON kind for any scalar column, and nested junk.
JUNK = [
    "{}",
    "[]",
    "[1]",
    '{"x":{"y":[1,{"z":null}]}}',
    '"x"',
    "true",
    "false",
    "1",
    "-1.5",
    '""',
]
STRINGS = ["", "a", "Ünïcödé", "tab\\tnew\\nline", 'quo\\"te', "back\\\\slash", "\\u00e9\\u4e2d"]


def text(value: str) -> str:
    """A JSON string literal whose body is `value` as written (escapes included)."""
    return f'"{value}"'


def pick(rng: random.Random, *choices: Callable[[], str]) -> str:
    return rng.choice(choices)()


def int_valid(rng: random.Random, bits: int) -> str:
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    small = rng.randint(max(lo, -1000), min(hi, 1000))
    return str(rng.choice([lo, hi, 0, -1, 1, rng.randint(lo, hi), small]))


def int_mutations(bits: int) -> list[str]:
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return [
        '"123"',
        '" 12 "',
        '"1.5"',
        '"+5"',
        '"0x10"',
        '"abc"',
        "1.5",
        "2.5",
        "-1.5",
        "-2.5",
        "0.5",
        "1.0",
        "-0",
        "1e2",
        "1E2",
        "1e30",
        "true",
        "false",
        str(hi + 1),
        str(lo - 1),
        f"{hi}.4",
        f"{hi}.5",
        f"{lo}.5",
        f'"{hi + 1}"',
        "9223372036854775807.0",
        "NaN",
        *JUNK[:5],
    ]


def float_valid(rng: random.Random, single: bool) -> str:
    if single:
        bits = struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0]
        candidates = [bits, 0.1, 3.4028234663852886e38, 1.401298464324817e-45, 16777217.0]
        x = rng.choice(candidates)
        if not math.isfinite(x):
            x = 1.5
        if rng.random() < 0.3 and abs(x) < 3.4e38:  # rounding the largest up overflows
            # a decimal text of up to 17 digits: DuckDB's rounding to float, not Python's
            return f"{x:.{rng.randint(1, 16)}e}"
        return repr(x)
    x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
    candidates = [x, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, -0.0, 3.0, 1e22, 2.5e-308]
    x = rng.choice(candidates)
    if not math.isfinite(x):
        x = -2.75
    if rng.random() < 0.3 and abs(x) < 1.7e308:  # rounding the largest up overflows
        return f"{x:.{rng.randint(1, 20)}e}"
    return repr(x)


FLOAT_MUTATIONS = [
    '"1.5"',
    '" 2.5 "',
    '"NaN"',
    '"nan"',
    '"inf"',
    '"-Infinity"',
    '"1e39"',
    '"abc"',
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    "3.4028236e38",
    "1e39",
    "1e-46",
    "1e-400",
    "true",
    "-0.0",
    "123",
    *JUNK[:5],
]

BOOL_MUTATIONS = [
    '"true"',
    '"1"',
    '"false"',
    '"TRUE"',
    '"t"',
    '"f"',
    '"yes"',
    '" true"',
    "1",
    "0",
    "2",
    "1.5",
    "-1",
    *JUNK[:5],
]

STRING_MUTATIONS = [
    "123",
    "1.5",
    "1e2",
    "1.50",
    "-0",
    "true",
    "false",
    '{"a":1}',
    "[1,2]",
    '[{"a":[]}]',
    '"\\ud83d\\ude00"',
    '"\\ud800"',
    '"\\u0000x"',
    '"\\/"',
    '"\\x41"',
]


def decimal_valid(rng: random.Random, p: int, s: int) -> str:
    whole = rng.randint(0, p - s) if p > s else 0
    digits = "".join(rng.choice("0123456789") for _ in range(whole)) or "0"
    frac = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, s)))
    sign = "-" if rng.random() < 0.3 else ""
    return f"{sign}{digits.lstrip('0') or '0'}" + (f".{frac}" if frac else "")


def decimal_mutations(p: int, s: int) -> list[str]:
    nines = "9" * (p - s) or "0"
    # DuckDB fails some exponents into a DECIMAL without integer digits (`1.5E-1` and `1e-5`
    # into DECIMAL(5, 5), where `0.5e0` reads), an oddity of its own: left out there
    exponents = ["1e2", "1.5E-1", "1e40", "1e-5", '"1e2"'] if p > s else []
    return [
        *exponents,
        # too many fraction digits: rounded half up, or into an overflow
        f"{nines}.{'9' * s}5",
        f"{nines}.{'9' * s}4",
        "1." + "0" * s + "5",
        "-1." + "2" * s + "5",
        "0." + "0" * s + "49",
        # too many integer digits
        "1" + "0" * (p - s),
        "-1" + "0" * (p - s) + ".5",
        "-0",
        '"1.50"',
        '" 1.5 "',
        '"1.5 x"',
        '"NaN"',
        "NaN",
        "0.1234567890123456789012",
        "123456789012345678901234567890.5",
        *JUNK[:5],
    ]


def date_valid(rng: random.Random) -> str:
    y = rng.choice([rng.randint(1900, 2100), 1, 9999, 1970, 2024])
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    return f"{y:04d}-{m:02d}-{d:02d}"


def time_valid(rng: random.Random) -> str:
    h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    frac = rng.choice(["", "." + str(rng.randint(0, 9)), f".{rng.randint(0, 999):03d}"])
    return f"{h:02d}:{mi:02d}:{s:02d}{frac}"


DATE_MUTATIONS = [
    '"2026-1-1"',
    '"2026-02-30"',
    '"2026-02-29"',
    '"2024-02-29"',
    '"2026-13-01"',
    '"2026-01-01 12:00:00"',
    '"2026-01-01T00:00:00"',
    '"2026-01-01T00:00:00Z"',
    '" 2026-01-01"',
    '"2026-01-01 "',
    '"20260101"',
    "20260101",
    '"2026/01/01"',
    '"2026-01-01 BC"',
    '"01-01-2026"',
    *JUNK[:5],
]

TIME_MUTATIONS = [
    '"12:34"',
    '"12"',
    '"1:2:3"',
    '"12:34:60"',
    '"12:60:00"',
    '"25:00:00"',
    '"12:34:56Z"',
    '"12:34:56+01:00"',
    '"12:34:56.1234"',
    '"12:34:56.123456"',
    '"12:34:56.1234567"',
    '"23:59:59.9999999"',
    '"2026-01-01 12:00:00"',
    '"2026-01-01T12:00:00.5"',
    '" 12:00:00"',
    '"12:00:00 "',
    '"12:00:00 PM"',
    "123",
    *JUNK[:5],
]


def timestamp_mutations(zoned: bool) -> list[str]:
    return [
        '"2026-01-01T00:00:00"',
        '"2026-01-01T00:00:00.123Z"',
        '"2026-01-01 00:00:00Z"',
        '"2026-01-01 00:00:00+01:00"',
        '"2026-01-01T00:00:00-05:30"',
        '"2026-01-01 00:00:00+01"',
        '"2026-01-01 00:00:00 UTC"',
        '"2026-01-01 00:00:00 Europe/Paris"',
        '"2026-01-01T00"',
        '"2026-01-01T00:00"',
        '"2026-01-01 00:00"',
        '"2026-01-01"',
        '"2026-01-01 00:00:00.1234"',
        '"2026-01-01 00:00:00.123456"',
        '"2026-01-01 00:00:00.1234567"',
        '"2026-01-01 00:00:00.123456789"',
        '"2026-01-01 00:00:00.9999995"',
        '"2026-1-1"',
        '"2026-1-1 1:2:3"',
        '" 2026-01-01 00:00:00"',
        '"2026-01-01 00:00:00 "',
        '"2026-01-01 23:59:60"',
        '"2026-01-01 24:00:00"',
        '"2026-02-30 00:00:00"',
        '"2026-01-01  00:00:00"',
        '"2026-01-01 00:00:00.123Z"' if zoned else '"2026-01-01T00:00:00+00:00"',
        "0",
        "1767225600000",
        *JUNK[:5],
    ]


def bytes_valid(rng: random.Random) -> str:
    data = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 10)))
    return text(base64.b64encode(data).decode())


BYTES_MUTATIONS = [
    '"YQ"',  # unpadded
    '"YWI"',
    '"YQ=="',
    '"YQ="',
    '"!!!!"',
    '"ab$d"',
    '"YW Jj"',
    '"YWJj\\n"',
    '"-_-_"',  # base64url alphabet
    '"abc"',
    '"true"',
    "123",
    "1234",
    "true",
    "[1]",
    "{}",
]


def mutations(typ: SqlType) -> list[str]:
    """The mistakes a producer makes in a value of scalar type `typ` (some DuckDB reads)."""
    k = typ.kind
    if k in INTEGERS:
        return int_mutations(INTEGERS[k])
    if k in (Kind.FLOAT, Kind.DOUBLE):
        return FLOAT_MUTATIONS
    if k is Kind.BOOLEAN:
        return BOOL_MUTATIONS
    if k is Kind.VARCHAR:
        return STRING_MUTATIONS
    if k is Kind.DECIMAL:
        assert typ.precision is not None and typ.scale is not None
        return decimal_mutations(typ.precision, typ.scale)
    if k is Kind.DATE:
        return DATE_MUTATIONS
    if k is Kind.TIME:
        return TIME_MUTATIONS
    if k in (Kind.TIMESTAMP, Kind.TIMESTAMP_LTZ):
        return timestamp_mutations(k is Kind.TIMESTAMP_LTZ)
    assert k in (Kind.BINARY, Kind.VARBINARY), typ
    return BYTES_MUTATIONS


@dataclass
class Gen:
    """The random JSON text of values: valid in their canonical layouts, sometimes a mistake."""

    rng: random.Random
    mistakes: float  # the chance of a mistake in each value

    def value(self, typ: SqlType) -> str:
        roll = self.rng.random()
        if roll < 0.07:
            return "null"
        if roll < 0.07 + self.mistakes:
            return self.mutation(typ)
        return self.valid(typ)

    def element(self, typ: SqlType) -> str:
        """An ARRAY element or MAP value: valid or null."""
        return "null" if self.rng.random() < 0.1 else self.valid(typ)

    def valid(self, typ: SqlType) -> str:
        rng, k = self.rng, typ.kind
        if k in INTEGERS:
            return int_valid(rng, INTEGERS[k])
        if k in (Kind.FLOAT, Kind.DOUBLE):
            return float_valid(rng, k is Kind.FLOAT)
        if k is Kind.BOOLEAN:
            return rng.choice(["true", "false"])
        if k is Kind.VARCHAR:
            return text(rng.choice(STRINGS))
        if k is Kind.DECIMAL:
            assert typ.precision is not None and typ.scale is not None
            return decimal_valid(rng, typ.precision, typ.scale)
        if k is Kind.DATE:
            return text(date_valid(rng))
        if k is Kind.TIME:
            return text(time_valid(rng))
        if k in (Kind.TIMESTAMP, Kind.TIMESTAMP_LTZ):
            sep = rng.choice([" ", "T"])
            zone = "Z" if k is Kind.TIMESTAMP_LTZ and rng.random() < 0.4 else ""
            return text(f"{date_valid(rng)}{sep}{time_valid(rng)}{zone}")
        if k in (Kind.BINARY, Kind.VARBINARY):
            return bytes_valid(rng)
        if k is Kind.ARRAY:
            assert typ.element is not None
            items = [self.element(typ.element) for _ in range(rng.randint(0, 4))]
            return "[" + ",".join(items) + "]"
        if k is Kind.MAP:
            assert typ.value is not None
            keys = rng.sample(["a", "b", "k", "ü", ""], rng.randint(0, 3))
            return "{" + ",".join(f"{text(key)}:{self.element(typ.value)}" for key in keys) + "}"
        if k is Kind.ROW:
            return self.object([(f.name, f.type) for f in typ.fields])
        raise AssertionError(typ)

    def mutation(self, typ: SqlType) -> str:
        rng, k = self.rng, typ.kind
        if k is Kind.ARRAY:
            assert typ.element is not None
            element = typ.element
            return pick(
                rng,
                lambda: "[" + self.valid(element) + ",null]",
                lambda: rng.choice(['{"a":1}', "1", '"[1,2]"', "true", "[1.0]", '["1"]', "[true]"]),
                lambda: rng.choice(['["x"]', "[[1]]", "[9223372036854775808]", '["1.5"]']),
            )
        if k is Kind.MAP:
            return rng.choice(
                [
                    *('{"a":"1"}', '{"a":1.5}', '{"a":1.0}', "[]", '{"a":true}', '{"a":1,"a":2}'),
                    *('[["a",1]]', "1", '"a"', '{"a":null}'),
                    *('{"k":"x"}', '{"k":[1]}', '{"k":"1.5"}'),
                ]
            )
        if k is Kind.ROW:
            if rng.random() < 0.2:
                return rng.choice(["1", "[]", '"x"', "true"])  # not an object
            return self.object([(f.name, f.type) for f in typ.fields], mistakes=True)
        return rng.choice(mutations(typ))

    def object(self, fields: list[tuple[str, SqlType]], mistakes: bool = False) -> str:
        return "{" + ",".join(self.members(fields, mistakes)) + "}"

    def members(
        self,
        fields: list[tuple[str, SqlType]],
        mistakes: bool,
        forced: tuple[str, str] | None = None,
    ) -> list[str]:
        """The `"key":value` members of an object of `fields`: in any order, `forced` the
        (key, value) of one of them, and with `mistakes` keys missing, unknown, duplicated
        (declared and undeclared) or differing only in case."""
        rng = self.rng
        members = [
            (name, forced[1] if forced and name == forced[0] else self.value(typ), typ)
            for name, typ in fields
        ]
        rng.shuffle(members)
        out = [f"{json.dumps(n, ensure_ascii=rng.random() < 0.5)}:{v}" for n, v, _ in members]
        if not mistakes:
            return out
        for _ in range(rng.randint(1, 2)):
            name, _, typ = rng.choice(members)
            roll = rng.random()
            if roll < 0.2 and out:
                out.pop(rng.randrange(len(out)))  # missing key
            elif roll < 0.4:
                out.insert(rng.randint(0, len(out)), f'"zz":{rng.choice(JUNK)}')  # unknown key
            elif roll < 0.5:
                out += ['"dup":1', '"dup":{"x":[2]}']  # duplicate undeclared key
            elif roll < 0.6:
                out.append(f"{json.dumps(name)}:{self.value(typ)}")  # declared key given twice
            elif roll < 0.8:
                variant = name.upper() if name != name.upper() else name.lower()
                out.append(f"{json.dumps(variant)}:{self.value(typ)}")  # key differing in case
            else:
                out.append('"junk":{"a":[{"b":[[],{},null,1.5e300,"\\u0041"]}]}')
        return out


@dataclass(frozen=True)
class Record:
    """A message value, and the one-line JSON text the authority reads for it (differs only
    for a value spread over lines between tokens: JSON whitespace, the same object)."""

    value: bytes | None
    line: bytes | None


def record(gen: Gen, fields: list[tuple[str, SqlType]]) -> Record:
    """A random message value: mostly an object, with mistakes in values, keys, the JSON
    syntax, or no object at all."""
    rng = gen.rng
    roll = rng.random()
    if roll < 0.04:
        value = rng.choice([None, b"", b" ", b"\t", b"\n", b"null", b" null ", b"null\n"])
        return Record(value, value)
    if roll < 0.09:
        top = rng.choice(["1", "[1]", '"x"', "true", " 1", "[{}]", "1.5", '"{}"', "[]"])
        return Record(top.encode(), top.encode())
    members = gen.members(fields, mistakes=rng.random() < 0.3)
    body = "{" + ",".join(members) + "}"
    if roll < 0.22:
        return malformed(rng, body, members)
    if roll < 0.25 and members:
        # a value spread over lines between tokens (pretty-printed): the same object
        spread = "{\n" + ",\n".join(members) + "\n}"
        return Record(spread.encode(), ("{ " + ", ".join(members) + " }").encode())
    if roll < 0.3:
        wrapped = rng.choice([" ", "\t", "\n", "  "]) + body + rng.choice(["", " ", "\r", "\n"])
        return Record(wrapped.encode(), wrapped.encode())
    return Record(body.encode(), body.encode())


def sweep(rng: random.Random, fields: list[tuple[str, SqlType]]) -> list[Record]:
    """A record for each mistake of each scalar column, the other values valid."""
    clean = Gen(rng, mistakes=0.0)
    forms = [(n, m) for n, typ in fields if not typ.is_nested for m in mutations(typ)]
    records = []
    for name, mistake in forms:
        body = ("{" + ",".join(clean.members(fields, False, (name, mistake))) + "}").encode()
        records.append(Record(body, body))
    return records


def malformed(rng: random.Random, body: str, members: list[str]) -> Record:
    """`body` broken the ways producers break JSON (some of which DuckDB still reads)."""
    forms: list[Callable[[], str]] = [
        lambda: body[: rng.randint(1, max(1, len(body) - 1))],  # truncated
        lambda: body[:-1] + ",}" if members else "{,}",  # trailing comma
        lambda: body + body,  # two objects in one value
        lambda: body + " " + body,
        lambda: body + "\n" + body,
        lambda: body + "}",
        lambda: body + " x",
        lambda: "{" + ",".join(members) + ',"s":"a\tb"}',  # a raw tab inside a string
        lambda: "{" + ",".join(members) + ',"s":"a\nb"}',  # a raw line feed inside a string
        lambda: "{" + ",".join(members) + ",'s':1}",  # single quotes
        lambda: "{" + ",".join(members) + ",s:1}",  # an unquoted key
        lambda: "{" + ",".join(members) + ',"s":01}',  # a leading zero
        lambda: "{" + ",".join(members) + ',"s":.5}',
        lambda: "{" + ",".join(members) + ',"s":+1}',
        lambda: "{" + ",".join(members) + ',"s":1,,"t":2}',
        lambda: "{" + ",".join(members) + ',"s" 1}',
        lambda: "{" + ",".join(members) + ",/* c */ }",
    ]
    broken = rng.choice(forms)().encode()
    if rng.random() < 0.1:
        broken = broken[:-1] + b',"s":"\xff\xfe"}'  # not UTF-8 (a Latin-1 producer)
    return Record(broken, broken)


# -- the authority ------------------------------------------------------------------------------

NO_ROW = "no row"
ERROR = "error"
STATES = (NO_ROW, ERROR)


def canonical(typ: pa.DataType, v: Any) -> Any:
    """A Python value that compares equal exactly when the values are the same: floats by
    their bits (every NaN alike), nested values as tuples."""
    if v is None:
        return None
    if pa.types.is_floating(typ):
        return "NaN" if math.isnan(v) else struct.pack("<d", v)
    if pa.types.is_struct(typ):
        return tuple((f.name, canonical(f.type, v[f.name])) for f in typ)
    if pa.types.is_map(typ):
        return tuple((k, canonical(typ.item_type, x)) for k, x in v)
    if pa.types.is_list(typ):
        return tuple(canonical(typ.value_type, x) for x in v)
    return v


def rows_of(table: pa.Table) -> list[tuple[Any, ...]]:
    columns = [
        [canonical(f.type, v) for v in table.column(i).to_pylist()]
        for i, f in enumerate(table.schema)
    ]
    return list(zip(*columns, strict=True)) if columns else [()] * table.num_rows


class Authority:
    """DuckDB reading one record as the filesystem connector reads a JSON line."""

    def __init__(self, fields: list[tuple[str, SqlType]], workdir: Path) -> None:
        self.schema = pa.schema([pa.field(n, to_arrow_type(typ)) for n, typ in fields])
        self.read_schema = pa.schema([pa.field(n, to_arrow_type(read_type(y))) for n, y in fields])
        self.columns = [(n, duck_type_text(read_type(typ))) for n, typ in fields]
        self.con = duckdb.connect()
        self.con.execute("SET threads = 1")
        self.con.execute("SET TimeZone = 'UTC'")
        self.workdir = workdir
        self.files = 0

    def expect(self, rec: Record) -> Any:
        """NO_ROW, ERROR, or the record's row (canonical values)."""
        value = rec.line
        if value is None or value.strip(b" \t\r\n") in (b"", b"null"):
            return NO_ROW
        if not value.lstrip(b" \t\r\n").startswith(b"{"):
            return ERROR  # a JSON value that is not an object is a malformed record
        self.files += 1
        path = self.workdir / f"record-{self.files}.json"
        path.write_bytes(value + b"\n")
        sql = (
            f"SELECT * FROM read_json({lit(str(path))}, format = 'newline_delimited', "
            f"columns = {spec(self.columns)}, auto_detect = false)"
        )
        try:
            table = self.con.sql(sql).to_arrow_table()
        # DuckDB's message quotes the line: a line that is not UTF-8 fails to decode into one
        except (duckdb.Error, UnicodeDecodeError):
            return ERROR
        if table.num_rows != 1:
            return ERROR  # two objects on lines of their own are still one malformed value
        batch = conform(table.to_batches()[0], self.read_schema)
        assert batch.schema.types == self.read_schema.types, batch.schema
        try:
            row = [
                self.debase(f.type, v)
                for f, v in zip(self.schema, batch.to_pylist()[0].values(), strict=True)
            ]
        except duckdb.Error:
            return ERROR
        typed = pa.Table.from_pylist([dict(zip(self.schema.names, row, strict=True))], self.schema)
        return rows_of(typed)[0]

    def debase(self, typ: pa.DataType, v: Any) -> Any:
        """BYTES from their base64 text by DuckDB's `from_base64` (raises on bad base64)."""
        if v is None:
            return None
        if pa.types.is_binary(typ):
            ((decoded,),) = self.con.execute("SELECT from_base64(?)", [v]).fetchall()
            return decoded
        if pa.types.is_struct(typ):
            return {f.name: self.debase(f.type, v[f.name]) for f in typ}
        return v


# -- the decoder against it ---------------------------------------------------------------------


def locate(i: int) -> str:
    return f"topic t, partition 0, offset {BASE_OFFSET + i}"


@dataclass(frozen=True)
class Case:
    fields: list[tuple[str, SqlType]]
    schema: pa.Schema
    records: list[Record]
    expected: list[Any]  # per record: NO_ROW, ERROR or its row
    clean: list[int]  # the records of valid values in canonical layouts

    def describe(self, index: list[int], note: str) -> str:
        """A disagreement, with (up to three of) the records involved and their expectation."""
        return f"{note}\n  schema: {self.schema.to_string(show_schema_metadata=False)}" + "".join(
            f"\n  record {self.records[i].value!r}: expected {self.expected[i]}" for i in index[:3]
        )


@functools.cache
def case_of(seed: int) -> Case:
    """The seed's schema, records and their expected outcomes (shared by both paths)."""
    rng = random.Random(seed)
    fields = random_fields(rng, SEEDS.index(seed))
    gen, clean = Gen(rng, mistakes=0.03), Gen(rng, mistakes=0.0)
    records = sweep(rng, fields) + [record(gen, fields) for _ in range(60)]
    for _ in range(30):
        body = clean.object(fields).encode()
        records.append(Record(body, body))
    with tempfile.TemporaryDirectory() as workdir:
        authority = Authority(fields, Path(workdir))
        expected = [authority.expect(r) for r in records]
    n = len(records)
    return Case(fields, authority.schema, records, expected, list(range(n - 30, n)))


def decoded_rows(case: Case, decoded: Decoded, count: int) -> list[tuple[int, Any]]:
    """(message index, row) of each decoded row."""
    assert decoded.table.schema.types == case.schema.types, decoded.table.schema
    assert decoded.ops is None
    source = decoded.source if decoded.source is not None else list(range(count))
    return list(zip(source, rows_of(decoded.table), strict=True))


def check_lenient(case: Case, decoder: Decoder, index: list[int]) -> str | None:
    """A disagreement of a lenient decoder on the poll of records `index`, or None."""
    try:
        decoded = decoder.decode([case.records[i].value for i in index], locate)
    except Exception as e:  # lenient decoding never fails: report it as a disagreement
        return case.describe(index, f"lenient poll of {len(index)} raised {e!r}")
    got = decoded_rows(case, decoded, len(index))
    want = [(j, case.expected[i]) for j, i in enumerate(index) if case.expected[i] not in STATES]
    for g, w in itertools.zip_longest(got, want):
        if g != w:
            at = index[(w or g)[0]]
            return case.describe([at], f"lenient poll of {len(index)}: row {g}, expected {w}")
    bad = [i for i in index if case.expected[i] == ERROR]
    if decoded.skipped != len(bad):
        return case.describe(bad or index, f"skipped {decoded.skipped}, expected {len(bad)}")
    return None


def check_strict(case: Case, decoder: Decoder, index: list[int]) -> str | None:
    """A disagreement of a strict decoder on the poll of records `index`, or None: the error
    names the first bad record's offset, a poll without one gives its rows."""
    first = next((j for j, i in enumerate(index) if case.expected[i] == ERROR), None)
    try:
        decoded = decoder.decode([case.records[i].value for i in index], locate)
    except ExecutionError as e:
        found = re.search(r"offset (\d+)", str(e))
        at = int(found.group(1)) - BASE_OFFSET if found else None
        if at == first:
            return None
        named = [index[at]] if at is not None and 0 <= at < len(index) else []
        shown = named + ([index[first]] if first is not None else [])
        return case.describe(shown, f"strict poll of {len(index)} names {at}, not {first}: {e}")
    except Exception as e:  # any other failure is the decoder's
        return case.describe(index, f"strict poll of {len(index)} raised {e!r}")
    if first is not None:
        return case.describe([index[first]], f"strict poll of {len(index)} did not fail")
    want = [(j, case.expected[i]) for j, i in enumerate(index) if case.expected[i] != NO_ROW]
    got = decoded_rows(case, decoded, len(index))
    for g, w in itertools.zip_longest(got, want):
        if g != w:
            at = index[(w or g)[0]]
            return case.describe([at], f"strict poll of {len(index)}: row {g}, expected {w}")
    return None


def runs(order: list[int], rng: random.Random) -> Iterator[list[int]]:
    """`order` cut into polls of 10 to 40 messages."""
    start = 0
    while start < len(order):
        size = rng.randint(10, 40)
        yield order[start : start + size]
        start += size


def polls(case: Case, rng: random.Random) -> Iterator[list[int]]:
    """Record indexes per poll: a twentieth of the records alone, shuffled runs of ~25 of all
    records, of the good ones and of the clean ones (which pyarrow takes), and ~3000 records
    (repeated and shuffled) of all and of the clean ones."""
    n = len(case.records)
    good = [i for i in range(n) if case.expected[i] != ERROR]
    yield from ([i] for i in range(n) if rng.random() < 1 / 20)
    for subset in (list(range(n)), good, case.clean):
        yield from runs(rng.sample(subset, len(subset)), rng)
    yield [rng.randrange(n) for _ in range(3000)]
    yield [rng.choice(case.clean) for _ in range(3000)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("min_bytes", [0, 1 << 60], ids=["duckdb", "pyarrow-first"])
def test_decoder_matches_duckdb_read_json(
    seed: int, min_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = case_of(seed)
    monkeypatch.setattr(json_format, "DUCKDB_MIN_BYTES", min_bytes)
    # one decoder per mode for all the polls, as a source keeps its decoder
    lenient = make_decoder("json", case.schema, LENIENT, "t")
    strict = make_decoder("json", case.schema, {}, "t")
    failures = []
    if min_bytes and not any(typ.kind is Kind.MAP for _, typ in case.fields):
        # pyarrow takes a poll only when it reads all of it, so a value its guards let through
        # wrongly shows in a poll of its own: every record alone (lenient: a wrongly read bad
        # record is a row instead of a skip, as it is a row instead of an error when strict).
        # A schema with a MAP is DuckDB's alone.
        failures += [check_lenient(case, lenient, [i]) for i in range(len(case.records))]
    for index in polls(case, random.Random(seed)):
        failures += [check_lenient(case, lenient, index), check_strict(case, strict, index)]
    found = [f for f in failures if f is not None]
    assert not found, f"{len(found)} disagreements:\n" + "\n".join(found[:10])
