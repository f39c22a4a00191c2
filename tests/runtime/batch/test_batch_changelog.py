"""Changelog sources in batch (debezium-json files, Arrow with "$op") and the event-time
temporal join against a versioned table with updates and deletes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, Ident
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, ColumnRef, Literal
from nrtg.runtime.batch import run_plan

LTZ = t.timestamp_ltz(3)
UTC = dt.UTC


def at(minute: int) -> dt.datetime:
    return dt.datetime(2024, 1, 1, 10, minute, tzinfo=UTC)


def ms(minute: int) -> int:
    return int(at(minute).timestamp() * 1000)


def rates_scan(path: Path, **extra: str) -> n.TableScan:
    options = {"connector": "filesystem", "path": str(path), "format": "debezium-json", **extra}
    return n.TableScan(
        table=Ident("default", "rates"),
        fields=(Field("currency", t.string()), Field("rate", t.int_()), Field("ts", LTZ)),
        options=tuple(sorted(options.items())),
        metadata_keys=(None, None, "ingestion-timestamp"),
        primary_key=(0,),
    )


def write_changes(path: Path, schema_include: bool = False) -> None:
    def row(cur: str, rate: int) -> dict[str, Any]:
        return {"currency": cur, "rate": rate}

    events = [
        {"before": None, "after": row("EUR", 100), "op": "c", "ts_ms": ms(0)},
        {"before": None, "after": row("USD", 1), "op": "c", "ts_ms": ms(0)},
        {"before": row("EUR", 100), "after": row("EUR", 110), "op": "u", "ts_ms": ms(5)},
        {"before": row("USD", 1), "after": None, "op": "d", "ts_ms": ms(7)},
    ]
    if schema_include:
        events = [{"schema": {}, "payload": e} for e in events]
    path.write_text("".join(json.dumps(e) + "\n" for e in events))


def test_debezium_source_reads_folded(tmp_path: Path) -> None:
    # Flink's debezium-json: c -> +I, u -> -U/+U, d -> -D; the batch result is the final table.
    path = tmp_path / "rates.json"
    write_changes(path)
    got = run_plan(rates_scan(path)).table.to_pylist()
    assert got == [{"currency": "EUR", "rate": 110, "ts": at(5)}]


def test_debezium_schema_include(tmp_path: Path) -> None:
    path = tmp_path / "rates.json"
    write_changes(path, schema_include=True)
    scan = rates_scan(path, **{"debezium-json.schema-include": "true"})
    assert [r["rate"] for r in run_plan(scan).table.to_pylist()] == [110]


def test_arrow_changelog_without_key_folds_as_multiset() -> None:
    scan = n.TableScan(
        table=Ident("default", "c"),
        fields=(Field("k", t.int_()),),
        options=(("connector", "kafka"), ("format", "debezium-json")),
    )
    table = pa.table({"k": [1, 1, 2, 1], "$op": ["I", "I", "I", "D"]})
    got = sorted(r["k"] for r in run_plan(scan, tables={"default.c": table}).table.to_pylist())
    assert got == [1, 2]


def _orders() -> n.Plan:
    rows = [("EUR", 59), ("EUR", 1), ("EUR", 6), ("USD", 6), ("USD", 8)]
    lits = tuple(
        (
            Literal(value=c, type=t.string()),
            Literal(value=dt.datetime(2024, 1, 1, 9 if m == 59 else 10, m, tzinfo=UTC), type=LTZ),
        )
        for c, m in rows
    )
    v = n.Values(rows=lits, fields=(Field("cur", t.string()), Field("ot", LTZ)))
    return n.AssignWatermark(input=v, rowtime=1, watermark=ColumnRef(index=1, name="ot", type=LTZ))


def _temporal(path: Path, kind: n.JoinKind) -> list[tuple[Any, ...]]:
    right = n.AssignWatermark(
        input=rates_scan(path), rowtime=2, watermark=ColumnRef(index=2, name="ts", type=LTZ)
    )
    cond = Call(
        name="EQUALS",
        args=(
            ColumnRef(index=0, name="cur", type=t.string()),
            ColumnRef(index=2, name="currency", type=t.string()),
        ),
        type=t.boolean(),
    )
    j = n.TemporalJoin(
        left=_orders(),
        right=right,
        kind=kind,
        condition=cond,
        left_time=1,
        right_time=2,
        right_key=(0,),
    )
    table = run_plan(j).table
    return sorted(((r["cur"], r["ot"].minute, r["rate"]) for r in table.to_pylist()), key=repr)


def test_temporal_join_against_changelog_respects_updates_and_deletes(tmp_path: Path) -> None:
    # EUR: 100 from 10:00, 110 from 10:05. USD: 1 from 10:00, deleted at 10:07.
    # Orders: EUR 09:59 (no version yet), EUR 10:01 -> 100, EUR 10:06 -> 110, USD 10:06 -> 1,
    # USD 10:08 -> none (the latest change of USD is its delete).
    path = tmp_path / "rates.json"
    write_changes(path)
    assert _temporal(path, n.JoinKind.INNER) == [("EUR", 1, 100), ("EUR", 6, 110), ("USD", 6, 1)]
    assert _temporal(path, n.JoinKind.LEFT) == [
        ("EUR", 1, 100),
        ("EUR", 59, None),
        ("EUR", 6, 110),
        ("USD", 6, 1),
        ("USD", 8, None),
    ]


def test_temporal_join_takes_the_last_change_of_a_key_at_one_time(tmp_path: Path) -> None:
    """EUR is updated to 120 and deleted at the same 10:03 (in that order): from 10:03 it has
    no version. USD is deleted and created again at 10:02 (in that order): from 10:02 its rate
    is 7. Flink applies changes in changelog order, so the later one wins."""

    def row(cur: str, rate: int) -> dict[str, Any]:
        return {"currency": cur, "rate": rate}

    events = [
        {"before": None, "after": row("EUR", 100), "op": "c", "ts_ms": ms(0)},
        {"before": None, "after": row("USD", 1), "op": "c", "ts_ms": ms(0)},
        {"before": row("USD", 1), "after": None, "op": "d", "ts_ms": ms(2)},
        {"before": None, "after": row("USD", 7), "op": "c", "ts_ms": ms(2)},
        {"before": row("EUR", 100), "after": row("EUR", 120), "op": "u", "ts_ms": ms(3)},
        {"before": row("EUR", 120), "after": None, "op": "d", "ts_ms": ms(3)},
    ]
    path = tmp_path / "rates.json"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    # orders: EUR 10:01 -> 100, EUR 10:06 -> none; USD 10:06 -> 7 (USD 10:08 too)
    assert _temporal(path, n.JoinKind.LEFT) == [
        ("EUR", 1, 100),
        ("EUR", 59, None),
        ("EUR", 6, None),
        ("USD", 6, 7),
        ("USD", 8, 7),
    ]
