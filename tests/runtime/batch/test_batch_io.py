"""Batch runtime: bounded filesystem sources (json/csv/parquet), Arrow inputs, and sinks."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nrtg.catalog import types as t
from nrtg.catalog.errors import ExecutionError
from nrtg.catalog.schema import Field, Ident
from nrtg.compiler.lower.duckdb import lower_to_duckdb
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall, Literal
from nrtg.runtime.batch import BatchSession, run_plan
from nrtg.runtime.batch.functions import java_double_to_string, java_float_to_string, java_value

FIELDS = (Field("id", t.bigint()), Field("name", t.string()), Field("ts", t.timestamp(3)))
T0 = dt.datetime(2024, 1, 1, 10, 0, 0, 123000)


def scan(**options: str) -> n.TableScan:
    return n.TableScan(
        table=Ident("default", "people"), fields=FIELDS, options=tuple(sorted(options.items()))
    )


def sink(input_: n.Plan, **options: str) -> n.Sink:
    return n.Sink(
        input=input_,
        table=Ident("default", "out"),
        fields=input_.schema.fields,
        options=tuple(sorted(options.items())),
    )


def test_json_source(tmp_path: Path) -> None:
    lines = [
        {"id": 1, "name": "ann", "ts": "2024-01-01 10:00:00.123"},
        {"id": 2, "name": None, "ts": "2024-01-01 10:00:01.000", "ignored": 5},
        {"id": 3},
    ]
    (tmp_path / "part-0.json").write_text("".join(json.dumps(x) + "\n" for x in lines))
    plan = scan(connector="filesystem", path=str(tmp_path), format="json")
    got = run_plan(plan).table.to_pylist()
    assert got[0] == {"id": 1, "name": "ann", "ts": T0}
    assert got[2] == {"id": 3, "name": None, "ts": None}


def test_json_malformed_fails_or_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": 1, "name": "a"}\n{"id": oops}\n{"id": 2, "name": "b"}\n')
    failing = scan(connector="filesystem", path=str(path), format="json")
    with pytest.raises(ExecutionError) as err:
        run_plan(failing)
    assert "bad.json" in str(err.value)
    skipping = scan(
        connector="filesystem",
        path=str(path),
        format="json",
        **{"json.ignore-parse-errors": "true"},
    )
    assert [r["id"] for r in run_plan(skipping).table.to_pylist()] == [1, 2]


def test_csv_source_with_options(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("1;ann;2024-01-01 10:00:00.123\n2;N/A;2024-01-01 10:00:01\n")
    plan = scan(
        connector="filesystem",
        path=str(path),
        format="csv",
        **{"csv.field-delimiter": ";", "csv.null-literal": "N/A"},
    )
    got = run_plan(plan).table.to_pylist()
    assert got == [
        {"id": 1, "name": "ann", "ts": T0},
        {"id": 2, "name": None, "ts": dt.datetime(2024, 1, 1, 10, 0, 1)},
    ]


def test_parquet_source_partitioned_directory(tmp_path: Path) -> None:
    for part, ids in (("a", [1, 2]), ("b", [3])):
        d = tmp_path / f"name={part}"
        d.mkdir()
        table = pa.table({"id": pa.array(ids, pa.int64()), "ts": pa.array([T0] * len(ids))})
        pq.write_table(table, d / "part-0.parquet")
    plan = scan(connector="filesystem", path=str(tmp_path), format="parquet")
    got = sorted((r["id"], r["name"]) for r in run_plan(plan).table.to_pylist())
    assert got == [(1, "a"), (2, "a"), (3, "b")]


def test_arrow_table_input() -> None:
    table = pa.table({"id": [5], "name": ["eve"], "ts": [T0]})
    plan = scan(connector="kafka", topic="people")
    got = run_plan(plan, tables={"default.people": table}).table.to_pylist()
    assert got == [{"id": 5, "name": "eve", "ts": T0}]


def test_unsupported_connector_is_refused() -> None:
    from nrtg.compiler.errors import UnsupportedError

    with pytest.raises(UnsupportedError):
        run_plan(scan(connector="jdbc", url="jdbc:none"))


def _values() -> n.Values:
    rows = (
        (
            Literal(value=1, type=t.bigint()),
            Literal(value="a", type=t.string()),
            Literal(value=T0, type=t.timestamp(3)),
        ),
        (
            Literal(value=2, type=t.bigint()),
            Literal(value=None, type=t.string()),
            Literal(value=None, type=t.timestamp(3)),
        ),
    )
    return n.Values(rows=rows, fields=FIELDS)


def test_print_sink_flink_row_format() -> None:
    out = io.StringIO()
    result = run_plan(sink(_values(), connector="print"), out=out)
    assert result.rows_written == 2
    # Flink's print sink: +I[1, a, 2024-01-01T10:00:00.123] (Row.toString, LocalDateTime)
    assert out.getvalue() == "+I[1, a, 2024-01-01T10:00:00.123]\n+I[2, null, null]\n"


def test_print_identifier() -> None:
    out = io.StringIO()
    run_plan(sink(_values(), connector="print", **{"print-identifier": "job"}), out=out)
    assert out.getvalue().startswith("job> +I[1, a,")


def test_blackhole_sink() -> None:
    assert run_plan(sink(_values(), connector="blackhole")).rows_written == 2


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_filesystem_sink_round_trip(tmp_path: Path, fmt: str) -> None:
    out_dir = tmp_path / "out"
    result = run_plan(sink(_values(), connector="filesystem", path=str(out_dir), format=fmt))
    assert result.rows_written == 2
    back = scan(connector="filesystem", path=str(out_dir), format=fmt)
    got = sorted(run_plan(back).table.to_pylist(), key=lambda r: r["id"])
    assert got == [{"id": 1, "name": "a", "ts": T0}, {"id": 2, "name": None, "ts": None}]


def test_sink_output_uses_declared_timestamp_precision() -> None:
    result = run_plan(sink(_values(), connector="blackhole"))
    assert result.table.schema.field("ts").type == pa.timestamp("ms")


def test_session_reuses_connection_for_a_statement_set() -> None:
    agg = n.Aggregate(
        input=_values(),
        group=(),
        aggs=(AggCall(name="COUNT", args=(), type=t.bigint(), alias="n"),),
    )
    session = BatchSession()
    try:
        first = session.run(lower_to_duckdb(sink(_values(), connector="blackhole")))
        second = session.run(lower_to_duckdb(agg))
    finally:
        session.close()
    assert first.rows_written == 2
    assert second.table.to_pylist() == [{"n": 2}]


def test_session_time_zone_for_ltz() -> None:
    ltz = t.timestamp_ltz(3)
    when = dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.UTC)
    v = n.Values(rows=((Literal(value=when, type=ltz),),), fields=(Field("x", ltz),))
    from nrtg.compiler.plan.expr import Call, ColumnRef

    hour = Call(name="HOUR", args=(ColumnRef(index=0, name="x", type=ltz),), type=t.bigint())
    plan = n.Project(input=v, exprs=(hour,), names=("h",))
    assert run_plan(plan, time_zone="Asia/Tokyo").table.to_pylist() == [{"h": 21}]
    assert run_plan(plan).table.to_pylist() == [{"h": 12}]


def test_java_number_text() -> None:
    assert java_double_to_string(36190700.0) == "3.61907E7"
    assert java_double_to_string(-0.0) == "-0.0"
    assert java_double_to_string(1e-5) == "1.0E-5"
    assert java_float_to_string(3.3) == "3.3"
    assert java_value(dt.datetime(2024, 1, 1, 10, 0)) == "2024-01-01T10:00"
    assert java_value(True) == "true"
    # TIMESTAMP_LTZ prints as a java.time.Instant.
    aware = dt.datetime(2024, 1, 1, 19, 0, 0, 500000, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert java_value(aware) == "2024-01-01T10:00:00.500Z"


def test_legacy_connector_keys(tmp_path: Path) -> None:
    # Nexmark q13's side input: 'connector.type' / 'connector.path' / 'format.type'.
    path = tmp_path / "side.csv"
    path.write_text("1,ann,2024-01-01 10:00:00.123\n")
    plan = n.TableScan(
        table=Ident("default", "people"),
        fields=FIELDS,
        options=(
            ("connector.path", str(path)),
            ("connector.type", "filesystem"),
            ("format.type", "csv"),
        ),
    )
    assert run_plan(plan).table.to_pylist() == [{"id": 1, "name": "ann", "ts": T0}]


def test_filesystem_sink_insert_into_appends_and_overwrite_replaces(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    append = sink(_values(), connector="filesystem", path=str(out_dir), format="json")
    run_plan(append)
    run_plan(append)
    back = scan(connector="filesystem", path=str(out_dir), format="json")
    assert run_plan(back).table.num_rows == 4
    overwrite = n.Sink(
        input=_values(),
        table=Ident("default", "out"),
        fields=FIELDS,
        options=(("connector", "filesystem"), ("format", "json"), ("path", str(out_dir))),
        overwrite=True,
    )
    run_plan(overwrite)
    assert run_plan(back).table.num_rows == 2


@pytest.mark.parametrize("partitioned", [False, True])
def test_filesystem_json_sink_writes_decimals_and_bytes_as_flink(
    tmp_path: Path, partitioned: bool
) -> None:
    fields = (
        Field("k", t.string()),
        Field("d", t.decimal(9, 3)),
        Field("w", t.decimal(20, 0)),
        Field("b", t.bytes_()),
        Field("ts", t.timestamp(3)),
    )
    rows = [
        ("p q", decimal.Decimal("2.500"), decimal.Decimal(454621864049246170), b"\x00\xff\x10", T0),
        ("p q", decimal.Decimal("-0.001"), decimal.Decimal(0), b"", None),
        ("r", None, decimal.Decimal(100), None, T0),
    ]
    types = [f.type for f in fields]
    values = n.Values(
        rows=tuple(
            tuple(Literal(value=v, type=ty) for v, ty in zip(r, types, strict=True)) for r in rows
        ),
        fields=fields,
    )
    out_dir = tmp_path / "out"
    plan = n.Sink(
        input=values,
        table=Ident("default", "out"),
        fields=fields,
        options=(("connector", "filesystem"), ("format", "json"), ("path", str(out_dir))),
        partition_keys=(0,) if partitioned else (),
    )
    assert run_plan(plan).rows_written == 3
    files = sorted(out_dir.rglob("part-*"))
    assert all(f.suffix == ".json" for f in files)
    lines = sorted(line for f in files for line in f.read_text().splitlines())
    # as Flink 2.3's json format writes these values (checked on its filesystem sink)
    key = "" if partitioned else '"k":"{}",'
    expected = [
        "{" + key.format("p q") + '"d":2.5,"w":4.5462186404924617E+17,"b":"AP8Q",'
        '"ts":"2024-01-01 10:00:00.123"}',
        "{" + key.format("p q") + '"d":-0.001,"w":0,"b":"","ts":null}',
        "{" + key.format("r") + '"d":null,"w":1E+2,"b":null,"ts":"2024-01-01 10:00:00.123"}',
    ]
    assert lines == sorted(expected)


@pytest.mark.parametrize("standard", ["SQL", "ISO-8601"])
def test_filesystem_json_sink_writes_datetimes_as_flink(tmp_path: Path, standard: str) -> None:
    fields = (
        Field("ts3", t.timestamp(3)),
        Field("ts6", t.timestamp(6)),
        Field("ltz3", t.timestamp_ltz(3)),
        Field("t", t.time(3)),
        Field("d", t.date()),
    )
    epoch = dt.datetime(2026, 1, 1)
    rows = [
        (epoch, epoch, 0, dt.time(0), dt.date(2026, 1, 1)),
        (epoch.replace(microsecond=500000), epoch.replace(microsecond=500000), 500,
         dt.time(12, 34, 56, 500000), dt.date(1970, 1, 1)),
        (epoch.replace(microsecond=123000), epoch.replace(microsecond=1), 1,
         dt.time(23, 59, 59, 123000), None),
        (epoch.replace(microsecond=120000), epoch.replace(microsecond=123450), 120, None,
         dt.date(9999, 12, 31)),
    ]  # fmt: skip
    literals = tuple(
        tuple(
            Literal(value=v, type=f.type)
            for v, f in zip(
                (a, b, epoch.replace(tzinfo=dt.UTC) + dt.timedelta(milliseconds=ms), c, d),
                fields,
                strict=True,
            )
        )
        for a, b, ms, c, d in rows
    )
    out_dir = tmp_path / "out"
    options = (
        ("connector", "filesystem"),
        ("format", "json"),
        ("json.timestamp-format.standard", standard),
        ("path", str(out_dir)),
    )
    plan = n.Sink(
        input=n.Values(rows=literals, fields=fields),
        table=Ident("default", "out"),
        fields=fields,
        options=options,
    )
    # the session time zone plays no part in TIMESTAMP_LTZ's text
    assert run_plan(plan, time_zone="Asia/Shanghai").rows_written == 4
    lines = (out_dir / "part-0.json").read_text().splitlines()
    # as Flink 2.3's json format wrote these values (filesystem sink, SQL standard; TIME(3))
    flink = [
        '{"ts3":"2026-01-01 00:00:00","ts6":"2026-01-01 00:00:00",'
        '"ltz3":"2026-01-01 00:00:00Z","t":"00:00:00","d":"2026-01-01"}',
        '{"ts3":"2026-01-01 00:00:00.5","ts6":"2026-01-01 00:00:00.5",'
        '"ltz3":"2026-01-01 00:00:00.5Z","t":"12:34:56.5","d":"1970-01-01"}',
        '{"ts3":"2026-01-01 00:00:00.123","ts6":"2026-01-01 00:00:00.000001",'
        '"ltz3":"2026-01-01 00:00:00.001Z","t":"23:59:59.123","d":null}',
        '{"ts3":"2026-01-01 00:00:00.12","ts6":"2026-01-01 00:00:00.12345",'
        '"ltz3":"2026-01-01 00:00:00.12Z","t":null,"d":"9999-12-31"}',
    ]
    if standard == "ISO-8601":  # Flink wrote the same with `T` for the space
        flink = [line.replace("01 00:", "01T00:") for line in flink]
    assert sorted(lines) == sorted(flink)
    back = n.TableScan(table=Ident("default", "out"), fields=fields, options=options)
    got = run_plan(back).table.to_pylist()
    assert sorted(
        (r["ts3"], r["ts6"], r["ltz3"].astimezone(dt.UTC), r["t"], r["d"]) for r in got
    ) == sorted(
        (a, b, epoch.replace(tzinfo=dt.UTC) + dt.timedelta(milliseconds=ms), c, d)
        for a, b, ms, c, d in rows
    )


@pytest.mark.parametrize("standard", ["SQL", "ISO-8601"])
def test_json_sink_writes_a_rows_datetimes_as_the_stream_encoder(
    tmp_path: Path, standard: str
) -> None:
    """A ROW constructor goes into a ROW column field by field in order (DuckDB would match
    names), and the row's date-time fields are written as top-level ones are: the batch file
    and the stream encoder agree."""
    from nrtg.compiler.api import compile_sql
    from nrtg.runtime.stream.formats import make_encoder

    script = f"""
    CREATE TABLE out (r ROW<ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3), t TIME(3)>, k INT) WITH (
        'connector' = 'filesystem', 'path' = '{tmp_path}/out', 'format' = 'json',
        'json.timestamp-format.standard' = '{standard}');
    INSERT INTO out SELECT ROW(TIMESTAMP '2026-01-01 00:00:00.500', TO_TIMESTAMP_LTZ(1500, 3),
        TIME '12:34:56.5'), 1;
    """
    assert run_plan(compile_sql(script).optimized[-1]).rows_written == 1
    (line,) = (tmp_path / "out" / "part-0.json").read_text().splitlines()
    sep = "T" if standard == "ISO-8601" else " "
    assert json.loads(line) == {
        "r": {
            "ts": f"2026-01-01{sep}00:00:00.5",
            "ltz": f"1970-01-01{sep}00:00:01.5Z",
            "t": "12:34:56.5",
        },
        "k": 1,
    }
    row = pa.struct(
        [("ts", pa.timestamp("ms")), ("ltz", pa.timestamp("ms", "UTC")), ("t", pa.time32("ms"))]
    )
    value = {"ts": dt.datetime(2026, 1, 1, 0, 0, 0, 500000), "ltz": 1500, "t": 45296500}
    batch = pa.RecordBatch.from_arrays(
        [pa.array([value], row), pa.array([1], pa.int32())], names=["r", "k"]
    )
    options = {"json.timestamp-format.standard": standard}
    encoder = make_encoder("json", batch.schema, options, "out")
    assert encoder.encode_array(batch).to_pylist() == [line.encode()]


@pytest.mark.parametrize("fmt", ["raw", "lenient json"])
def test_line_formats_keep_the_partition_columns(tmp_path: Path, fmt: str) -> None:
    """raw and `json.ignore-parse-errors` read lines; the `k=v/` values still come along."""
    for part, lines in (("a", ['{"id": 1}', "not json"]), ("b", ['{"id": 3}'])):
        d = tmp_path / f"name={part}"
        d.mkdir()
        (d / "part-0.txt").write_text("\n".join(lines) + "\n")
    if fmt == "raw":
        fields = (Field("line", t.string()), Field("name", t.string()))
        options = {"format": "raw"}
    else:
        fields = (Field("id", t.bigint()), Field("name", t.string()))
        options = {"format": "json", "json.ignore-parse-errors": "true"}
    plan = n.TableScan(
        table=Ident("default", "lines"),
        fields=fields,
        options=tuple(
            sorted({"connector": "filesystem", "path": str(tmp_path), **options}.items())
        ),
    )
    got = sorted(tuple(r.values()) for r in run_plan(plan).table.to_pylist())
    if fmt == "raw":
        assert got == [("not json", "a"), ('{"id": 1}', "a"), ('{"id": 3}', "b")]
    else:
        assert got == [(1, "a"), (3, "b")]


def test_lenient_json_skips_a_wrong_type_deep_in_a_row_as_the_stream_decoder(
    tmp_path: Path,
) -> None:
    """`json.ignore-parse-errors`: a record whose nested ROW field has the wrong type is
    skipped (Flink fails the record, not the field), on both targets."""
    from nrtg.runtime.stream.formats import make_decoder

    lines = [
        '{"id": 1, "r": {"a": 1, "z": {"p": 2}}}',
        '{"id": 2, "r": {"a": "x"}}',  # r.a is not an INT
        '{"id": 3, "r": {"z": {"p": [1]}}}',  # r.z.p is not an INT
        '{"id": 4, "r": {"extra": true}, "more": 1}',  # unknown fields are ignored
        '{"id": 5, "r": null}',
        '{"id": 6, "r": 1}',  # a ROW given a number: DuckDB's from_json makes a ROW of NULLs
        '{"id": 7, "r": {"a": 1, "a": 2}}',  # a declared key given twice
        '{"ü": 8, "id": 8, "r": {"a": []}}',  # r.a is not an INT
    ]
    (tmp_path / "part-0.json").write_text("\n".join(lines) + "\n")
    row = t.row([("a", t.int_()), ("z", t.row([("p", t.int_())]))])
    plan = n.TableScan(
        table=Ident("default", "nested"),
        fields=(Field("id", t.bigint()), Field("r", row)),
        options=tuple(
            sorted(
                {
                    "connector": "filesystem",
                    "path": str(tmp_path),
                    "format": "json",
                    "json.ignore-parse-errors": "true",
                }.items()
            )
        ),
    )
    result = run_plan(plan)
    assert [r["id"] for r in result.table.to_pylist()] == [1, 4, 5]
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("r", pa.struct([("a", pa.int32()), ("z", pa.struct([("p", pa.int32())]))])),
        ]
    )
    decoder = make_decoder("json", schema, {"json.ignore-parse-errors": "true"}, "nested")
    decoded = decoder.decode([line.encode() for line in lines], str)
    assert decoded.table.column("id").to_pylist() == [1, 4, 5]
    assert decoded.skipped == 5


def test_a_second_insert_into_a_partitioned_directory_keeps_the_first(tmp_path: Path) -> None:
    """Two INSERT INTO a local PARTITIONED BY table: the second writes part files of its own
    (it used to reuse `part-0-<i>` and overwrite the first insert's rows)."""
    fields = (Field("k", t.string()), Field("v", t.bigint()))
    out_dir = tmp_path / "out"

    def insert(rows: list[tuple[str, int]]) -> None:
        values = n.Values(
            rows=tuple(
                (Literal(value=k, type=t.string()), Literal(value=v, type=t.bigint()))
                for k, v in rows
            ),
            fields=fields,
        )
        plan = n.Sink(
            input=values,
            table=Ident("default", "out"),
            fields=fields,
            options=(("connector", "filesystem"), ("format", "json"), ("path", str(out_dir))),
            partition_keys=(0,),
        )
        assert run_plan(plan).rows_written == len(rows)

    insert([("a", 1), ("b", 2)])
    insert([("a", 3), ("b", 4)])
    written = sorted(
        (f.parent.name, json.loads(line)["v"])
        for f in out_dir.rglob("part-*")
        for line in f.read_text().splitlines()
    )
    assert written == [("k=a", 1), ("k=a", 3), ("k=b", 2), ("k=b", 4)]


def _json_file(
    tmp_path: Path, table: str, lines: list[str], fields: tuple[Field, ...], lenient: bool = True
) -> n.TableScan:
    """A JSON file of `lines` and the scan of its table (`json.ignore-parse-errors` when
    `lenient`)."""
    (tmp_path / "part-0.json").write_text("\n".join(lines) + "\n")
    options = {"connector": "filesystem", "path": str(tmp_path), "format": "json"}
    if lenient:
        options["json.ignore-parse-errors"] = "true"
    return n.TableScan(
        table=Ident("default", table), fields=fields, options=tuple(sorted(options.items()))
    )


@pytest.mark.parametrize("lenient", [False, True])
def test_json_bytes_are_base64_in_files_as_in_kafka_values(tmp_path: Path, lenient: bool) -> None:
    """Flink writes BYTES into JSON as base64: a file reads them back as the Kafka decoder
    does, in ROWs too; a value that is not base64 fails the read or is skipped and counted."""
    from nrtg.runtime.stream.formats import make_decoder

    lines = [
        '{"id": 1, "b": "aGVsbG8=", "r": {"x": "AAE="}}',
        '{"id": 2, "b": null, "r": {"x": null}}',
        '{"id": 3, "b": "not base64!"}',
    ]
    fields = (
        Field("id", t.bigint()),
        Field("b", t.bytes_()),
        Field("r", t.row([("x", t.bytes_())])),
    )
    plan = _json_file(tmp_path, "blobs", lines, fields, lenient)
    schema = pa.schema(
        [("id", pa.int64()), ("b", pa.binary()), ("r", pa.struct([("x", pa.binary())]))]
    )
    decoder = make_decoder("json", schema, dict(plan.options), "blobs")
    values = [line.encode() for line in lines]
    if not lenient:
        with pytest.raises(ExecutionError, match="base64"):
            run_plan(plan)
        with pytest.raises(ExecutionError, match="offset 2"):
            decoder.decode(values, lambda i: f"offset {i}")
        return
    expected = [
        {"id": 1, "b": b"hello", "r": {"x": b"\x00\x01"}},
        {"id": 2, "b": None, "r": {"x": None}},
    ]
    assert run_plan(plan).table.to_pylist() == expected
    decoded = decoder.decode(values, str)
    assert decoded.table.to_pylist() == expected
    assert decoded.skipped == 1


def test_lenient_json_skips_array_elements_and_map_values_that_do_not_convert(
    tmp_path: Path,
) -> None:
    """DuckDB's from_json turns such an element into NULL where read_json fails the record
    (and Flink fails it): the record is skipped, in a file as from a topic; JSON nulls among
    the elements stay NULLs."""
    from nrtg.runtime.stream.formats import make_decoder

    lines = [
        '{"id": 1, "a": [1, null], "m": {"k": 1, "j": null}}',
        '{"id": 2, "a": [1, "x"]}',
        '{"id": 3, "m": {"k": [1]}}',
        '{"id": 4, "a": [], "m": {}}',
    ]
    fields = (
        Field("id", t.bigint()),
        Field("a", t.array(t.bigint())),
        Field("m", t.map_(t.string(False), t.bigint())),
    )
    plan = _json_file(tmp_path, "items", lines, fields)
    assert [r["id"] for r in run_plan(plan).table.to_pylist()] == [1, 4]
    schema = pa.schema(
        [("id", pa.int64()), ("a", pa.list_(pa.int64())), ("m", pa.map_(pa.string(), pa.int64()))]
    )
    decoded = make_decoder("json", schema, dict(plan.options), "items").decode(
        [line.encode() for line in lines], str
    )
    assert decoded.table.column("id").to_pylist() == [1, 4]
    assert decoded.table.column("a").to_pylist() == [[1, None], []]
    assert decoded.skipped == 2


@pytest.mark.parametrize("bad_line", [False, True])
def test_lenient_json_reads_no_row_from_a_null_line(tmp_path: Path, bad_line: bool) -> None:
    """A JSON `null` carries no row and is not counted (as in Flink and the Kafka decoder),
    whether the file has a bad record (the lines are classified) or not (the strict reader,
    which would make a row of NULLs of it, is not used then)."""
    from nrtg.runtime.batch.sources import skipped_records

    lines = ['{"id": 1}', "null", '{"id": 2}', *(['{"id": "x"}'] if bad_line else [])]
    plan = _json_file(tmp_path, "nulls", lines, (Field("id", t.bigint()),))
    session = BatchSession()
    try:
        result = session.run(lower_to_duckdb(plan))
        assert [r["id"] for r in result.table.to_pylist()] == [1, 2]
        assert skipped_records(session.con) == ([("default.nulls", 1)] if bad_line else [])
    finally:
        session.close()
