"""Flink SQL's logical types as one frozen value class, with Flink's string forms.

Parsing of Flink and Hive type strings lives in `type_parser.py`; Arrow, DuckDB and Hive
mappings in `type_mapping.py`. This module imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

MAX_LENGTH = 2147483647  # Flink's STRING / BYTES length


class Kind(Enum):
    BOOLEAN = "BOOLEAN"
    TINYINT = "TINYINT"
    SMALLINT = "SMALLINT"
    INT = "INT"
    BIGINT = "BIGINT"
    FLOAT = "FLOAT"
    DOUBLE = "DOUBLE"
    DECIMAL = "DECIMAL"
    CHAR = "CHAR"
    VARCHAR = "VARCHAR"
    BINARY = "BINARY"
    VARBINARY = "VARBINARY"
    DATE = "DATE"
    TIME = "TIME"
    TIMESTAMP = "TIMESTAMP"
    TIMESTAMP_LTZ = "TIMESTAMP_LTZ"
    INTERVAL_YEAR_MONTH = "INTERVAL_YEAR_MONTH"
    INTERVAL_DAY_TIME = "INTERVAL_DAY_TIME"
    ARRAY = "ARRAY"
    MULTISET = "MULTISET"
    MAP = "MAP"
    ROW = "ROW"
    NULL = "NULL"  # the type of an untyped NULL literal


INTEGER_KINDS = frozenset({Kind.TINYINT, Kind.SMALLINT, Kind.INT, Kind.BIGINT})
APPROX_KINDS = frozenset({Kind.FLOAT, Kind.DOUBLE})
NUMERIC_KINDS = INTEGER_KINDS | APPROX_KINDS | {Kind.DECIMAL}
STRING_KINDS = frozenset({Kind.CHAR, Kind.VARCHAR})
BINARY_KINDS = frozenset({Kind.BINARY, Kind.VARBINARY})
DATETIME_KINDS = frozenset({Kind.DATE, Kind.TIME, Kind.TIMESTAMP, Kind.TIMESTAMP_LTZ})
INTERVAL_KINDS = frozenset({Kind.INTERVAL_YEAR_MONTH, Kind.INTERVAL_DAY_TIME})

# Decimal precision of each integer type (Flink: TINYINT=3, SMALLINT=5, INT=10, BIGINT=19).
INTEGER_PRECISION = {Kind.TINYINT: 3, Kind.SMALLINT: 5, Kind.INT: 10, Kind.BIGINT: 19}
MAX_DECIMAL_PRECISION = 38


@dataclass(frozen=True)
class RowField:
    name: str
    type: SqlType
    description: str | None = None


@dataclass(frozen=True)
class SqlType:
    """A Flink logical type. `precision` is the length for CHAR/VARCHAR/BINARY/VARBINARY, the
    fractional-second precision for TIME/TIMESTAMP*, the decimal precision for DECIMAL; for
    intervals it is the leading field precision and `scale` the fractional-second precision."""

    kind: Kind
    nullable: bool = True
    precision: int | None = None
    scale: int | None = None
    element: SqlType | None = None  # ARRAY, MULTISET; MAP key
    value: SqlType | None = None  # MAP value
    fields: tuple[RowField, ...] = field(default=())
    # Interval qualifier as written, e.g. ("DAY", "SECOND"); only for INTERVAL_* kinds.
    unit: tuple[str, str] | None = None

    # -- predicates ---------------------------------------------------------------------------
    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def is_integer(self) -> bool:
        return self.kind in INTEGER_KINDS

    @property
    def is_approx(self) -> bool:
        return self.kind in APPROX_KINDS

    @property
    def is_string(self) -> bool:
        return self.kind in STRING_KINDS

    @property
    def is_binary(self) -> bool:
        return self.kind in BINARY_KINDS

    @property
    def is_boolean(self) -> bool:
        return self.kind is Kind.BOOLEAN

    @property
    def is_datetime(self) -> bool:
        return self.kind in DATETIME_KINDS

    @property
    def is_timestamp(self) -> bool:
        return self.kind in (Kind.TIMESTAMP, Kind.TIMESTAMP_LTZ)

    @property
    def is_interval(self) -> bool:
        return self.kind in INTERVAL_KINDS

    @property
    def is_null(self) -> bool:
        return self.kind is Kind.NULL

    @property
    def is_nested(self) -> bool:
        return self.kind in (Kind.ARRAY, Kind.MULTISET, Kind.MAP, Kind.ROW)

    def with_nullable(self, nullable: bool) -> SqlType:
        return self if self.nullable == nullable else replace(self, nullable=nullable)

    def field_type(self, name: str) -> SqlType | None:
        """A ROW field's type by name (case-sensitive, as Flink), or None."""
        for f in self.fields:
            if f.name == name:
                return f.type
        return None

    # -- string forms -------------------------------------------------------------------------
    def serializable(self) -> str:
        """Flink's `LogicalType.asSerializableString()`: what HiveCatalog stores in
        `flink.schema.N.data-type` (e.g. `VARCHAR(2147483647)`, `BIGINT NOT NULL`)."""
        return self._render(serializable=True)

    def __str__(self) -> str:
        """Flink's summary form (`STRING`, `BYTES`, `ROW<id BIGINT>`), as `DESCRIBE` prints it."""
        return self._render(serializable=False)

    def _render(self, *, serializable: bool) -> str:
        k = self.kind
        p, s = self.precision, self.scale
        if k is Kind.VARCHAR and p == MAX_LENGTH and not serializable:
            body = "STRING"
        elif k is Kind.VARBINARY and p == MAX_LENGTH and not serializable:
            body = "BYTES"
        elif k in (Kind.CHAR, Kind.VARCHAR, Kind.BINARY, Kind.VARBINARY, Kind.TIME):
            body = f"{k.value}({p})"
        elif k is Kind.TIMESTAMP:
            body = f"TIMESTAMP({p})"
        elif k is Kind.TIMESTAMP_LTZ:
            body = f"TIMESTAMP({p}) WITH LOCAL TIME ZONE" if serializable else f"TIMESTAMP_LTZ({p})"
        elif k is Kind.DECIMAL:
            body = f"DECIMAL({p}, {s})"
        elif k in (Kind.ARRAY, Kind.MULTISET):
            assert self.element is not None
            body = f"{k.value}<{self.element._render(serializable=serializable)}>"
        elif k is Kind.MAP:
            assert self.element is not None and self.value is not None
            key = self.element._render(serializable=serializable)
            body = f"MAP<{key}, {self.value._render(serializable=serializable)}>"
        elif k is Kind.ROW:
            parts = []
            for f in self.fields:
                name = quote_identifier(f.name) if serializable else f.name
                text = f"{name} {f.type._render(serializable=serializable)}"
                if f.description is not None:
                    text += " '" + f.description.replace("'", "''") + "'"
                parts.append(text)
            body = f"ROW<{', '.join(parts)}>"
        elif k in INTERVAL_KINDS:
            body = _render_interval(self)
        else:
            body = k.value
        if k is Kind.NULL:
            return body
        return body if self.nullable else f"{body} NOT NULL"


def quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _render_interval(t: SqlType) -> str:
    default = ("YEAR", "MONTH") if t.kind is Kind.INTERVAL_YEAR_MONTH else ("DAY", "SECOND")
    start, end = t.unit or default
    lead = f"{start}({t.precision})" if t.precision is not None else start
    if start == end:
        if start == "SECOND" and t.scale is not None:
            return f"INTERVAL SECOND({t.precision}, {t.scale})"
        return f"INTERVAL {lead}"
    tail = f"{end}({t.scale})" if end == "SECOND" and t.scale is not None else end
    return f"INTERVAL {lead} TO {tail}"


# -- constructors -----------------------------------------------------------------------------
def boolean(nullable: bool = True) -> SqlType:
    return SqlType(Kind.BOOLEAN, nullable)


def tinyint(nullable: bool = True) -> SqlType:
    return SqlType(Kind.TINYINT, nullable)


def smallint(nullable: bool = True) -> SqlType:
    return SqlType(Kind.SMALLINT, nullable)


def int_(nullable: bool = True) -> SqlType:
    return SqlType(Kind.INT, nullable)


def bigint(nullable: bool = True) -> SqlType:
    return SqlType(Kind.BIGINT, nullable)


def float_(nullable: bool = True) -> SqlType:
    return SqlType(Kind.FLOAT, nullable)


def double(nullable: bool = True) -> SqlType:
    return SqlType(Kind.DOUBLE, nullable)


def decimal(precision: int = 10, scale: int = 0, nullable: bool = True) -> SqlType:
    return SqlType(Kind.DECIMAL, nullable, precision, scale)


def char(length: int = 1, nullable: bool = True) -> SqlType:
    return SqlType(Kind.CHAR, nullable, length)


def varchar(length: int = 1, nullable: bool = True) -> SqlType:
    return SqlType(Kind.VARCHAR, nullable, length)


def string(nullable: bool = True) -> SqlType:
    return SqlType(Kind.VARCHAR, nullable, MAX_LENGTH)


def binary(length: int = 1, nullable: bool = True) -> SqlType:
    return SqlType(Kind.BINARY, nullable, length)


def varbinary(length: int = 1, nullable: bool = True) -> SqlType:
    return SqlType(Kind.VARBINARY, nullable, length)


def bytes_(nullable: bool = True) -> SqlType:
    return SqlType(Kind.VARBINARY, nullable, MAX_LENGTH)


def date(nullable: bool = True) -> SqlType:
    return SqlType(Kind.DATE, nullable)


def time(precision: int = 0, nullable: bool = True) -> SqlType:
    return SqlType(Kind.TIME, nullable, precision)


def timestamp(precision: int = 6, nullable: bool = True) -> SqlType:
    return SqlType(Kind.TIMESTAMP, nullable, precision)


def timestamp_ltz(precision: int = 6, nullable: bool = True) -> SqlType:
    return SqlType(Kind.TIMESTAMP_LTZ, nullable, precision)


def interval_day_time(
    start: str = "DAY",
    end: str = "SECOND",
    precision: int = 2,
    fraction: int | None = 3,
    nullable: bool = True,
) -> SqlType:
    return SqlType(Kind.INTERVAL_DAY_TIME, nullable, precision, fraction, unit=(start, end))


def interval_year_month(
    start: str = "YEAR", end: str = "MONTH", precision: int = 2, nullable: bool = True
) -> SqlType:
    return SqlType(Kind.INTERVAL_YEAR_MONTH, nullable, precision, unit=(start, end))


def array(element: SqlType, nullable: bool = True) -> SqlType:
    return SqlType(Kind.ARRAY, nullable, element=element)


def multiset(element: SqlType, nullable: bool = True) -> SqlType:
    return SqlType(Kind.MULTISET, nullable, element=element)


def map_(key: SqlType, value: SqlType, nullable: bool = True) -> SqlType:
    return SqlType(Kind.MAP, nullable, element=key, value=value)


def row(fields: list[tuple[str, SqlType]] | tuple[RowField, ...], nullable: bool = True) -> SqlType:
    fs = tuple(f if isinstance(f, RowField) else RowField(f[0], f[1]) for f in fields)
    return SqlType(Kind.ROW, nullable, fields=fs)


def null() -> SqlType:
    return SqlType(Kind.NULL, True)
