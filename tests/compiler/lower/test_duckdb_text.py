"""The batch target's SQL text is stable: `nrtg compile --target batch` prints it and golden
files hold it. Frozen here for a small plan; re-bless by pasting the new text after review."""

from __future__ import annotations

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, Ident
from nrtg.compiler.lower.duckdb import batch_text, lower_to_duckdb
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import AggCall, Call, ColumnRef, Literal


def plan() -> n.Plan:
    scan = n.TableScan(
        table=Ident("default", "bid"),
        fields=(
            Field("auction", t.bigint()),
            Field("price", t.bigint()),
            Field("ts", t.timestamp(3)),
        ),
        options=(("connector", "filesystem"), ("format", "json"), ("path", "/data/bid")),
    )
    wm = n.AssignWatermark(
        input=scan, rowtime=2, watermark=ColumnRef(index=2, name="ts", type=t.timestamp(3))
    )
    cond = Call(
        name="GREATER_THAN",
        args=(
            ColumnRef(index=1, name="price", type=t.bigint()),
            Literal(value=10, type=t.bigint()),
        ),
        type=t.boolean(),
    )
    f = n.Filter(input=wm, predicate=cond)
    spec = n.WindowSpec(kind=n.WindowKind.TUMBLE, time_col=2, size_ms=10_000)
    agg = n.WindowAggregate(
        input=f,
        window=spec,
        group=(0,),
        aggs=(
            AggCall(name="COUNT", args=(), type=t.bigint(), alias="n"),
            AggCall(name="AVG", args=(1,), type=t.bigint(), alias="avg_price"),
        ),
        properties=("window_start", "window_end"),
    )
    out = n.Sort(input=agg, keys=(n.SortKey(2), n.SortKey(1, descending=True)), limit=3)
    return n.Sink(
        input=out,
        table=Ident("default", "out"),
        fields=out.schema.fields,
        options=(("connector", "print"),),
    )


EXPECTED = """\
-- source "src:default.bid": default.bid (connector=filesystem, format=json)
-- sink: default.out (connector=print)
CREATE OR REPLACE TEMP MACRO nrtg_window_start(ms, size, off) AS ms - (((ms - off) % size) + size) % size;
WITH q0 AS (
  SELECT
    "auction",
    "price",
    "ts"
  FROM "src:default.bid"
), q1 AS (
  SELECT
    *
  FROM q0
  WHERE
    "price" > CAST(10 AS BIGINT)
), q2 AS (
  SELECT
    *,
    NRTG_WINDOW_START(EPOCH_MS("ts"), 10000, 0) AS "$ws"
  FROM q1
), q3 AS (
  SELECT
    "auction",
    COUNT_STAR() AS "n",
    CAST(SUM("price") // COUNT("price") AS BIGINT) AS "avg_price",
    EPOCH_MS("$ws") AS "window_start",
    EPOCH_MS("$ws" + 10000) AS "window_end"
  FROM q2
  GROUP BY
    "auction",
    "$ws"
), q4 AS (
  SELECT
    *
  FROM q3
  ORDER BY
    "avg_price" ASC NULLS FIRST,
    "n" DESC
  LIMIT 3
), q5 AS (
  SELECT
    "auction",
    "n",
    "avg_price",
    "window_start",
    "window_end"
  FROM q4
)
SELECT
  *
FROM q5
ORDER BY
  "avg_price" ASC NULLS FIRST,
  "n" DESC;
"""


def test_text_is_frozen() -> None:
    assert lower_to_duckdb(plan()).text() == EXPECTED


def test_text_has_no_paths_and_renders_the_same_twice() -> None:
    text = batch_text((plan(), plan()))
    assert "/data/bid" not in text
    assert text == batch_text((plan(), plan()))
    assert not any(line != line.rstrip() for line in text.splitlines())
