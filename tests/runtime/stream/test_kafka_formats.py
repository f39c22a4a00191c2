"""The connectors' record formats, without a broker: vectorized JSON decoding (types, timestamp
layouts, malformed records located or skipped and counted), csv, raw, debezium-json, encoders."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import random

import pyarrow as pa
import pytest

from nrtg.catalog.errors import ExecutionError
from nrtg.runtime.stream.formats import make_decoder, make_encoder


def locate(i: int) -> str:
    return f"topic t, partition 0, offset {100 + i}"


SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("name", pa.string()),
        ("price", pa.decimal128(10, 2)),
        ("ts", pa.timestamp("ms")),
        ("day", pa.date32()),
        ("tags", pa.list_(pa.int64())),
        ("row", pa.struct([("a", pa.int32()), ("t", pa.timestamp("ms"))])),
    ]
)


def test_json_decodes_types_and_both_timestamp_layouts() -> None:
    values = [
        b'{"id":1,"name":"a","price":1.255,"ts":"2026-01-01 00:00:00.123","day":"2026-01-02",'
        b'"tags":[1,2],"row":{"a":5,"t":"2026-01-01T00:00:01.000"},"unknown":true}',
        b'{"id":2}',
        None,  # a tombstone carries no row
        b'{"id":3,"name":"multi\\nline","price":-1.255,\n"ts":"2026-01-01T00:00:00"}',
    ]
    decoded = make_decoder("json", SCHEMA, {}, "t").decode(values, locate)
    rows = decoded.table.to_pylist()
    assert decoded.source == [0, 1, 3]
    assert rows[0]["price"] == decimal.Decimal("1.26")  # HALF_UP to the declared scale
    assert rows[2]["price"] == decimal.Decimal("-1.26")
    assert rows[0]["ts"] == dt.datetime(2026, 1, 1, 0, 0, 0, 123000)
    assert rows[0]["day"] == dt.date(2026, 1, 2)
    assert rows[0]["tags"] == [1, 2]
    assert rows[0]["row"] == {"a": 5, "t": dt.datetime(2026, 1, 1, 0, 0, 1)}
    assert rows[1] == {
        "id": 2,
        "name": None,
        "price": None,
        "ts": None,
        "day": None,
        "tags": None,
        "row": None,
    }
    assert rows[2]["name"] == "multi\nline"
    assert decoded.table.schema == SCHEMA


def test_json_malformed_record_fails_with_its_location() -> None:
    values = [b'{"id":1}', b'{"id":2}', b'{"id": oops', b'{"id":4}']
    with pytest.raises(ExecutionError) as info:
        make_decoder("json", SCHEMA, {}, "db.t").decode(values, locate)
    message = str(info.value)
    assert "table db.t" in message
    assert "topic t, partition 0, offset 102" in message
    assert "json.ignore-parse-errors" in message


def test_json_values_over_several_lines_parse_and_two_objects_are_malformed() -> None:
    values = [b'{\r\n  "id": 1,\r\n  "name": "a"\r\n}\r\n', b'{"id":2}\n', b'{"id":3}\n{"id":4}']
    decoder = make_decoder("json", SCHEMA, {"json.ignore-parse-errors": "true"}, "t")
    decoded = decoder.decode(values, locate)
    assert decoded.table.column("id").to_pylist() == [1, 2]
    assert decoded.skipped == 1  # one record holding two objects: Flink rejects it too
    with pytest.raises(ExecutionError, match="offset 102"):
        make_decoder("json", SCHEMA, {}, "t").decode(values, locate)


def test_json_wrong_type_is_malformed_too() -> None:
    values = [b'{"id":1}', b'{"id":"x"}', b"[1,2]", b'{"id":4}']
    decoder = make_decoder("json", SCHEMA, {"json.ignore-parse-errors": "true"}, "t")
    decoded = decoder.decode(values, locate)
    assert decoded.skipped == 2
    assert decoded.source == [0, 3]
    assert decoded.table.column("id").to_pylist() == [1, 4]


def test_json_without_fields_still_counts_rows_and_finds_malformed_records() -> None:
    """A job that reads no value field (projection.py) still gets a row per record."""
    decoder = make_decoder("json", pa.schema([]), {}, "t")
    decoded = decoder.decode([b'{"id":1}', None, b'{"x":[2]}'], locate)
    assert decoded.table.num_rows == 2
    assert decoded.source == [0, 2]
    with pytest.raises(ExecutionError, match="offset 101"):
        decoder.decode([b'{"id":1}', b'{"id":'], locate)
    lenient = make_decoder("json", pa.schema([]), {"json.ignore-parse-errors": "true"}, "t")
    decoded = lenient.decode([b'{"id":1}', b'{"id":', None, b'{"x":2}'], locate)
    assert (decoded.table.num_rows, decoded.source, decoded.skipped) == (2, [0, 3], 1)


def test_json_skip_keeps_every_good_record_in_a_large_batch() -> None:
    values: list[bytes | None] = [json.dumps({"id": i}).encode() for i in range(5000)]
    for bad in (7, 2500, 4999):
        values[bad] = b"not json"
    decoder = make_decoder("json", SCHEMA, {"json.ignore-parse-errors": "true"}, "t")
    decoded = decoder.decode(values, locate)
    assert decoded.skipped == 3
    expected = [i for i in range(5000) if i not in (7, 2500, 4999)]
    assert decoded.table.column("id").to_pylist() == expected
    assert decoded.source == expected


@pytest.fixture(params=["pyarrow first", "duckdb"])
def json_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both decoding paths: small polls read by pyarrow where it provably agrees with DuckDB,
    and DuckDB for every poll."""
    from nrtg.runtime.stream.formats import json as json_format

    limit = 1 << 60 if request.param == "pyarrow first" else 0
    monkeypatch.setattr(json_format, "DUCKDB_MIN_BYTES", limit)
    return str(request.param)


def test_json_reads_values_as_json_files_are_read(json_path: str) -> None:
    """DuckDB's read_json rules, as for a JSON file: a number in a string, an integral float,
    a timestamp's offset dropped (TIMESTAMP) or applied (TIMESTAMP_LTZ), a trailing comma,
    maps; decimals round HALF_UP, also past 20 integer digits."""
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("f", pa.float32()),
            ("p", pa.decimal128(38, 2)),
            ("ts", pa.timestamp("ms")),
            ("lt", pa.timestamp("ms", "UTC")),
            ("m", pa.map_(pa.string(), pa.int64())),
        ]
    )
    values = [
        b'{"id":"123","f":0.1,"p":12345678901234567890123.455,'
        b'"ts":"2026-01-01 10:00:00.5+01:00","lt":"2026-01-01 10:00:00+01:00","m":{"a":1},}',
        b'{"id":1e2,"f":16777217,"p":"1.005","ts":"2026-1-2","lt":"2026-01-01T10:00:00Z"}',
    ]
    rows = make_decoder("json", schema, {}, "t").decode(values, locate).table.to_pylist()
    assert rows[0]["id"] == 123 and rows[1]["id"] == 100
    assert rows[0]["f"] == pytest.approx(0.1) and rows[1]["f"] == 16777216.0
    assert rows[0]["p"] == decimal.Decimal("12345678901234567890123.46")
    assert rows[1]["p"] == decimal.Decimal("1.01")
    assert rows[0]["ts"] == dt.datetime(2026, 1, 1, 10, 0, 0, 500000)
    assert rows[1]["ts"] == dt.datetime(2026, 1, 2)
    utc = dt.UTC
    assert rows[0]["lt"] == dt.datetime(2026, 1, 1, 9, 0, tzinfo=utc)
    assert rows[1]["lt"] == dt.datetime(2026, 1, 1, 10, 0, tzinfo=utc)
    assert rows[0]["m"] == [("a", 1)] and rows[1]["m"] is None


def test_json_small_clean_polls_stay_on_pyarrow() -> None:
    """A trickle of small polls does not pay DuckDB's ~2 ms per query: the guarded pyarrow
    read takes them (DuckDB is only connected when a poll needs it)."""
    values = [
        b'{"id":1,"name":"a","price":1.25,"ts":"2026-01-01 00:00:00.123","day":"2026-01-02",'
        b'"tags":[1,2],"row":{"a":5,"t":"2026-01-01T00:00:01"}}',
        b'{"id":2}',
    ]
    decoder = make_decoder("json", SCHEMA, {}, "t")
    rows = decoder.decode(values, locate).table.to_pylist()
    assert rows[0]["row"] == {"a": 5, "t": dt.datetime(2026, 1, 1, 0, 0, 1)}
    assert decoder.duck.con is None  # type: ignore[attr-defined]
    decoder.decode([b'{"id":"3"}'], locate)  # pyarrow rejects a string for a number
    assert decoder.duck.con is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (pa.timestamp("ms"), b'"2026-01-01T00"'),  # hour only: pyarrow reads it, DuckDB not
        (pa.decimal128(38, 18), b"12345678901234567890123"),  # pyarrow's 128-bit read wraps
        (pa.float32(), b"1e39"),  # pyarrow narrows it to infinity
        (pa.binary(), b'"aGVsbG8"'),  # unpadded base64
        (pa.time32("ms"), b'"25:00:00"'),
        (pa.int32(), b"2147483648"),
        # the lenient one-query classification takes these; the strict re-read does not
        (pa.list_(pa.int64()), b'["x"]'),
        (pa.int64(), b'"1.5"'),
        (pa.bool_(), b'"1"'),
        (pa.map_(pa.string(), pa.int64()), b'{"k":[1]}'),
    ],
)
def test_json_values_duckdb_rejects_are_malformed_on_both_paths(
    json_path: str, column: pa.DataType, value: bytes
) -> None:
    schema = pa.schema([("id", pa.int64()), ("v", column)])
    values = [b'{"id":1}', b'{"id":2,"v":' + value + b"}", b'{"id":3}']
    lenient = make_decoder("json", schema, {"json.ignore-parse-errors": "true"}, "t")
    decoded = lenient.decode(values, locate)
    assert (decoded.table.column("id").to_pylist(), decoded.skipped) == ([1, 3], 1)
    with pytest.raises(ExecutionError, match="offset 101"):
        make_decoder("json", schema, {}, "t").decode(values, locate)


def test_json_many_malformed_records_in_a_large_poll(json_path: str) -> None:
    """Every tenth record bad in 5000: each is found (one classifying query, not bisection),
    the first one is the one a strict job names."""
    values: list[bytes | None] = []
    for i in range(5000):
        if i % 10 == 3:
            values.append(b'{"id": "x%d"}' % i if i % 20 == 3 else b'{"id": %d' % i)
        else:
            values.append(b'{"id": %d, "name": "n%d"}' % (i, i))
    decoded = make_decoder("json", SCHEMA, {"json.ignore-parse-errors": "true"}, "t").decode(
        values, locate
    )
    good = [i for i in range(5000) if i % 10 != 3]
    assert decoded.skipped == 500
    assert decoded.source == good
    assert decoded.table.column("id").to_pylist() == good
    assert decoded.table.column("name").to_pylist() == [f"n{i}" for i in good]
    with pytest.raises(ExecutionError, match=r"offset 103: Failed to cast value"):
        make_decoder("json", SCHEMA, {}, "t").decode(values, locate)


def test_json_encoder_writes_sql_or_iso_timestamps() -> None:
    schema = pa.schema([("id", pa.int64()), ("ts", pa.timestamp("ms")), ("p", pa.decimal128(5, 2))])
    batch = pa.RecordBatch.from_pylist(
        [
            {"id": 1, "ts": dt.datetime(2026, 1, 1, 0, 0, 0, 5000), "p": decimal.Decimal("2.50")},
            {"id": None, "ts": None, "p": None},
        ],
        schema=schema,
    )
    sql = make_encoder("json", schema, {}, "t").encode(batch)
    iso = make_encoder("json", schema, {"json.timestamp-format.standard": "ISO-8601"}, "t")
    assert json.loads(sql[0]) == {"id": 1, "ts": "2026-01-01 00:00:00.005", "p": 2.5}
    assert json.loads(sql[1]) == {"id": None, "ts": None, "p": None}
    assert json.loads(iso.encode(batch)[0])["ts"] == "2026-01-01T00:00:00.005"
    # what the encoder writes, the decoder reads back
    back = make_decoder("json", schema, {}, "t").decode(
        [v.encode() if isinstance(v, str) else v for v in sql], locate
    )
    assert back.table.to_pylist() == batch.to_pylist()


def _flink_stamp(v: dt.datetime | None) -> str | None:
    """A timestamp as Flink's JSON format writes it (SQL standard): fraction without trailing
    zeros, `Z` after an instant's UTC time."""
    if v is None:
        return None
    text = v.replace(tzinfo=None).isoformat(sep=" ")
    text = text.rstrip("0") if "." in text else text
    return text + ("Z" if v.tzinfo else "")


def _duckdb_json(batch: pa.RecordBatch) -> list[bytes]:
    """The reference: DuckDB's to_json over the rows, timestamps as Flink writes them."""
    import duckdb

    columns = [
        pa.array([_flink_stamp(v) for v in c.to_pylist()], pa.string())
        if pa.types.is_timestamp(c.type)
        else c
        for c in batch.columns
    ]
    rows = pa.Table.from_arrays(columns, names=batch.schema.names)  # noqa: F841 (read by DuckDB)
    out = duckdb.connect().sql("SELECT to_json(rows) FROM rows").to_arrow_table()
    return [v.encode() for v in out.column(0).to_pylist()]


@pytest.mark.parametrize(
    "texts",
    [
        ["plain", "", "é\u2028😀\x7f", None],
        ['quote " and \\ backslash', '\\"', None, "x"],
        ["tab\tand\x01control", "line\nbreak", None, "x"],  # control characters: DuckDB path
    ],
)
def test_json_encoder_column_path_writes_duckdbs_bytes(texts: list[str | None]) -> None:
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("small", pa.int8()),
            ("flag", pa.bool_()),
            ("name", pa.string()),
            ("wide", pa.large_string()),
            ("ts", pa.timestamp("ms")),
            ("ltz", pa.timestamp("us", "UTC")),
            ("double", pa.float64()),
        ]
    )
    when = dt.datetime(1969, 12, 31, 23, 59, 59, 999000)
    rows = [
        {
            "id": i - 2**62,
            "small": -128 + i,
            "flag": bool(i % 2),
            "name": text,
            "wide": text,
            "double": 0.1 * i,  # DuckDB writes it: the mixed path
            "ts": when if i != 2 else None,
            "ltz": when,
        }
        for i, text in enumerate(texts)
    ]
    batch = pa.RecordBatch.from_pylist(rows, schema=schema)
    for columns in (schema.names, [n for n in schema.names if n != "double"]):
        part = batch.select(columns)
        encoder = make_encoder("json", part.schema, {}, "t")
        assert encoder.encode(part) == _duckdb_json(part)
        assert encoder.encode(part.slice(1, 2)) == _duckdb_json(part.slice(1, 2))
        assert encoder.encode(part.slice(0, 0)) == []
    assert json.loads(encoder.encode(batch.select(columns))[0])["ts"] == "1969-12-31 23:59:59.999"


# What Flink 2.3's json format wrote (filesystem sink, table.local-time-zone Asia/Shanghai,
# which plays no part) for TIMESTAMP(3) `ts3`, TIMESTAMP(6) `ts6`, TIMESTAMP_LTZ(3) `ltz3`
# (TO_TIMESTAMP_LTZ of the same instants), TIME `t` and DATE `d`, in the SQL standard; the
# ISO-8601 standard wrote the same with `T` for the space.
FLINK_DATETIMES = [
    '{"ts3":"2026-01-01 00:00:00","ts6":"2026-01-01 00:00:00","ltz3":"2026-01-01 00:00:00Z",'
    '"t":"00:00:00","d":"2026-01-01"}',
    '{"ts3":"2026-01-01 00:00:00.5","ts6":"2026-01-01 00:00:00.5",'
    '"ltz3":"2026-01-01 00:00:00.5Z","t":"12:34:56","d":"1970-01-01"}',
    '{"ts3":"2026-01-01 00:00:00.123","ts6":"2026-01-01 00:00:00.123",'
    '"ltz3":"2026-01-01 00:00:00.123Z","t":"23:59:59","d":"0001-01-01"}',
    '{"ts3":"2026-01-01 00:00:00","ts6":"2026-01-01 00:00:00.000001",'
    '"ltz3":"2026-01-01 00:00:00.001Z","t":"01:02:03","d":"9999-12-31"}',
    '{"ts3":"2026-01-01 00:00:00.12","ts6":"2026-01-01 00:00:00.12345",'
    '"ltz3":"2026-01-01 00:00:00.12Z","t":"01:02:03","d":"2026-12-31"}',
]
DATETIME_SCHEMA = pa.schema(
    [
        ("ts3", pa.timestamp("ms")),
        ("ts6", pa.timestamp("us")),
        ("ltz3", pa.timestamp("ms", "UTC")),
        ("t", pa.time32("ms")),
        ("d", pa.date32()),
    ]
)
DATETIME_ROWS = [  # the values Flink wrote (its TIME(0) column cut the literals' fractions)
    (dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 1), 0, dt.time(0), dt.date(2026, 1, 1)),
    (*[dt.datetime(2026, 1, 1, 0, 0, 0, 500000)] * 2, 500, dt.time(12, 34, 56),
     dt.date(1970, 1, 1)),
    (*[dt.datetime(2026, 1, 1, 0, 0, 0, 123000)] * 2, 123, dt.time(23, 59, 59),
     dt.date(1, 1, 1)),
    (dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 1, 0, 0, 0, 1), 1, dt.time(1, 2, 3),
     dt.date(9999, 12, 31)),
    (dt.datetime(2026, 1, 1, 0, 0, 0, 120000), dt.datetime(2026, 1, 1, 0, 0, 0, 123450), 120,
     dt.time(1, 2, 3), dt.date(2026, 12, 31)),
]  # fmt: skip


def _datetime_batch() -> pa.RecordBatch:
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [
        dict(
            zip(
                DATETIME_SCHEMA.names,
                (a, b, epoch + dt.timedelta(milliseconds=ms), t, d),
                strict=True,
            )
        )
        for a, b, ms, t, d in DATETIME_ROWS
    ]
    return pa.RecordBatch.from_pylist(rows, schema=DATETIME_SCHEMA)


@pytest.mark.parametrize("standard", ["SQL", "ISO-8601"])
def test_json_encoder_writes_datetimes_as_flink(standard: str) -> None:
    batch = _datetime_batch()
    options = {"json.timestamp-format.standard": standard}
    flink = [
        line.replace("01 00:", "01T00:") if standard == "ISO-8601" else line
        for line in FLINK_DATETIMES
    ]
    assert make_encoder("json", batch.schema, options, "t").encode(batch) == [
        line.encode() for line in flink
    ]
    # inside a ROW the text is the same (written by the DuckDB path)
    nested = pa.RecordBatch.from_arrays(
        [pa.StructArray.from_arrays(batch.columns, names=batch.schema.names)], names=["r"]
    )
    out = make_encoder("json", nested.schema, options, "t").encode(nested)
    assert [json.loads(v)["r"] for v in out] == [json.loads(line) for line in flink]
    # the decoder reads Flink's text whatever standard it is told, and our former fixed digits
    for read in ({}, options):
        back = make_decoder("json", batch.schema, read, "t").decode(
            [line.encode() for line in flink], locate
        )
        assert back.table.to_pylist() == batch.to_pylist()
    fixed = b'{"ts3":"2026-01-01 00:00:00.500","ltz3":"2026-01-01T00:00:00.500Z","t":"12:34:56.5"}'
    row = make_decoder("json", batch.schema, {}, "t").decode([fixed], locate).table.to_pylist()[0]
    assert (row["ts3"], row["t"]) == (DATETIME_ROWS[1][0], dt.time(12, 34, 56, 500000))
    assert row["ltz3"] == dt.datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=dt.UTC)


# Flink 2.3 (same sink) for TIME(3) `t3`, TIMESTAMP(0) `ts0` and TIMESTAMP_LTZ(6) `ltz6`:
# TIME keeps its milliseconds, trimmed like a timestamp's fraction.
FLINK_PRECISIONS = [
    (dt.time(12, 34, 56, 500000), dt.datetime(2026, 1, 1), 0,
     '{"t3":"12:34:56.5","ts0":"2026-01-01 00:00:00","ltz6":"2026-01-01 00:00:00Z"}'),
    (dt.time(23, 59, 59, 123000), dt.datetime(2026, 1, 1, 0, 0, 1), 123000,
     '{"t3":"23:59:59.123","ts0":"2026-01-01 00:00:01","ltz6":"2026-01-01 00:00:00.123Z"}'),
]  # fmt: skip


def test_json_encoder_writes_time_and_other_precisions_as_flink() -> None:
    schema = pa.schema(
        [("t3", pa.time32("ms")), ("ts0", pa.timestamp("s")), ("ltz6", pa.timestamp("us", "UTC"))]
    )
    epoch = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    batch = pa.RecordBatch.from_pylist(
        [
            {"t3": a, "ts0": b, "ltz6": epoch + dt.timedelta(microseconds=us)}
            for a, b, us, _ in FLINK_PRECISIONS
        ],
        schema=schema,
    )
    out = make_encoder("json", schema, {}, "t").encode(batch)
    assert out == [line.encode() for *_, line in FLINK_PRECISIONS]
    back = make_decoder("json", schema, {}, "t").decode(list(out), locate)  # type: ignore[arg-type]
    assert back.table.to_pylist() == batch.to_pylist()


def test_json_encoder_writes_bytes_as_base64_and_reads_them_back() -> None:
    schema = pa.schema([("b", pa.binary()), ("n", pa.int32())])
    values = [b"\x00\xff\x10", b"", None, bytes(range(256))]
    batch = pa.RecordBatch.from_pydict({"b": values, "n": [1, 2, 3, 4]}, schema=schema)
    out = make_encoder("json", schema, {}, "t").encode(batch)
    # Flink 2.3 wrote X'00FF10' as "AP8Q" and X'' as ""
    assert out[:3] == [b'{"b":"AP8Q","n":1}', b'{"b":"","n":2}', b'{"b":null,"n":3}']
    back = make_decoder("json", schema, {}, "t").decode(list(out), locate)  # type: ignore[arg-type]
    assert back.table.to_pylist() == batch.to_pylist()


# What Flink 2.3's json format wrote for these values (filesystem sink, default options).
FLINK_DECIMALS = [
    (pa.decimal128(9, 3), ["2.500", "-0.001"], ["2.5", "-0.001"]),
    (pa.decimal128(20, 0), ["454621864049246170", "12"], ["4.5462186404924617E+17", "12"]),
    (pa.decimal128(11, 9), ["0.000000027", "0"], ["2.7E-8", "0"]),
    (pa.decimal128(10, 2), ["0", "1234567.10"], ["0", "1234567.1"]),
    (pa.decimal128(38, 18), ["1.5", "0.0000001"], ["1.5", "1E-7"]),
    (pa.decimal128(5, 0), ["100", "0"], ["1E+2", "0"]),
]


@pytest.mark.parametrize(("typ", "values", "flink"), FLINK_DECIMALS)
def test_json_encoder_writes_decimals_as_flink(
    typ: pa.Decimal128Type, values: list[str], flink: list[str]
) -> None:
    schema = pa.schema([("d", typ), ("s", pa.string())])
    batch = pa.RecordBatch.from_pylist(
        [{"d": decimal.Decimal(v), "s": "x"} for v in values], schema=schema
    )
    out = make_encoder("json", schema, {}, "t").encode(batch)
    assert out == [f'{{"d":{f},"s":"x"}}'.encode() for f in flink]
    back = make_decoder("json", schema, {}, "t").decode(list(out), locate)  # type: ignore[arg-type]
    assert back.table.to_pylist() == batch.to_pylist()


def test_json_encoder_decimals_are_javas_stripped_big_decimal() -> None:
    """Random values of several scales against Python's `normalize()`, whose text is Java's
    `BigDecimal.stripTrailingZeros().toString()` (both follow the decimal arithmetic spec)."""
    rng = random.Random(5)
    context = decimal.Context(prec=40)
    for precision, scale in [(5, 0), (9, 3), (12, 10), (18, 2), (38, 18), (38, 0)]:
        typ = pa.decimal128(precision, scale)
        values = [
            decimal.Decimal(rng.randrange(-(10**p), 10**p)).scaleb(-scale)
            * 10 ** rng.choice([0, 0, 1, 3])
            for p in [rng.randint(0, precision) for _ in range(300)]
        ]
        values = [v for v in values if v.adjusted() < precision - scale] + [None]  # type: ignore[operator]
        schema = pa.schema([("d", typ), ("f", pa.float64())])
        batch = pa.RecordBatch.from_pydict({"d": values, "f": [1.0] * len(values)}, schema=schema)
        out = make_encoder("json", schema, {}, "t").encode(batch)
        expected = [
            f'{{"d":{"null" if v is None else v.normalize(context)},"f":1.0}}'.encode()
            for v in values
        ]
        assert out == expected


def test_csv_round_trip_and_errors() -> None:
    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    batch = pa.RecordBatch.from_pylist(
        [{"id": 1, "name": "a,b"}, {"id": 2, "name": "c"}], schema=schema
    )
    lines = make_encoder("csv", schema, {}, "t").encode(batch)
    assert lines[0] == b'1,"a,b"' and len(lines) == 2
    decoded = make_decoder("csv", schema, {}, "t").decode(
        [bytes(v) for v in lines if v is not None], locate
    )
    assert decoded.table.to_pylist() == batch.to_pylist()
    bad = [b"1,a", b"zz,b", b"3,c"]
    with pytest.raises(ExecutionError, match="offset 101"):
        make_decoder("csv", schema, {}, "t").decode(bad, locate)
    lenient = make_decoder("csv", schema, {"csv.ignore-parse-errors": "true"}, "t").decode(
        bad, locate
    )
    assert lenient.skipped == 1 and lenient.table.column("id").to_pylist() == [1, 3]


def test_csv_escape_character_and_comments() -> None:
    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    options = {"csv.escape-character": "\\", "csv.allow-comments": "true"}
    lines = [b"# a comment, not a row", b"1,a\\,b", b'2,"say \\"hi\\""']
    decoded = make_decoder("csv", schema, options, "t").decode(lines, locate)
    assert decoded.table.to_pylist() == [{"id": 1, "name": "a,b"}, {"id": 2, "name": 'say "hi"'}]
    assert decoded.source == [1, 2]  # the comment's message gives no row
    with pytest.raises(ExecutionError, match="offset 100"):  # without the options: malformed
        make_decoder("csv", schema, {}, "t").decode(lines, locate)


def test_csv_encoder_writes_one_message_per_row_with_line_breaks_quoted() -> None:
    schema = pa.schema([("id", pa.int64()), ("name", pa.string()), ("note", pa.large_string())])
    batch = pa.RecordBatch.from_pylist(
        [
            {"id": 1, "name": "a\nb", "note": "x\r"},
            {"id": 2, "name": "c", "note": None},
            {"id": 3, "name": "d;e", "note": 'say "hi"'},
        ],
        schema=schema,
    )
    lines = make_encoder("csv", schema, {}, "t").encode(batch)
    assert lines == [b'1,"a\nb","x\r"', b'2,"c",', b'3,"d;e","say ""hi"""']
    # with ";" as the delimiter, "d;e" needs quotes
    semi = make_encoder("csv", schema, {"csv.field-delimiter": ";"}, "t")
    assert semi.encode(batch.slice(2, 1)) == [b'3;"d;e";"say ""hi"""']
    assert make_encoder("csv", schema, {}, "t").encode(batch.slice(1, 1)) == [b"2,c,"]


def test_raw_string_and_bytes() -> None:
    text = make_decoder("raw", pa.schema([("line", pa.string())]), {}, "t")
    assert text.decode([b"hello", None], locate).table.column(0).to_pylist() == ["hello", None]
    data = make_decoder("raw", pa.schema([("b", pa.binary())]), {}, "t")
    assert data.decode([b"\x00\x01"], locate).table.column(0).to_pylist() == [b"\x00\x01"]
    with pytest.raises(ExecutionError, match="exactly one"):
        make_decoder("raw", SCHEMA, {}, "t")


def test_debezium_envelopes_become_changelog_rows() -> None:
    schema = pa.schema([("id", pa.int64()), ("name", pa.string())])
    values = [
        b'{"before":null,"after":{"id":1,"name":"a"},"op":"c"}',
        b'{"before":null,"after":{"id":2,"name":"b"},"op":"r"}',
        b'{"before":{"id":1,"name":"a"},"after":{"id":1,"name":"A"},"op":"u"}',
        None,
        b'{"payload":{"before":{"id":2,"name":"b"},"after":null,"op":"d"}}',
    ]
    decoded = make_decoder("debezium-json", schema, {}, "t").decode(values, locate)
    assert decoded.ops is not None
    assert decoded.ops.to_pylist() == [0, 0, 1, 2, 3]
    assert decoded.source == [0, 1, 2, 2, 4]
    assert decoded.table.column("name").to_pylist() == ["a", "b", "a", "A", "b"]
    with pytest.raises(ExecutionError, match="offset 100"):
        make_decoder("debezium-json", schema, {}, "t").decode([b'{"op":"x"}'], locate)


def test_debezium_encoder_follows_flink() -> None:
    schema = pa.schema([("id", pa.int64())])
    batch = pa.RecordBatch.from_arrays(
        [pa.array([1, 1, 1, 1]), pa.array([0, 1, 2, 3], pa.int8())], names=["id", "_op"]
    )
    out = [json.loads(v) for v in make_encoder("debezium-json", schema, {}, "t").encode(batch)]
    assert [o["op"] for o in out] == ["c", "d", "c", "d"]
    assert out[1] == {"before": {"id": 1}, "after": None, "op": "d"}


def test_json_null_and_blank_values_carry_no_row_and_never_crash_the_parser() -> None:
    """Flink's JSON deserializer returns no row for a `null` value. pyarrow 26 crashes (SIGSEGV)
    on a buffer that starts with `null`, so these polls would kill the job without a word."""
    decoder = make_decoder("json", SCHEMA, {}, "t")
    for values in (
        [b"null"],
        [b" null \n"],
        [b"null", b'{"id":1}'],
        [b"   ", b'{"id":1}', b"null"],
    ):
        decoded = decoder.decode(values, locate)
        assert decoded.table.column("id").to_pylist() == ([1] if len(values) > 1 else [])
        assert decoded.skipped == 0
    # `null` followed by more text is one malformed record, wherever it sits in the poll
    for values in ([b'null {"id":2}'], [b'{"id":1}', b'null\n{"id":2}'], [b"null null"]):
        with pytest.raises(ExecutionError, match=f"offset {100 + len(values) - 1}"):
            decoder.decode(values, locate)
    lenient = make_decoder("json", SCHEMA, {"json.ignore-parse-errors": "true"}, "t")
    decoded = lenient.decode([b'{"id":1}', b"\tnull null", b'{"id":3}'], locate)
    assert decoded.table.column("id").to_pylist() == [1, 3]
    assert decoded.skipped == 1
