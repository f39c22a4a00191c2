"""Projection pushdown into the Kafka source's value decoder: the fields a job reads, traced
back through calcs and watermark assigners (nested fields included), and the pruned columns
widened back to the table's types with NULL for what nobody reads."""

from __future__ import annotations

import pyarrow as pa

from nrtg.compiler.api import compile_sql
from nrtg.compiler.lower.stream import lower_to_stream
from nrtg.runtime.stream.connectors.projection import pruned_type, source_demand, widened

DDL = """
CREATE TABLE t (
    a BIGINT,
    r ROW<x INT, y STRING, z ROW<p INT, q INT>>,
    s STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = 'x:1',
        'format' = 'json');
"""


def demand(query: str) -> object:
    graph = lower_to_stream(compile_sql(DDL + query, None, target="stream").optimized)
    (source,) = graph.sources
    got = source_demand(graph, source.id)
    names = [f.name for f in source.node.schema.fields]
    return None if got is None else {names[i]: sub for i, sub in got.items()}


def test_nested_fields_filters_and_the_watermark_are_read() -> None:
    got = demand("SELECT a + 1 AS b, r.z.p FROM t WHERE s = 'k';")
    assert got == {"a": None, "r": {"z": {"p": None}}, "s": None, "ts": None}


def test_a_whole_row_read_downstream_reads_every_nested_field() -> None:
    got = demand("SELECT r.x, r FROM t;")
    assert got == {"r": None, "ts": None}


def test_an_operator_other_than_calc_reads_every_column_it_gets() -> None:
    got = demand("SELECT a, MAX(r.x) AS m FROM t GROUP BY a;")
    assert got == {"a": None, "r": {"x": None}, "ts": None}
    assert demand("SELECT * FROM t;") is None
    assert demand("SELECT 1 AS one FROM t;") == {"ts": None}  # only the watermark reads


def test_pruned_struct_widens_back_with_nulls_and_keeps_row_nulls() -> None:
    full = pa.struct(
        [
            ("x", pa.int32()),
            ("y", pa.string()),
            ("z", pa.struct([("p", pa.int32()), ("q", pa.int32())])),
        ]
    )
    read = pruned_type(full, {"z": {"q": None}})
    assert read == pa.struct([("z", pa.struct([("q", pa.int32())]))])
    column = pa.array([{"z": {"q": 1}}, None, {"z": None}], type=read)
    out = widened(column, full)
    assert out.type == full
    assert out.to_pylist() == [
        {"x": None, "y": None, "z": {"p": None, "q": 1}},
        None,
        {"x": None, "y": None, "z": None},
    ]
