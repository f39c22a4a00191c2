"""The columnar key index (`_keys`, `_keyindex`, `_keyed`) and the operators built on it: codes
that agree for equal keys, lookups in arrival order across compactions, exact results when
hashed keys collide, and joins over random changelogs (string and composite keys, NULLs,
duplicates, retractions) that fold to the join of what remains."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from nrtg.catalog import types as t
from nrtg.catalog.schema import Field, Ident
from nrtg.compiler.lower.graph import Edge, EdgeKind, OperatorSpec
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import Call, ColumnRef, and_
from nrtg.runtime.stream.api import OP_COLUMN, Op
from nrtg.runtime.stream.fold import fold_multiset
from nrtg.runtime.stream.operators import _keys
from nrtg.runtime.stream.operators._keyed import KeyedRows
from nrtg.runtime.stream.operators._keys import KeyCoder
from nrtg.runtime.stream.operators._rowstore import RowStore
from nrtg.runtime.stream.operators.registry import make_operator

from .test_retractions import drive

SCHEMA = pa.schema([("k", pa.string()), ("n", pa.int64())])


def rows(ks: list[str | None], ns: list[int | None]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [pa.array(ks, pa.string()), pa.array(ns, pa.int64())], schema=SCHEMA
    )


def test_codes_agree_for_equal_keys_whatever_the_batch() -> None:
    coder = KeyCoder([pa.string(), pa.int64()])
    a = rows(["x", "yy", None, "x", ""], [1, 2, 3, 1, 0])
    b = rows(["pad", "x", "x", "yy", ""], [0, 1, 2, 2, 0]).slice(1)  # a sliced batch
    ca, na = coder.of(a, (0, 1))
    cb, nb = coder.of(b, (0, 1))
    assert na.tolist() == [False, False, True, False, False] and not nb.any()
    assert ca[0] == ca[3] == cb[0] and ca[1] == cb[2] and ca[4] == cb[3]
    assert len({ca[0], ca[1], cb[1], ca[4]}) == 4  # different keys, different codes here
    exact = KeyCoder([pa.int32()], [pa.int64()])
    assert exact.exact
    codes, _ = exact.of(pa.record_batch({"k": pa.array([7, -3], pa.int32())}), (0,))
    assert codes.tolist() == [7, -3]
    mixed = KeyCoder([pa.int64()], [pa.float64()])  # BIGINT = DOUBLE: both as doubles
    left, _ = mixed.of(pa.record_batch({"k": pa.array([2, 0], pa.int64())}), (0,))
    right, _ = mixed.of(pa.record_batch({"k": pa.array([2.0, -0.0])}), (0,))
    assert left.tolist() == right.tolist()


@pytest.mark.parametrize("by", ["string", "bigint"])
def test_index_lookup_in_arrival_order_and_after_compaction(by: str) -> None:
    """String keys: hashed, codes stored; a BIGINT key without NULLs: searched through the
    chunks' key column (no stored codes), except in a chunk holding a NULL key."""
    col = 0 if by == "string" else 1

    def keyed_rows() -> KeyedRows:
        return KeyedRows(RowStore(SCHEMA), KeyCoder([SCHEMA.field(col).type]), (col,))

    def batch(ns: list[int | None]) -> pa.RecordBatch:
        return rows([None if v is None else f"k{v}" for v in ns], ns)

    keyed = keyed_rows()
    store = keyed.store
    for start in range(0, 1000, 50):
        ns: list[int | None] = [i % 7 for i in range(start, start + 50)]
        if start == 500:
            ns[0] = None  # not indexed; its chunk keeps codes
        b = batch(ns)
        _, codes, nulls = keyed.keys(b)
        keyed.append(b, np.arange(50), codes, nulls)
    assert len(keyed.index.runs) == len(store.chunks) <= 10
    stored_codes = [r.codes is not None for r in keyed.index.runs]
    assert all(stored_codes) if by == "string" else stored_codes.count(True) == 1
    columns, codes, _ = keyed.keys(batch([3, 99, 1]))
    probe, ids = keyed.find(codes, columns)
    assert probe.tolist() == [0] * 142 + [2] * 143
    assert ids[:3].tolist() == [3, 10, 17] and ids[142:145].tolist() == [1, 8, 15]
    assert 500 not in ids.tolist()
    store.release(np.arange(0, 1000, 2))
    assert keyed.maybe_compact() is not None
    probe, ids = keyed.find(codes, columns)
    assert [r[1] for r in store.rows(ids[probe == 0])][:3] == [3, 3, 3]
    assert ids[probe == 0][:3].tolist() == [1, 8, 15]  # old ids 3, 17, 31
    assert len(keyed.index) == store.live == 500
    copy = keyed_rows()
    copy.restore(keyed.snapshot())
    probe2, ids2 = copy.find(codes, columns)
    assert store.rows(ids) == copy.store.rows(ids2) and probe.tolist() == probe2.tolist()


def test_colliding_codes_never_match_different_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_keys, "mix", lambda x: x & np.uint64(1))  # two codes in all
    store = RowStore(SCHEMA)
    keyed = KeyedRows(store, KeyCoder([pa.string()]), (0,), nulls=True)  # NULL: a key
    batch = rows(["a", "b", "c", "a", None], [1, 2, 3, 4, 5])
    _, codes, nulls = keyed.keys(batch)
    assert len(set(codes[~nulls].tolist())) <= 2
    keyed.append(batch, np.arange(5), codes, nulls)
    columns, codes, _ = keyed.keys(rows(["a", "c", None], [0, 0, 0]))
    probe, ids = keyed.find(codes, columns)
    assert list(zip(probe.tolist(), ids.tolist(), strict=True)) == [(0, 0), (0, 3), (1, 2), (2, 4)]


def test_retractions_take_distinct_copies_in_arrival_order() -> None:
    store = RowStore(SCHEMA)
    keyed = KeyedRows(store, KeyCoder([pa.string()]), (0,))
    old = rows(["a", "a", "b"], [1, 1, 2])
    _, codes, nulls = keyed.keys(old)
    keyed.append(old, np.arange(3), codes, nulls)
    batch = rows(["a", "a", "a", "b"], [1, 1, 1, 3])
    columns, codes, _ = keyed.keys(batch)
    taken = keyed.retract(batch, np.arange(4), codes, columns, np.full(4, 3))
    assert taken.tolist() == [0, 1, -1, -1]
    assert store.live_ids().tolist() == [2]


def _scan(name: str, fields: tuple[Field, ...]) -> n.TableScan:
    return n.TableScan(
        table=Ident("default", name), fields=fields, options=(("format", "debezium-json"),)
    )


def _ref(i: int, name: str, typ: t.DataType) -> ColumnRef:
    return ColumnRef(index=i, name=name, type=typ)


FIELDS = (Field("k", t.string()), Field("j", t.bigint()), Field("v", t.bigint()))
# composite (string, BIGINT) keys: hashed; the same with codes that collide all the time; one
# BIGINT key: exact, searched through the stored key column
KEYS = ["hashed", "colliding", "bigint"]


def _join(kind: n.JoinKind, residual: bool, by_string: bool) -> n.Join:
    eq = [
        Call(
            name="EQUALS",
            args=(_ref(0, "k", t.string()), _ref(3, "k", t.string())),
            type=t.boolean(),
        ),
        Call(
            name="EQUALS",
            args=(_ref(1, "j", t.bigint()), _ref(4, "j", t.bigint())),
            type=t.boolean(),
        ),
    ]
    if not by_string:
        eq = eq[1:]
    if residual:
        eq.append(
            Call(
                name="LESS_THAN",
                args=(_ref(2, "v", t.bigint()), _ref(5, "v", t.bigint())),
                type=t.boolean(),
            )
        )
    return n.Join(left=_scan("l", FIELDS), right=_scan("r", FIELDS), kind=kind, condition=and_(*eq))


def _batch(rows_: list[tuple[Any, ...]], ops: list[Op]) -> pa.RecordBatch:
    cols = list(zip(*rows_, strict=True))
    return pa.RecordBatch.from_arrays(
        [
            pa.array(cols[0], pa.string()),
            pa.array(cols[1], pa.int64()),
            pa.array(cols[2], pa.int64()),
            pa.array(ops, pa.int8()),
        ],
        names=["k", "j", "v", OP_COLUMN],
    )


def _expected(
    kind: n.JoinKind, left: Counter[Any], right: Counter[Any], residual: bool, by_string: bool
) -> Counter[Any]:
    lo = 0 if by_string else 1

    def joins(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
        if None in a[lo:2] or a[lo:2] != b[lo:2]:
            return False
        return not residual or (a[2] is not None and b[2] is not None and a[2] < b[2])

    out: Counter[Any] = Counter()
    pad = (None, None, None)
    for a, ca in left.items():
        hits = [(b, cb) for b, cb in right.items() if joins(a, b)]
        if kind is n.JoinKind.SEMI:
            out[a] += ca if hits else 0
        elif kind is n.JoinKind.ANTI:
            out[a] += 0 if hits else ca
        else:
            for b, cb in hits:
                out[a + b] += ca * cb
            if not hits and kind in (n.JoinKind.LEFT, n.JoinKind.FULL):
                out[a + pad] += ca
    if kind in (n.JoinKind.RIGHT, n.JoinKind.FULL):
        for b, cb in right.items():
            if not any(joins(a, b) for a in left):
                out[pad + b] += cb
    return +out


@pytest.mark.parametrize("kind", list(n.JoinKind))
@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("keys", KEYS)
def test_join_over_random_changelogs_folds_to_the_join_of_what_remains(
    kind: n.JoinKind, residual: bool, keys: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if keys == "colliding":
        monkeypatch.setattr(_keys, "mix", lambda x: x & np.uint64(3))
    rng = random.Random(f"{kind}-{residual}-{keys}")
    node = _join(kind, residual, by_string=keys != "bigint")
    present: tuple[Counter[Any], Counter[Any]] = (Counter(), Counter())
    batches: list[tuple[int, pa.RecordBatch]] = []
    for _ in range(30):
        side = rng.randrange(2)
        here = present[side]
        rows_: list[tuple[Any, ...]] = []
        ops: list[Op] = []
        for _ in range(rng.randrange(1, 8)):
            if here and rng.random() < 0.4:
                row = rng.choice(sorted(here, key=repr))
                here[row] -= 1
                here += Counter()
                ops.append(rng.choice([Op.DELETE, Op.UPDATE_BEFORE]))
            else:
                row = (
                    rng.choice(["a", "b", "cc", None]),
                    rng.choice([1, 2, None]),
                    rng.choice([1, 2, 3]),
                )
                here[row] += 1
                ops.append(rng.choice([Op.INSERT, Op.UPDATE_AFTER]))
            rows_.append(row)
        batches.append((side, _batch(rows_, ops)))
    assert drive(node, "join", batches) == _expected(kind, *present, residual, keys != "bigint")


RANK_FIELDS = (Field("k", t.string()), Field("v", t.bigint()), Field("w", t.bigint()))


def _rank_reference(
    present: list[tuple[Any, ...]],
    part: int,
    key: n.SortKey,
    fn: n.RankFn,
    lower: int,
    upper: int,
) -> Counter[Any]:
    def order(row: tuple[Any, ...]) -> tuple[Any, ...]:
        v = row[1]
        if v is None:
            return (0 if key.effective_nulls_first else 2, 0)
        return (1, -v if key.descending else v)

    out: Counter[Any] = Counter()
    for p in {r[part] for r in present}:
        rows_ = sorted((r for r in present if r[part] == p), key=order)  # stable: arrival
        rank = dense = 0
        for i, r in enumerate(rows_):
            new = i == 0 or rows_[i - 1][1] != r[1]
            rank = i + 1 if fn is n.RankFn.ROW_NUMBER or new else rank
            dense += new
            got = dense if fn is n.RankFn.DENSE_RANK else rank
            if lower <= got <= upper:
                out[(*r, got)] += 1
    return out


@pytest.mark.parametrize("fn", list(n.RankFn))
@pytest.mark.parametrize("updating", [False, True])
@pytest.mark.parametrize("keys", KEYS)
def test_rank_over_random_changelogs_folds_to_the_top_of_what_remains(
    fn: n.RankFn, updating: bool, keys: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if keys == "colliding":
        monkeypatch.setattr(_keys, "mix", lambda x: x & np.uint64(1))
    rng = random.Random(f"{fn}-{updating}-{keys}")
    part = 0 if keys != "bigint" else 2
    for trial in range(4):
        key = n.SortKey(1, descending=bool(trial % 2), nulls_first=[None, True, False][trial % 3])
        lower, upper = rng.choice([(1, 1), (1, 3), (2, 4)])
        options = (("format", "debezium-json"),) if updating else ()
        scan = n.TableScan(table=Ident("default", "s"), fields=RANK_FIELDS, options=options)
        node = n.Rank(
            input=scan,
            partition=(part,),
            order=(key,),
            fn=fn,
            lower=lower,
            upper=upper,
            rank_name="r",
        )
        present: list[tuple[Any, ...]] = []
        batches: list[tuple[int, pa.RecordBatch]] = []
        for _ in range(25):
            rows_: list[tuple[Any, ...]] = []
            ops: list[Op] = []
            for _ in range(rng.randrange(1, 7)):
                if updating and present and rng.random() < 0.35:
                    row = rng.choice(present)
                    present.remove(row)  # the earliest equal row goes
                    ops.append(Op.UPDATE_BEFORE)
                else:
                    row = (
                        rng.choice(["a", "b", None]),
                        rng.choice([1, 2, 3, 4, None]),
                        rng.randrange(3),  # tells tied rows apart: arrival order shows
                    )
                    present.append(row)
                    ops.append(Op.INSERT)
                rows_.append(row)
            cols = list(zip(*rows_, strict=True))
            arrays = [
                pa.array(cols[0], pa.string()),
                pa.array(cols[1], pa.int64()),
                pa.array(cols[2], pa.int64()),
            ]
            names = ["k", "v", "w"]
            if updating:
                arrays.append(pa.array(ops, pa.int8()))
                names.append(OP_COLUMN)
            batches.append((0, pa.RecordBatch.from_arrays(arrays, names=names)))
        assert drive(node, "rank", batches) == _rank_reference(present, part, key, fn, lower, upper)


def test_an_int_key_column_is_searched_with_out_of_range_codes_matching_nothing() -> None:
    schema = pa.schema([("k", pa.int32())])
    keyed = KeyedRows(RowStore(schema), KeyCoder([pa.int32()], [pa.int64()]), (0,))
    stored = pa.RecordBatch.from_arrays([pa.array([5, 7, 5], pa.int32())], schema=schema)
    _, codes, nulls = keyed.keys(stored)
    keyed.append(stored, np.arange(3), codes, nulls)
    assert keyed.index.runs[0].codes is None  # searched through the stored column
    wide = pa.array([5, 2**32 + 5, -(2**40), 7], pa.int64())
    probe, ids = keyed.find(np.asarray(wide.to_numpy()), [wide])
    assert list(zip(probe.tolist(), ids.tolist(), strict=True)) == [(0, 0), (0, 2), (3, 1)]


DEDUP_FIELDS = (Field("k", t.string()), Field("ts", t.bigint()), Field("w", t.bigint()))


def _dedup_reference(rows_: list[tuple[Any, ...]], last: bool) -> Counter[Any]:
    """Row at a time: a row replaces the key's winner when its time is later or equal (last)
    or earlier (first); a NULL time never replaces, a NULL-timed winner is replaced (last) or
    kept for good (first)."""
    best: dict[Any, tuple[Any, ...]] = {}
    for r in rows_:
        cur = best.get(r[0])
        if cur is None:
            best[r[0]] = r
            continue
        a, b = r[1], cur[1]
        if last:
            better = a is not None and (b is None or a >= b)
        else:
            better = a is not None and b is not None and a < b
        if better:
            best[r[0]] = r
    return Counter((*r, 1) for r in best.values())


@pytest.mark.parametrize("last", [False, True])
@pytest.mark.parametrize("keys", ["hashed", "colliding"])
def test_deduplicate_over_random_batches_keeps_the_row_at_a_time_winner(
    last: bool, keys: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if keys == "colliding":
        monkeypatch.setattr(_keys, "mix", lambda x: x & np.uint64(1))
    rng = random.Random(f"{last}-{keys}")
    scan = n.TableScan(table=Ident("default", "s"), fields=DEDUP_FIELDS, options=())
    node = n.Deduplicate(input=scan, keys=(0,), time_col=1, keep_last=last, rank_name="r")
    for _ in range(5):
        seen: list[tuple[Any, ...]] = []
        batches: list[tuple[int, pa.RecordBatch]] = []
        for _ in range(12):
            rows_ = [
                (rng.choice(["a", "b", "c", None]), rng.choice([1, 2, 3, None]), rng.randrange(9))
                for _ in range(rng.randrange(1, 6))
            ]
            seen += rows_
            cols = list(zip(*rows_, strict=True))
            arrays = [pa.array(cols[0], pa.string())] + [pa.array(c, pa.int64()) for c in cols[1:]]
            batches.append((0, pa.RecordBatch.from_arrays(arrays, names=["k", "ts", "w"])))
        assert drive(node, "deduplicate", batches) == _dedup_reference(seen, last)


def test_temporal_join_meets_the_version_valid_at_each_left_rows_time() -> None:
    """Random versions (+I/+U/-D, equal times included) and probes, watermarks in between
    (expiring old versions); nothing late. Each left row meets the latest version of its key
    at or before its time (on equal times the later arrival), none if that is a deletion."""
    rng = random.Random(5)
    left_fields = (Field("k", t.string()), Field("lt", t.bigint()))
    right_fields = (Field("k", t.string()), Field("rt", t.bigint()), Field("v", t.bigint()))
    node = n.TemporalJoin(
        left=n.TableScan(table=Ident("default", "l"), fields=left_fields, options=()),
        right=_scan("r", right_fields),
        kind=n.JoinKind.LEFT,
        condition=Call(
            name="EQUALS",
            args=(_ref(0, "k", t.string()), _ref(2, "k", t.string())),
            type=t.boolean(),
        ),
        left_time=1,
        right_time=1,
        right_key=(0,),
    )
    spec = OperatorSpec(
        id=0,
        kind="temporal_join",
        node=node,
        inputs=(Edge(9, EdgeKind.FORWARD), Edge(8, EdgeKind.FORWARD)),
        schema=node.schema,
        changelog=node.changelog,
        params={"left_keys": (0,), "right_keys": (0,)},
    )
    op = make_operator(spec)
    versions: list[tuple[Any, ...]] = []  # (key, time, value, deleted), in arrival order
    probes: list[tuple[Any, ...]] = []
    out: list[pa.RecordBatch] = []
    wm = 0
    for _ in range(40):
        if rng.random() < 0.5:
            rows_ = [
                (rng.choice(["a", "b", None]), wm + rng.randrange(1, 6), rng.randrange(99))
                for _ in range(rng.randrange(1, 5))
            ]
            ops = [rng.choice([Op.INSERT, Op.UPDATE_AFTER, Op.DELETE]) for _ in rows_]
            versions += [(*r, o == Op.DELETE) for r, o in zip(rows_, ops, strict=True)]
            cols = list(zip(*rows_, strict=True))
            arrays = [pa.array(cols[0], pa.string()), pa.array(cols[1], pa.int64())]
            arrays += [pa.array(cols[2], pa.int64()), pa.array(ops, pa.int8())]
            out += op.process(
                pa.RecordBatch.from_arrays(arrays, ["k", "rt", "v", OP_COLUMN]), 1
            ).batches
        else:
            rows_ = [
                (rng.choice(["a", "b", None]), wm + rng.randrange(1, 6))
                for _ in range(rng.randrange(1, 5))
            ]
            probes += rows_
            cols = list(zip(*rows_, strict=True))
            arrays = [pa.array(cols[0], pa.string()), pa.array(cols[1], pa.int64())]
            out += op.process(pa.RecordBatch.from_arrays(arrays, ["k", "lt"]), 0).batches
        wm += rng.randrange(0, 3)
        out += op.on_watermark(wm).batches
    out += op.on_watermark(2**62).batches
    expected: Counter[Any] = Counter()
    for k, lt in probes:
        valid = [v for v in versions if k is not None and v[0] == k and v[1] <= lt]
        best = max(enumerate(valid), key=lambda iv: (iv[1][1], iv[0]), default=None)
        met = best[1][:3] if best is not None and not best[1][3] else (None, None, None)
        expected[(k, lt, *met)] += 1
    got = fold_multiset(pa.Table.from_batches(out) if out else None)
    assert got == expected and sum(expected.values()) == len(probes)
