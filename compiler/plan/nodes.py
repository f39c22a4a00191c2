"""Relational plan nodes: frozen, keyword-only, children only as fields, facts cached (cached.py).

Nodes compare by identity (eq=False): rules detect change with `is`, and deep equality over a
whole plan would cost more than it tells. Column references are input ordinals; binary nodes see
the left fields followed by the right fields.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any

from nrtg.catalog import types as t
from nrtg.catalog.errors import InternalError, Span
from nrtg.catalog.schema import Field, Ident, Schema, TimeAttr

from . import traits
from .cached import cached
from .expr import AggCall, Call, Cast, ColumnRef, Expr, field_names
from .frozen import frozen
from .traits import INSERT_ONLY, INSERT_UPDATE, RETRACT, UPSERT, ChangelogMode

node = frozen(eq=False)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise InternalError(message)


@functools.cache
def child_fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """The fields of a node class that hold its inputs, each with whether it holds a tuple of
    them, read once from the annotations: walks read children far too often to test every
    field's value for being a plan."""
    out = []
    for f in fields(cls):
        annotation = str(f.type)
        if annotation == "Plan":
            out.append((f.name, False))
        elif annotation == "tuple[Plan, ...]":
            out.append((f.name, True))
        elif "Plan" in annotation:
            raise InternalError(f"{cls.__name__}.{f.name}: unsupported input annotation")
    return tuple(out)


@node
class Plan:
    span: Span | None = field(default=None, repr=False)

    @cached
    def children(self) -> tuple[Plan, ...]:
        spec = child_fields(type(self))
        values = self.__dict__
        if len(spec) == 1 and not spec[0][1]:
            return (values[spec[0][0]],)  # most nodes: one input
        out: list[Plan] = []
        for name, many in spec:
            if many:
                out.extend(values[name])
            else:
                out.append(values[name])
        return tuple(out)

    def replace(self, **changes: Any) -> Plan:
        values = self.__dict__
        fresh = {name: values[name] for name in field_names(type(self))}
        fresh.update(changes)
        return type(self)(**fresh)

    @cached
    def kinds(self) -> frozenset[type[Plan]]:
        """The node types in this subtree (rules skip subtrees without the types they rewrite)."""
        kids = self.children
        if len(kids) == 1:
            # A node over one input of its own type (Project over Project) shares that
            # input's set rather than building an equal one.
            below = kids[0].kinds
            return below if type(self) in below else below | {type(self)}
        out = {type(self)}
        for c in kids:
            out |= c.kinds
        return frozenset(out)

    def with_children(self, children: tuple[Plan, ...]) -> Plan:
        old = self.children
        if len(children) != len(old):
            raise InternalError(f"{type(self).__name__}: {len(children)} children for {len(old)}")
        if all(map(operator.is_, children, old)):
            return self
        return self.rebuilt(children)

    def rebuilt(self, children: tuple[Plan, ...]) -> Plan:
        """A new node over `children`, every other field as in this one."""
        changes: dict[str, Any] = {}
        it = iter(children)
        for name, many in child_fields(type(self)):
            changes[name] = tuple(next(it) for _ in getattr(self, name)) if many else next(it)
        return self.replace(**changes)

    @cached
    def schema(self) -> Schema:
        raise NotImplementedError(type(self).__name__)

    @cached
    def changelog(self) -> ChangelogMode:
        return self.children[0].changelog

    @cached
    def upsert_keys(self) -> frozenset[tuple[int, ...]]:
        """Column sets that identify a row among the current (folded) results."""
        return frozenset()

    @property
    def fields_(self) -> tuple[Field, ...]:
        return self.schema.fields


def plain(f: Field) -> Field:
    """The field without its time attribute (what materializing operators output)."""
    return f if f.time_attr is None else Field(f.name, f.type)


def nullable(f: Field) -> Field:
    return Field(f.name, f.type.with_nullable(True), f.time_attr)


# -- leaves -----------------------------------------------------------------------------------
@node
class TableScan(Plan):
    """Reads a connector table's physical and metadata columns (computed columns and the
    watermark are a Project and an AssignWatermark above it)."""

    table: Ident
    fields: tuple[Field, ...]
    options: tuple[tuple[str, str], ...]
    metadata_keys: tuple[str | None, ...] = ()
    primary_key: tuple[int, ...] | None = None

    @cached
    def schema(self) -> Schema:
        return Schema(self.fields)

    def option(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.options:
            if k == key:
                return v
        return default

    @cached
    def changelog(self) -> ChangelogMode:
        connector = self.option("connector", "")
        fmt = self.option("format") or self.option("value.format") or ""
        if connector == "upsert-kafka":
            return UPSERT
        if fmt in ("debezium-json", "canal-json", "maxwell-json", "ogg-json"):
            return RETRACT
        return INSERT_ONLY

    @cached
    def upsert_keys(self) -> frozenset[tuple[int, ...]]:
        return frozenset({self.primary_key}) if self.primary_key else frozenset()


@node
class Values(Plan):
    rows: tuple[tuple[Expr, ...], ...]
    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        for r in self.rows:
            check(len(r) == len(self.fields), "Values row arity differs from its schema")

    @cached
    def schema(self) -> Schema:
        return Schema(self.fields)

    @cached
    def changelog(self) -> ChangelogMode:
        return INSERT_ONLY


# -- row-wise ---------------------------------------------------------------------------------
@node
class Project(Plan):
    input: Plan
    exprs: tuple[Expr, ...]
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        check(len(self.exprs) == len(self.names), "Project exprs and names differ in length")
        width = len(self.input.schema)
        for e in self.exprs:
            # Most expressions are references: their index is the check (no refs set built).
            top = e.index if type(e) is ColumnRef else max(e.column_refs, default=-1)
            if top >= width:
                raise InternalError(f"Project ref out of range in {self.names}")

    @cached
    def schema(self) -> Schema:
        return Schema(tuple(self._field(e, n) for e, n in zip(self.exprs, self.names, strict=True)))

    def _field(self, e: Expr, name: str) -> Field:
        if isinstance(e, ColumnRef):
            # A column passed through under its own name is the input's field itself.
            same = self.input.schema.fields[e.index]
            if same.name == name and same.type == e.type:
                return same
        return Field(name, e.type, time_attr_of(e, self.input.schema))

    @cached
    def upsert_keys(self) -> frozenset[tuple[int, ...]]:
        positions: dict[int, int] = {}
        for out, e in enumerate(self.exprs):
            if isinstance(e, ColumnRef):
                positions.setdefault(e.index, out)
        keys = set()
        for key in self.input.upsert_keys:
            if all(k in positions for k in key):
                keys.add(tuple(sorted(positions[k] for k in key)))
        return frozenset(keys)


def time_attr_of(e: Expr, schema: Schema) -> TimeAttr | None:
    """A time attribute survives a plain reference, a CAST to the same type, and `ts ± INTERVAL`
    (Flink keeps `ts + INTERVAL '1' DAY` a rowtime)."""
    if isinstance(e, ColumnRef):
        return schema.fields[e.index].time_attr
    if isinstance(e, Call) and e.name == "PROCTIME":
        return TimeAttr.PROCTIME
    if isinstance(e, Cast) and e.type.with_nullable(True) == e.input.type.with_nullable(True):
        return time_attr_of(e.input, schema)
    if (
        isinstance(e, Call)
        and e.name in ("PLUS", "MINUS")
        and len(e.args) == 2
        and e.args[1].type.is_interval
    ):
        return time_attr_of(e.args[0], schema)
    return None


@node
class Filter(Plan):
    input: Plan
    predicate: Expr

    def __post_init__(self) -> None:
        check(self.predicate.type.is_boolean, "Filter predicate must be BOOLEAN")

    @cached
    def schema(self) -> Schema:
        return self.input.schema

    @cached
    def upsert_keys(self) -> frozenset[tuple[int, ...]]:
        return self.input.upsert_keys


@node
class AssignWatermark(Plan):
    """Declares `rowtime` an event-time attribute with watermark `watermark` (Flink's
    WatermarkAssigner). The watermark expression reads the same row."""

    input: Plan
    rowtime: int
    watermark: Expr

    def __post_init__(self) -> None:
        check(self.rowtime < len(self.input.schema), "watermark rowtime out of range")

    @cached
    def schema(self) -> Schema:
        fs = list(self.input.schema.fields)
        f = fs[self.rowtime]
        fs[self.rowtime] = Field(f.name, f.type, TimeAttr.ROWTIME)
        return Schema(tuple(fs))

    @cached
    def upsert_keys(self) -> frozenset[tuple[int, ...]]:
        return self.input.upsert_keys


# -- aggregation ------------------------------------------------------------------------------
def _agg_fields(
    input_schema: Schema, group: tuple[int, ...], aggs: tuple[AggCall, ...]
) -> list[Field]:
    out = [plain(input_schema.fields[i]) for i in group]
    out += [Field(a.alias, a.type) for a in aggs]
    return out


@node
class Aggregate(Plan):
    """GROUP BY `group` (input ordinals) computing `aggs`; output = group columns, then aggs."""

    input: Plan
    group: tuple[int, ...]
    aggs: tuple[AggCall, ...]

    @cached
    def schema(self) -> Schema:
        return Schema(tuple(_agg_fields(self.input.schema, self.group, self.aggs)))

    @cached
    def changelog(self) -> ChangelogMode:
        if not self.group:
            # A global aggregate updates its single row; it never deletes it.
            return INSERT_UPDATE
        return INSERT_UPDATE if traits.is_insert_only(self.input.changelog) else RETRACT

    @cached
    def upsert_keys(self) -> frozenset[tuple[int, ...]]:
        return frozenset({tuple(range(len(self.group)))})


class WindowKind(Enum):
    TUMBLE = "TUMBLE"
    HOP = "HOP"
    CUMULATE = "CUMULATE"
    SESSION = "SESSION"


@frozen()
class WindowSpec:
    """A window TVF's parameters; durations in milliseconds."""

    kind: WindowKind
    time_col: int
    size_ms: int | None = None  # TUMBLE, HOP, CUMULATE (max size)
    slide_ms: int | None = None  # HOP
    step_ms: int | None = None  # CUMULATE
    gap_ms: int | None = None  # SESSION
    offset_ms: int = 0
    partition: tuple[int, ...] = ()  # SESSION ... PARTITION BY


WINDOW_PROPERTIES = ("window_start", "window_end", "window_time")


def window_fields(time_field: Field) -> tuple[Field, ...]:
    precision = time_field.type.precision if time_field.type.precision is not None else 3
    ts = (
        t.timestamp_ltz(precision, nullable=False)
        if time_field.type.kind is t.Kind.TIMESTAMP_LTZ
        else t.timestamp(precision, nullable=False)
    )
    time_attr = TimeAttr.ROWTIME if time_field.time_attr is TimeAttr.ROWTIME else None
    return (
        Field("window_start", t.timestamp(3, nullable=False)),
        Field("window_end", t.timestamp(3, nullable=False)),
        Field("window_time", ts, time_attr),
    )


@node
class WindowTVF(Plan):
    """`TABLE(TUMBLE|HOP|CUMULATE|SESSION(...))`: input columns + window_start/end/time."""

    input: Plan
    window: WindowSpec

    @cached
    def schema(self) -> Schema:
        fs = self.input.schema.fields
        return Schema(tuple(fs) + window_fields(fs[self.window.time_col]))


@node
class WindowAggregate(Plan):
    """A window TVF followed by GROUP BY window_start, window_end, `group`. Output = group
    columns, aggs, then the requested window properties (in WINDOW_PROPERTIES order)."""

    input: Plan
    window: WindowSpec
    group: tuple[int, ...]
    aggs: tuple[AggCall, ...]
    properties: tuple[str, ...] = WINDOW_PROPERTIES

    @cached
    def schema(self) -> Schema:
        fs = _agg_fields(self.input.schema, self.group, self.aggs)
        wf = {f.name: f for f in window_fields(self.input.schema.fields[self.window.time_col])}
        return Schema(tuple(fs) + tuple(wf[p] for p in self.properties))

    @cached
    def changelog(self) -> ChangelogMode:
        return INSERT_ONLY

    @cached
    def upsert_keys(self) -> frozenset[tuple[int, ...]]:
        n = len(self.group) + len(self.aggs)
        props = [
            n + i for i, p in enumerate(self.properties) if p in ("window_start", "window_end")
        ]
        return frozenset({tuple(range(len(self.group))) + tuple(props)}) if props else frozenset()


# -- joins ------------------------------------------------------------------------------------
class JoinKind(Enum):
    INNER = "INNER"
    LEFT = "LEFT"
    RIGHT = "RIGHT"
    FULL = "FULL"
    SEMI = "SEMI"
    ANTI = "ANTI"


def _join_fields(left: Plan, right: Plan, kind: JoinKind, keep_time: bool) -> tuple[Field, ...]:
    lf = tuple(f if keep_time else plain(f) for f in left.schema.fields)
    if kind in (JoinKind.SEMI, JoinKind.ANTI):
        return lf
    rf = tuple(f if keep_time else plain(f) for f in right.schema.fields)
    if kind in (JoinKind.RIGHT, JoinKind.FULL):
        lf = tuple(nullable(f) for f in lf)
    if kind in (JoinKind.LEFT, JoinKind.FULL):
        rf = tuple(nullable(f) for f in rf)
    return lf + rf


@node
class Join(Plan):
    """A regular join: both sides kept in state; time attributes become plain timestamps."""

    left: Plan
    right: Plan
    kind: JoinKind
    condition: Expr

    def __post_init__(self) -> None:
        check(self.condition.type.is_boolean, "Join condition must be BOOLEAN")

    @cached
    def schema(self) -> Schema:
        return Schema(_join_fields(self.left, self.right, self.kind, keep_time=False))

    @cached
    def changelog(self) -> ChangelogMode:
        inputs_insert_only = traits.is_insert_only(self.left.changelog) and traits.is_insert_only(
            self.right.changelog
        )
        if inputs_insert_only and self.kind in (JoinKind.INNER, JoinKind.SEMI):
            return INSERT_ONLY
        return RETRACT


def _probe_schema(left: Plan, right: Plan, kind: JoinKind) -> Schema:
    """Temporal and lookup joins: the probe (left) side keeps its time attributes; the looked-up
    side is plain and, for a LEFT join, nullable."""
    rf = tuple(plain(f) for f in right.schema.fields)
    if kind is JoinKind.LEFT:
        rf = tuple(nullable(f) for f in rf)
    return Schema(tuple(left.schema.fields) + rf)


@node
class IntervalJoin(Plan):
    """`left.time - right.time` within [lower_ms, upper_ms] plus `condition`; state expires
    with the watermark, the output is insert-only and keeps both sides' time attributes."""

    left: Plan
    right: Plan
    kind: JoinKind
    condition: Expr
    left_time: int
    right_time: int  # ordinal within the right input
    lower_ms: int
    upper_ms: int

    @cached
    def schema(self) -> Schema:
        return Schema(_join_fields(self.left, self.right, self.kind, keep_time=True))

    @cached
    def changelog(self) -> ChangelogMode:
        return INSERT_ONLY


@node
class TemporalJoin(Plan):
    """Event-time temporal join `FOR SYSTEM_TIME AS OF left.time` against a versioned table:
    each left row meets the right version valid at its time (right primary key = `right_key`)."""

    left: Plan
    right: Plan
    kind: JoinKind
    condition: Expr
    left_time: int
    right_time: int
    right_key: tuple[int, ...]

    @cached
    def schema(self) -> Schema:
        return _probe_schema(self.left, self.right, self.kind)

    @cached
    def changelog(self) -> ChangelogMode:
        return self.left.changelog


@node
class LookupJoin(Plan):
    """Processing-time `FOR SYSTEM_TIME AS OF left.proctime`: each left row looks up the right
    table's current contents. Not deterministic across targets."""

    left: Plan
    right: Plan
    kind: JoinKind
    condition: Expr

    @cached
    def schema(self) -> Schema:
        return _probe_schema(self.left, self.right, self.kind)

    @cached
    def changelog(self) -> ChangelogMode:
        return self.left.changelog


@node
class WindowJoin(Plan):
    """Join of two window TVF outputs on window_start/window_end plus `condition`."""

    left: Plan
    right: Plan
    kind: JoinKind
    condition: Expr
    left_bounds: tuple[int, int]  # (window_start, window_end) ordinals in the left input
    right_bounds: tuple[int, int]

    @cached
    def schema(self) -> Schema:
        return Schema(_join_fields(self.left, self.right, self.kind, keep_time=True))

    @cached
    def changelog(self) -> ChangelogMode:
        return INSERT_ONLY


@node
class Unnest(Plan):
    """`CROSS JOIN UNNEST(expr) [WITH ORDINALITY] AS t(cols)`: one output row per element;
    with `ordinality` the last of `names` is the element's 1-based position (INT)."""

    input: Plan
    expr: Expr
    names: tuple[str, ...]
    left_outer: bool = False
    ordinality: bool = False

    @cached
    def schema(self) -> Schema:
        et = self.expr.type
        if et.kind is t.Kind.MAP:
            assert et.element is not None and et.value is not None
            elems: tuple[t.SqlType, ...] = (et.element, et.value)
        elif et.element is not None and et.element.kind is t.Kind.ROW:
            elems = tuple(f.type for f in et.element.fields)
        else:
            assert et.element is not None
            elems = (et.element,)
        if self.ordinality:
            # Flink: INTEGER NOT NULL; a LEFT JOIN's padding row has no position
            elems += (t.int_(nullable=self.left_outer),)
        extra = tuple(Field(n, ty) for n, ty in zip(self.names, elems, strict=False))
        return Schema(self.input.schema.fields + extra)


# -- set operations, sorting, ranking ---------------------------------------------------------
class SetOpKind(Enum):
    UNION = "UNION"
    INTERSECT = "INTERSECT"
    EXCEPT = "EXCEPT"


@node
class SetOp(Plan):
    inputs: tuple[Plan, ...]
    kind: SetOpKind
    all: bool

    @cached
    def schema(self) -> Schema:
        first = self.inputs[0].schema.fields
        out = []
        for i, f in enumerate(first):
            nullable_any = any(inp.schema.fields[i].type.nullable for inp in self.inputs)
            same_time = all(inp.schema.fields[i].time_attr == f.time_attr for inp in self.inputs)
            out.append(
                Field(
                    f.name, f.type.with_nullable(nullable_any), f.time_attr if same_time else None
                )
            )
        return Schema(tuple(out))

    @cached
    def changelog(self) -> ChangelogMode:
        if self.kind is SetOpKind.UNION and self.all:
            return traits.union(*(i.changelog for i in self.inputs))
        return RETRACT


@dataclass(frozen=True)
class SortKey:
    index: int
    descending: bool = False
    nulls_first: bool | None = None  # None: Flink's default (NULLS FIRST for ASC, LAST for DESC)

    @property
    def effective_nulls_first(self) -> bool:
        return (not self.descending) if self.nulls_first is None else self.nulls_first


@node
class Sort(Plan):
    """ORDER BY ... [LIMIT n] [OFFSET m]."""

    input: Plan
    keys: tuple[SortKey, ...]
    limit: int | None = None
    offset: int = 0

    @cached
    def schema(self) -> Schema:
        return self.input.schema

    @cached
    def changelog(self) -> ChangelogMode:
        return self.input.changelog if not self.limit else RETRACT


@frozen()
class Frame:
    """OVER frame: `mode` ROWS or RANGE; bounds as offsets (None = UNBOUNDED); RANGE offsets in
    milliseconds for time ordering."""

    mode: str = "RANGE"
    lower: int | None = None  # rows/ms preceding; None = UNBOUNDED PRECEDING
    upper: int = 0  # 0 = CURRENT ROW


@node
class Over(Plan):
    """OVER aggregates (one window definition): input columns + one column per call."""

    input: Plan
    partition: tuple[int, ...]
    order: tuple[SortKey, ...]
    frame: Frame
    calls: tuple[AggCall, ...]

    @cached
    def schema(self) -> Schema:
        return Schema(self.input.schema.fields + tuple(Field(c.alias, c.type) for c in self.calls))


class RankFn(Enum):
    ROW_NUMBER = "ROW_NUMBER"
    RANK = "RANK"
    DENSE_RANK = "DENSE_RANK"


@node
class Rank(Plan):
    """Top-N: keep rows whose rank within `partition` by `order` is in [lower, upper]."""

    input: Plan
    partition: tuple[int, ...]
    order: tuple[SortKey, ...]
    fn: RankFn
    lower: int
    upper: int
    rank_name: str | None = None  # output the rank number under this name

    @cached
    def schema(self) -> Schema:
        fs = tuple(plain(f) for f in self.input.schema.fields)
        if self.rank_name is not None:
            fs += (Field(self.rank_name, t.bigint(nullable=False)),)
        return Schema(fs)

    @cached
    def changelog(self) -> ChangelogMode:
        return RETRACT

    @cached
    def upsert_keys(self) -> frozenset[tuple[int, ...]]:
        if self.rank_name is not None:
            return frozenset({(*self.partition, len(self.input.schema))})
        if self.upper == 1 and self.fn is RankFn.ROW_NUMBER:
            return frozenset({self.partition})
        return frozenset()


@node
class Deduplicate(Plan):
    """ROW_NUMBER() OVER (PARTITION BY keys ORDER BY time ASC|DESC) = 1: first or last row."""

    input: Plan
    keys: tuple[int, ...]
    time_col: int
    keep_last: bool
    rank_name: str | None = None

    @cached
    def schema(self) -> Schema:
        fs = self.input.schema.fields
        if self.keep_last:
            fs = tuple(plain(f) for f in fs)
        if self.rank_name is not None:
            fs += (Field(self.rank_name, t.bigint(nullable=False)),)
        return Schema(fs)

    @cached
    def changelog(self) -> ChangelogMode:
        # As Flink's changelog inference: only keep-first on processing time is insert-only; on
        # event time a row with an earlier rowtime may arrive later and replace the first.
        proctime = self.input.schema.fields[self.time_col].time_attr is TimeAttr.PROCTIME
        if not self.keep_last and proctime and traits.is_insert_only(self.input.changelog):
            return INSERT_ONLY
        return INSERT_UPDATE if traits.is_insert_only(self.input.changelog) else RETRACT

    @cached
    def upsert_keys(self) -> frozenset[tuple[int, ...]]:
        return frozenset({self.keys})


@node
class WindowRank(Plan):
    """Top-N per window: the input is a window TVF (or window aggregate) output and the
    partition includes window_start/window_end; emitted once per window, insert-only."""

    input: Plan
    partition: tuple[int, ...]
    order: tuple[SortKey, ...]
    fn: RankFn
    lower: int
    upper: int
    window_bounds: tuple[int, int]
    rank_name: str | None = None

    @cached
    def schema(self) -> Schema:
        fs = self.input.schema.fields
        if self.rank_name is not None:
            fs += (Field(self.rank_name, t.bigint(nullable=False)),)
        return Schema(fs)

    @cached
    def changelog(self) -> ChangelogMode:
        return INSERT_ONLY


@node
class WindowDeduplicate(Plan):
    """First/last row per key and window over a window TVF output; insert-only."""

    input: Plan
    keys: tuple[int, ...]
    time_col: int
    keep_last: bool
    window_bounds: tuple[int, int]

    @cached
    def schema(self) -> Schema:
        return self.input.schema

    @cached
    def changelog(self) -> ChangelogMode:
        return INSERT_ONLY


# -- sinks ------------------------------------------------------------------------------------
@node
class Sink(Plan):
    """INSERT INTO `table`: the input has exactly the table's persisted columns, in order."""

    input: Plan
    table: Ident
    fields: tuple[Field, ...]
    options: tuple[tuple[str, str], ...]
    primary_key: tuple[int, ...] | None = None
    overwrite: bool = False
    static_partition: tuple[tuple[str, Expr], ...] = ()
    partition_keys: tuple[int, ...] = ()  # PARTITIONED BY columns (directory layout k=v/)

    @cached
    def schema(self) -> Schema:
        return Schema(self.fields)

    def option(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.options:
            if k == key:
                return v
        return default
