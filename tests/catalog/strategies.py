"""Hypothesis strategies for every table and view definition nrtg can express."""

from __future__ import annotations

from hypothesis import strategies as st

from nrtg.catalog import types as t
from nrtg.catalog.schema import (
    Column,
    ColumnKind,
    Ident,
    PrimaryKey,
    TableDef,
    ViewDef,
    Watermark,
)
from nrtg.catalog.types import RowField, SqlType

# Names: anything but commas (PK columns are comma-separated, as in Flink) and edge spaces.
names = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_characters=",", exclude_categories=("Cs", "Zs", "Cc")
    ),
    min_size=1,
    max_size=8,
)
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
hms_names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
precisions = st.integers(0, 9)
DAY_TIME_UNITS = [
    ("DAY", "DAY"),
    ("DAY", "HOUR"),
    ("DAY", "MINUTE"),
    ("DAY", "SECOND"),
    ("HOUR", "HOUR"),
    ("HOUR", "MINUTE"),
    ("HOUR", "SECOND"),
    ("MINUTE", "MINUTE"),
    ("MINUTE", "SECOND"),
    ("SECOND", "SECOND"),
]

leaf_types = st.one_of(
    st.sampled_from(
        [
            *(t.boolean(), t.tinyint(), t.smallint(), t.int_(), t.bigint()),
            *(t.float_(), t.double(), t.string(), t.bytes_(), t.date()),
        ]
    ),
    st.builds(t.char, st.integers(1, 300)),
    st.builds(t.varchar, st.integers(1, t.MAX_LENGTH)),
    st.builds(t.binary, st.integers(1, 300)),
    st.builds(t.varbinary, st.integers(1, t.MAX_LENGTH)),
    st.integers(1, 38).flatmap(lambda p: st.builds(t.decimal, st.just(p), st.integers(0, p))),
    st.builds(t.time, precisions),
    st.builds(t.timestamp, precisions),
    st.builds(t.timestamp_ltz, precisions),
    st.builds(
        lambda units, p, f: t.interval_day_time(*units, p, f if units[1] == "SECOND" else None),
        st.sampled_from(DAY_TIME_UNITS),
        st.integers(1, 6),
        precisions,
    ),
    st.builds(
        lambda units, p: t.interval_year_month(*units, p),
        st.sampled_from([("YEAR", "YEAR"), ("YEAR", "MONTH"), ("MONTH", "MONTH")]),
        st.integers(1, 4),
    ),
)


def _nested(children: st.SearchStrategy[SqlType]) -> st.SearchStrategy[SqlType]:
    field = st.builds(RowField, names, children, st.none() | texts)
    return st.one_of(
        st.builds(t.array, children),
        st.builds(t.multiset, children),
        st.builds(t.map_, children, children),
        st.lists(field, max_size=3, unique_by=lambda f: f.name).map(lambda fs: t.row(tuple(fs))),
    )


sql_types = st.recursive(leaf_types, _nested, max_leaves=6).flatmap(
    lambda typ: st.booleans().map(typ.with_nullable)
)


@st.composite
def columns(draw: st.DrawFn) -> tuple[Column, ...]:
    col_names = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    result = []
    for name in col_names:
        kind = draw(st.sampled_from(ColumnKind))
        comment = draw(st.none() | texts)
        if kind is ColumnKind.PHYSICAL:
            result.append(Column(name, draw(sql_types), comment=comment))
        elif kind is ColumnKind.COMPUTED:
            expr = draw(texts)
            result.append(
                Column(name, draw(st.none() | sql_types), kind, expr=expr, comment=comment)
            )
        else:
            key = draw(st.none() | names.filter(lambda k, n=name: k != n))
            virtual = draw(st.booleans())
            result.append(
                Column(
                    name, draw(sql_types), kind, metadata_key=key, virtual=virtual, comment=comment
                )
            )
    return tuple(result)


_RESERVED = ("schema.", "partition.keys.")
option_keys = names.filter(
    lambda k: not k.startswith(_RESERVED) and k not in ("comment", "snapshot")
)
extra_keys = names.filter(
    lambda k: (
        not k.startswith("flink.")
        and k not in ("is_generic", "comment", "transient_lastDdlTime", "numRows", "numFiles")
        and k not in ("totalSize", "rawDataSize", "COLUMN_STATS_ACCURATE", "numFilesErasureCoded")
        and k not in ("last_modified_by", "last_modified_time")
    )
)


@st.composite
def table_defs(draw: st.DrawFn, ident: st.SearchStrategy[Ident] | None = None) -> TableDef:
    cols = draw(columns())
    col_names = [c.name for c in cols]
    watermarks = draw(
        st.lists(
            st.builds(Watermark, st.sampled_from(col_names), texts, st.none() | sql_types),
            max_size=2,
        )
    )
    pk = draw(
        st.none()
        | st.builds(
            PrimaryKey,
            names,
            st.lists(st.sampled_from(col_names), min_size=1, unique=True).map(tuple),
        )
    )
    partition_keys = draw(st.lists(st.sampled_from(col_names), unique=True).map(tuple))
    options = draw(st.dictionaries(option_keys, texts, max_size=4))
    if draw(st.booleans()):
        options["connector"] = draw(st.sampled_from(["kafka", "filesystem", "datagen"]))
    return TableDef(
        ident=draw(ident if ident is not None else st.builds(Ident, names, names)),
        columns=cols,
        options=options,
        watermarks=tuple(watermarks),
        primary_key=pk,
        partition_keys=partition_keys,
        comment=draw(st.none() | texts),
        extra_properties=draw(st.dictionaries(extra_keys, texts, max_size=3)),
    )


@st.composite
def view_defs(draw: st.DrawFn, ident: st.SearchStrategy[Ident] | None = None) -> ViewDef:
    cols = draw(st.lists(names, max_size=4, unique=True))
    query = draw(texts.filter(bool))
    return ViewDef(
        ident=draw(ident if ident is not None else st.builds(Ident, names, names)),
        query=query,
        expanded_query=draw(st.just(query) | texts.filter(bool)),
        columns=tuple(Column(n, draw(sql_types)) for n in cols),
        comment=draw(st.none() | texts),
        options=draw(st.dictionaries(option_keys, texts, max_size=3)),
        extra_properties=draw(st.dictionaries(extra_keys, texts, max_size=3)),
    )


hms_idents = st.builds(Ident, hms_names, hms_names)
