"""The other sinks of a Kafka job: filesystem (files visible only once committed), print
(Flink's `+I[...]` lines), blackhole, and an at-least-once kafka sink with `key.fields` and csv."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ...services import make_topic
from ._kafka import produce, read_topic, run_sql

pytestmark = pytest.mark.kafka


def _source(topic: str, bootstrap: str) -> str:
    return (
        "CREATE TABLE s (id BIGINT, name STRING) WITH ("
        f"'connector' = 'kafka', 'topic' = '{topic}', "
        f"'properties.bootstrap.servers' = '{bootstrap}', 'format' = 'json', "
        "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');\n"
    )


@pytest.fixture(scope="module")
def names(kafka_bootstrap: str) -> str:
    topic = make_topic(kafka_bootstrap, "sinks", 2)
    rows = [json.dumps({"id": i, "name": f"n{i}"}).encode() for i in range(10)]
    produce(kafka_bootstrap, topic, rows[:5], partition=0)
    produce(kafka_bootstrap, topic, rows[5:], partition=1)
    return topic


def test_filesystem_sink(kafka_bootstrap: str, names: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    sql = _source(names, kafka_bootstrap) + (
        "CREATE TABLE f (id BIGINT, name STRING) WITH ('connector' = 'filesystem', "
        f"'path' = '{out}', 'format' = 'json');\n"
        "INSERT INTO f SELECT id, name FROM s WHERE id >= 3;"
    )
    run_sql(sql, checkpoint_dir=str(tmp_path / "cp"))
    files = sorted(os.listdir(out))
    assert files and not [f for f in files if f.startswith(".")]
    rows = [json.loads(line) for f in files for line in (out / f).read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == list(range(3, 10))


def test_print_and_blackhole_sinks(
    kafka_bootstrap: str, names: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = _source(names, kafka_bootstrap) + (
        "CREATE TABLE p (id BIGINT, name STRING) WITH ("
        "'connector' = 'print', 'print-identifier' = 'out');\n"
        "CREATE TABLE b (id BIGINT) WITH ('connector' = 'blackhole');\n"
        "INSERT INTO p SELECT id, name FROM s WHERE id < 2;\n"
        "INSERT INTO b SELECT id FROM s;"
    )
    run_sql(sql)
    captured = capsys.readouterr()
    assert sorted(captured.out.splitlines()) == ["out> +I[0, n0]", "out> +I[1, n1]"]
    assert "sink:default.b: 10 rows" in captured.err


def test_kafka_sink_key_fields_and_csv(kafka_bootstrap: str, names: str) -> None:
    out = make_topic(kafka_bootstrap, "keyed", 3)
    sql = _source(names, kafka_bootstrap) + (
        "CREATE TABLE k (id BIGINT, name STRING) WITH ("
        f"'connector' = 'kafka', 'topic' = '{out}', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', "
        "'key.format' = 'json', 'key.fields' = 'id', "
        "'value.format' = 'csv', 'value.fields-include' = 'EXCEPT_KEY');\n"
        "INSERT INTO k SELECT id, name FROM s;"
    )
    run_sql(sql)  # at-least-once (Flink's default): visible without a transaction
    records = read_topic(kafka_bootstrap, out)
    got = sorted((json.loads(r.key)["id"], r.value) for r in records)
    assert got == [(i, f"n{i}".encode()) for i in range(10)]
    # read back through the connector: key fields from the key, the rest from the value
    back = run_sql(
        "CREATE TABLE k2 (id BIGINT, name STRING) WITH ("
        f"'connector' = 'kafka', 'topic' = '{out}', "
        f"'properties.bootstrap.servers' = '{kafka_bootstrap}', "
        "'key.format' = 'json', 'key.fields' = 'id', "
        "'value.format' = 'csv', 'value.fields-include' = 'EXCEPT_KEY', "
        "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');\n"
        "SELECT id, name FROM k2;"
    )
    assert back is not None
    assert sorted(back.to_pylist(), key=lambda r: r["id"]) == [
        {"id": i, "name": f"n{i}"} for i in range(10)
    ]
