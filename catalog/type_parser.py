"""Parse Flink and Hive type strings into `SqlType` with lark grammars (grammars/*.lark)."""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from . import types as t
from .errors import TypeParseError

if TYPE_CHECKING:
    from lark import Lark


@functools.cache
def _parser(name: str) -> Lark:
    from lark import Lark

    text = resources.files(__package__).joinpath("grammars", f"{name}.lark").read_text()
    # cache=True keeps the built LALR tables in the temp dir (keyed by the grammar's hash):
    # building them costs ~100 ms per process otherwise.
    return Lark(text, parser="lalr", lexer="contextual", maybe_placeholders=True, cache=True)


# Scalar types written the common ways take a fast path that does not load lark at all
# (`nrtg compile` must start fast); anything else goes through the grammar.
_SIMPLE = re.compile(
    r"\s*(?P<name>[A-Za-z_]+(?: PRECISION)?)\s*(?:\(\s*(?P<p>\d+)\s*(?:,\s*(?P<s>\d+)\s*)?\))?"
    r"\s*(?P<nn>NOT\s+NULL)?\s*$",
    re.IGNORECASE,
)
_FIXED = {
    "BOOLEAN": t.boolean, "TINYINT": t.tinyint, "SMALLINT": t.smallint, "INT": t.int_,
    "INTEGER": t.int_, "BIGINT": t.bigint, "FLOAT": t.float_, "REAL": t.float_,
    "DOUBLE": t.double, "DOUBLE PRECISION": t.double, "STRING": t.string, "BYTES": t.bytes_,
    "DATE": t.date,
}  # fmt: skip
_SIZED = {
    "CHAR": (t.char, 1), "VARCHAR": (t.varchar, t.MAX_LENGTH), "BINARY": (t.binary, 1),
    "VARBINARY": (t.varbinary, t.MAX_LENGTH), "TIME": (t.time, 0),
    "TIMESTAMP": (t.timestamp, 6), "TIMESTAMP_LTZ": (t.timestamp_ltz, 6),
}  # fmt: skip
_DECIMAL = frozenset({"DECIMAL", "DEC", "NUMERIC"})


def _simple_flink_type(text: str) -> t.SqlType | None:
    """The fast path; None sends the text through the grammar (which also reports errors)."""
    m = _SIMPLE.match(text)
    if m is None:
        return None
    name, p, s = m.group("name").upper(), m.group("p"), m.group("s")
    nullable = m.group("nn") is None
    if name in _FIXED and p is None:
        return _FIXED[name](nullable)
    if name in _SIZED and s is None:
        make, default = _SIZED[name]
        return make(int(p) if p is not None else default, nullable)
    if name in _DECIMAL:
        precision, scale = int(p or 10), int(s or 0)
        if 1 <= precision <= t.MAX_DECIMAL_PRECISION and 0 <= scale <= precision:
            return t.decimal(precision, scale, nullable)
    return None


def _int(tok: Any) -> int:
    return int(str(tok))


def _unquote(name: str) -> str:
    if name.startswith("`"):
        return name[1:-1].replace("``", "`")
    return name


class _FlinkBuilder:
    """Turns the Flink parse tree into SqlType, bottom-up."""

    def build(self, tree: Any) -> t.SqlType:
        return self._type(tree)

    def _type(self, node: Any) -> t.SqlType:
        assert node.data == "type"
        children = list(node.children)
        result = self._base(children[0])
        nullable = True
        for child in children[1:]:
            if child is None:
                continue
            if child.data == "array_suffix":
                result = t.array(result)
            elif child.data == "multiset_suffix":
                result = t.multiset(result)
            elif child.data == "not_null":
                nullable = False
            elif child.data == "is_null":
                nullable = True
        return result.with_nullable(nullable)

    def _len(self, children: list[Any], default: int) -> int:
        for c in children:
            if getattr(c, "data", None) == "len":
                return _int(c.children[0])
        return default

    def _base(self, node: Any) -> t.SqlType:
        kind = node.data
        ch = [c for c in node.children if c is not None]
        if kind == "simple":
            word = str(ch[0]).upper()
            return {
                "BOOLEAN": t.boolean(),
                "TINYINT": t.tinyint(),
                "SMALLINT": t.smallint(),
                "INT": t.int_(),
                "INTEGER": t.int_(),
                "BIGINT": t.bigint(),
                "FLOAT": t.float_(),
                "REAL": t.float_(),
                "DOUBLE": t.double(),
                "STRING": t.string(),
                "BYTES": t.bytes_(),
                "DATE": t.date(),
                "NULL": t.null(),
            }[word]
        if kind == "char_type":
            return t.char(self._len(ch, 1))
        # Flink's SQL type system defaults VARCHAR and VARBINARY without a length to the
        # maximum (FlinkTypeSystem.getDefaultPrecision), so `VARCHAR` in DDL is STRING.
        if kind == "varchar_type":
            return t.varchar(self._len(ch, t.MAX_LENGTH))
        if kind == "binary_type":
            return t.binary(self._len(ch, 1))
        if kind == "varbinary_type":
            return t.varbinary(self._len(ch, t.MAX_LENGTH))
        if kind == "decimal_type":
            nums = [_int(c) for c in ch if getattr(c, "type", None) == "INTNUM"]
            precision = nums[0] if nums else 10
            scale = nums[1] if len(nums) > 1 else 0
            if not 1 <= precision <= t.MAX_DECIMAL_PRECISION or not 0 <= scale <= precision:
                raise TypeParseError(f"DECIMAL({precision}, {scale}) is out of range")
            return t.decimal(precision, scale)
        if kind == "time_type":
            return t.time(self._len(ch, 0))
        if kind == "timestamp_type":
            return t.timestamp(self._len(ch, 6))
        if kind == "timestamp_ltz_type":
            return t.timestamp_ltz(self._len(ch, 6))
        if kind == "interval_type":
            return self._interval(ch[1])
        if kind == "array_type":
            return t.array(self._type(ch[1]))
        if kind == "multiset_type":
            return t.multiset(self._type(ch[1]))
        if kind == "map_type":
            return t.map_(self._type(ch[1]), self._type(ch[2]))
        if kind == "row_type":
            fields = []
            for f in ch[1:]:
                name = _unquote(str(f.children[0].children[0]))
                ftype = self._type(f.children[1])
                desc = f.children[2]
                text = None if desc is None else str(desc.children[0])[1:-1].replace("''", "'")
                fields.append(t.RowField(name, ftype, text))
            return t.row(tuple(fields))
        raise TypeParseError(f"unsupported type {kind}")

    def _interval(self, q: Any) -> t.SqlType:
        if q.data == "second_with_fraction":
            nums = [_int(c) for c in q.children if getattr(c, "type", None) == "INTNUM"]
            return t.interval_day_time("SECOND", "SECOND", nums[0], nums[1])
        units: list[str] = []
        precisions: list[int | None] = []
        for c in q.children:
            if c is None:
                continue
            if getattr(c, "type", None) == "UNIT":
                units.append(str(c).upper())
                precisions.append(None)
            elif getattr(c, "data", None) == "len":
                precisions[-1] = _int(c.children[0])
        start = units[0]
        end = units[1] if len(units) > 1 else start
        lead = precisions[0]
        if start in ("YEAR", "MONTH"):
            return t.interval_year_month(start, end, 2 if lead is None else lead)
        fraction = precisions[-1] if end == "SECOND" and len(units) > 1 else None
        if start == "SECOND" and len(units) == 1:
            return t.interval_day_time("SECOND", "SECOND", 6 if lead is None else lead, None)
        return t.interval_day_time(start, end, 2 if lead is None else lead, fraction)


@functools.lru_cache(maxsize=4096)
def parse_flink_type(text: str) -> t.SqlType:
    """Parse a Flink type string (`DECIMAL(10, 2) NOT NULL`, `ROW<a INT>`, `STRING ARRAY`)."""
    simple = _simple_flink_type(text)
    if simple is not None:
        return simple
    return _parse("flink_type", text, _FlinkBuilder().build, "Flink")


def _hive(node: Any) -> t.SqlType:
    kind = node.data
    ch = [c for c in node.children if c is not None]
    if kind == "primitive":
        word = " ".join(str(ch[0]).lower().split())
        mapping = {
            "boolean": t.boolean(),
            "tinyint": t.tinyint(),
            "smallint": t.smallint(),
            "int": t.int_(),
            "integer": t.int_(),
            "bigint": t.bigint(),
            "float": t.float_(),
            "double": t.double(),
            "double precision": t.double(),
            "string": t.string(),
            "binary": t.bytes_(),
            "date": t.date(),
            "timestamp": t.timestamp(9),
            "timestamp with local time zone": t.timestamp_ltz(9),
            "interval_year_month": t.interval_year_month(),
            "interval_day_time": t.interval_day_time(),
            "void": t.null(),
        }
        return mapping[word]
    if kind == "char_type":
        return t.char(_int(ch[0]))
    if kind == "varchar_type":
        return t.varchar(_int(ch[0]))
    if kind == "decimal_type":
        nums = [_int(c) for c in ch]
        return t.decimal(nums[0] if nums else 10, nums[1] if len(nums) > 1 else 0)
    if kind == "array_type":
        return t.array(_hive(ch[0]))
    if kind == "map_type":
        return t.map_(_hive(ch[0]), _hive(ch[1]))
    if kind == "struct_type":
        return t.row(tuple(t.RowField(str(f.children[0]), _hive(f.children[1])) for f in ch))
    raise TypeParseError("Hive uniontype columns are not supported")


@functools.lru_cache(maxsize=4096)
def parse_hive_type(text: str) -> t.SqlType:
    """Parse a Hive column type (`struct<a:int,b:array<string>>`, `decimal(10,2)`)."""
    return _parse("hive_type", text, _hive, "Hive")


def _parse(grammar: str, text: str, build: Any, dialect: str) -> t.SqlType:
    from lark.exceptions import LarkError

    try:
        tree = _parser(grammar).parse(text)
    except LarkError as e:
        column = getattr(e, "column", None)
        where = f" at column {column}" if isinstance(column, int) and column > 0 else ""
        raise TypeParseError(f"invalid {dialect} type {text!r}{where}") from e
    result: t.SqlType = build(tree)
    return result
