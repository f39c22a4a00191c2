"""Table options checked as Flink's FactoryUtil checks them (compiler/bind/table_options.py):
per connector a misspelt key, a missing required key, a misspelt key in an OPTIONS hint, keys
under a pass-through prefix accepted; where the errors point; catalog tables checked at use."""

from __future__ import annotations

import pytest

from nrtg.catalog.memory import MemoryCatalog
from nrtg.catalog.schema import Column, Ident, TableDef
from nrtg.catalog.types import bigint
from nrtg.compiler.api import compile_sql
from nrtg.compiler.errors import NrtgError, PlanValidationError, UnsupportedError

KAFKA = "'connector' = 'kafka', 'topic' = 't', 'format' = 'json'"
UPSERT = (
    "'connector' = 'upsert-kafka', 'topic' = 't', 'key.format' = 'json', 'value.format' = 'json'"
)
FILES = "'connector' = 'filesystem', 'path' = '/tmp/nowhere', 'format' = 'csv'"
HIVE = "'connector' = 'hive', 'location' = '/tmp/nowhere', 'storage-format' = 'parquet'"
PRINT = "'connector' = 'print'"
BLACKHOLE = "'connector' = 'blackhole'"


def _create(options: str) -> str:
    return (
        f"CREATE TEMPORARY TABLE t (id BIGINT PRIMARY KEY NOT ENFORCED, s STRING) WITH ({options});"
    )


def _error(sql: str, kind: type[NrtgError] = PlanValidationError) -> NrtgError:
    with pytest.raises(kind) as info:
        compile_sql(sql)
    return info.value


@pytest.mark.parametrize(
    ("options", "typo", "meant"),
    [
        (KAFKA, "scan.startup.mod", "scan.startup.mode"),
        (KAFKA, "json.ignore-parse-error", "json.ignore-parse-errors"),
        (KAFKA, "topic-patern", "topic-pattern"),
        (UPSERT, "value.json.ignore-parse-error", "value.json.ignore-parse-errors"),
        (UPSERT, "sink.buffer-flush.max-row", "sink.buffer-flush.max-rows"),
        (FILES, "csv.field-delimter", "csv.field-delimiter"),
        (FILES, "sink.rolling-policy.file-sizes", "sink.rolling-policy.file-size"),
        (HIVE, "storage-fromat", "storage-format"),
        (PRINT, "print-identifer", "print-identifier"),
        (BLACKHOLE, "scan.watermark.idle-timeot", "scan.watermark.idle-timeout"),
    ],
)
def test_a_misspelt_key_is_refused_with_the_closest_supported_key(
    options: str, typo: str, meant: str
) -> None:
    err = _error(_create(f"{options}, '{typo}' = 'x'"))
    assert f"unsupported option '{typo}'" in err.message
    assert err.hint == f"did you mean '{meant}'?"


def test_every_unknown_key_is_listed_and_the_error_points_at_the_first() -> None:
    sql = (
        "CREATE TABLE t (id BIGINT) WITH (\n"
        "  'connector' = 'kafka', 'topic' = 't', 'format' = 'json',\n"
        "  'scan.startup.mod' = 'earliest-offset',\n"
        "  'json.ignore-parse-error' = 'true'\n"
        ");"
    )
    err = _error(sql)
    assert err.message == (
        "table default.t: unsupported options 'scan.startup.mod', 'json.ignore-parse-error' "
        "for connector 'kafka'"
    )
    assert err.hint == (
        "did you mean 'scan.startup.mode' for 'scan.startup.mod', "
        "'json.ignore-parse-errors' for 'json.ignore-parse-error'?"
    )
    assert err.span is not None
    assert sql[err.span.start : err.span.end] == "'scan.startup.mod'"


def test_a_format_key_without_its_format_says_which_option_names_it() -> None:
    err = _error(
        _create("'connector' = 'kafka', 'topic' = 't', 'json.ignore-parse-errors' = 'true'")
    )
    assert err.hint == "'json.ignore-parse-errors' applies with 'format' = 'json'"
    # a format's key under another format's prefix is unknown too
    err = _error(_create(f"{FILES}, 'json.ignore-parse-errors' = 'true'"))
    assert "'json.ignore-parse-errors'" in err.message


@pytest.mark.parametrize(
    ("options", "missing"),
    [
        ("'connector' = 'filesystem', 'format' = 'csv'", "'path'"),
        ("'connector' = 'filesystem', 'path' = '/tmp/x'", "'format'"),
        ("'connector' = 'upsert-kafka', 'topic' = 't', 'value.format' = 'json'", "'key.format'"),
        ("'connector' = 'upsert-kafka', 'topic' = 't'", "'key.format', 'value.format'"),
    ],
)
def test_a_missing_required_key_is_refused_at_the_with_clause(options: str, missing: str) -> None:
    sql = _create(options)
    err = _error(sql)
    assert err.message.endswith(f"requires the option{'s' if ',' in missing else ''} {missing}")
    assert err.span is not None
    assert sql[err.span.start : err.span.end] == f"WITH ({options})"


def test_keys_under_a_pass_through_prefix_are_accepted() -> None:
    compile_sql(
        _create(
            f"{KAFKA}, 'properties.bootstrap.servers' = 'b:9092', 'properties.anything.at.all' = "
            "'1', 'key.format' = 'csv', 'key.fields' = 'id', 'key.csv.field-delimiter' = ';', "
            "'json.timestamp-format.standard' = 'ISO-8601', 'scan.watermark.idle-timeout' = '5 s'"
        )
    )
    compile_sql(_create(f"{UPSERT}, 'key.json.ignore-parse-errors' = 'true'"))
    # the keys of a format nrtg does not check pass through, as Flink's filesystem lets them
    compile_sql(
        _create(
            "'connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'parquet', "
            "'parquet.utc-timezone' = 'true'"
        )
    )
    compile_sql(_create(f"{HIVE}, 'serde.field.delim' = '|'"))


def test_no_connector_and_an_unknown_connector_are_left_to_the_runtime() -> None:
    compile_sql("CREATE TEMPORARY TABLE t (id BIGINT); SELECT * FROM t;")
    compile_sql(_create("'connector' = 'jdbc', 'url' = 'x', 'whatever' = 'y'"))
    compile_sql(
        "CREATE TEMPORARY TABLE t (id BIGINT) WITH ('connector.type' = 'filesystem', "
        "'connector.path' = '/tmp/x', 'format.type' = 'csv');"
    )


def test_a_hint_typo_points_at_its_key() -> None:
    sql = (
        f"{_create(KAFKA)}\nSELECT * FROM t /*+ OPTIONS('scan.startup.mode' = 'latest-offset', "
        "'scan.startup.mod' = 'latest-offset') */;"
    )
    err = _error(sql)
    assert "'scan.startup.mod'" in err.message and err.hint == "did you mean 'scan.startup.mode'?"
    assert err.span is not None
    assert sql[err.span.start : err.span.end] == "'scan.startup.mod'"
    assert sql.index("'scan.startup.mod'") == err.span.start


def test_a_sink_hint_typo_and_a_good_hint() -> None:
    ddl = f"{_create(KAFKA)}\nCREATE TEMPORARY TABLE o (id BIGINT, s STRING) WITH ({KAFKA});\n"
    sql = f"{ddl}INSERT INTO o /*+ OPTIONS('sink.delivery-guarante' = 'none') */ SELECT * FROM t;"
    err = _error(sql)
    assert err.hint == "did you mean 'sink.delivery-guarantee'?"
    assert err.span is not None
    assert sql[err.span.start : err.span.end] == "'sink.delivery-guarante'"
    compile_sql(
        f"{ddl}INSERT INTO o /*+ OPTIONS('sink.delivery-guarantee' = 'exactly-once') */ "
        "SELECT * FROM t /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */;"
    )


@pytest.mark.parametrize(
    ("options", "key"),
    [
        (f"{KAFKA}, 'sink.semantic' = 'exactly-once'", "sink.semantic"),
        (f"{KAFKA}, 'json.encode.ignore-null-fields' = 'true'", "json.encode.ignore-null-fields"),
        (f"{FILES}, 'source.monitor-interval' = '10 s'", "source.monitor-interval"),
        (f"{FILES}, 'csv.disable-quote-character' = 'true'", "csv.disable-quote-character"),
        (f"{HIVE}, 'streaming-source.enable' = 'true'", "streaming-source.enable"),
        (f"{FILES}, 'partition.default-name' = 'none'", "partition.default-name"),
    ],
)
def test_a_flink_key_nrtg_cannot_honour_is_unsupported(options: str, key: str) -> None:
    err = _error(_create(options), UnsupportedError)
    assert f"option '{key}'" in err.message
    assert err.hint is not None and err.hint.startswith(f"remove '{key}'")


def test_a_flink_key_nrtg_ignores_harmlessly_is_accepted() -> None:
    compile_sql(
        _create(
            f"{FILES}, 'sink.rolling-policy.file-size' = '1MB', 'sink.parallelism' = '4', "
            "'partition.default-name' = '__DEFAULT_PARTITION__', 'csv.array-element-delimiter' = '|', "
            "'csv.disable-quote-character' = 'false', "
            "'scan.watermark.emit.strategy' = 'on-event'"
        )
    )
    compile_sql(
        _create(
            f"{KAFKA}, 'sink.partitioner' = 'round-robin', 'scan.parallelism' = '2', "
            "'json.encode.ignore-null-fields' = 'false'"
        )
    )


def test_a_catalog_table_is_listed_but_checked_where_it_is_used() -> None:
    catalog = MemoryCatalog()
    options = {"connector": "kafka", "topic": "t", "format": "json", "scan.startup.mod": "x"}
    catalog.create_table(TableDef(Ident("default", "k"), (Column("id", bigint()),), options))
    assert catalog.list_tables("default") == ["k"]
    compile_sql("CREATE TEMPORARY TABLE o (id BIGINT) WITH ('connector' = 'blackhole');", catalog)
    with pytest.raises(PlanValidationError, match=r"'scan\.startup\.mod'"):
        compile_sql("SELECT * FROM k", catalog)
    with pytest.raises(PlanValidationError, match=r"'scan\.startup\.mod'"):
        compile_sql("INSERT INTO k SELECT 1", catalog)
    # a hint that replaces the table's own key does not make the bad key good; the error
    # points at the hint, as the bad key is the catalog's
    sql = "SELECT * FROM k /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */"
    with pytest.raises(PlanValidationError, match=r"'scan\.startup\.mod'") as info:
        compile_sql(sql, catalog)
    span = info.value.span
    assert span is not None and sql[span.start : span.end].startswith("/*+ OPTIONS(")
