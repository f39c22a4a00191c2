"""SqlType -> DuckDB type names for the batch target, and Java date patterns -> strftime.

TIMESTAMP(p) is always DuckDB's microsecond TIMESTAMP inside a query (DuckDB's TIMESTAMP_MS /
TIMESTAMP_S are storage types whose arithmetic goes through TIMESTAMP anyway); the declared
precision is applied when results leave DuckDB. Everything else follows
`catalog.type_mapping.to_duckdb_type`.
"""

from __future__ import annotations

from sqlglot import exp

from nrtg.catalog import types as t
from nrtg.catalog.types import Kind, SqlType
from nrtg.compiler.errors import UnsupportedError


def duck_type_text(typ: SqlType) -> str:
    """The DuckDB type text used inside lowered queries."""
    k = typ.kind
    if k is Kind.TIMESTAMP:
        return "TIMESTAMP"
    if k is Kind.TIMESTAMP_LTZ:
        return "TIMESTAMPTZ"
    if k is Kind.ARRAY:
        assert typ.element is not None
        return f"{duck_type_text(typ.element)}[]"
    if k is Kind.MAP:
        assert typ.element is not None and typ.value is not None
        return f"MAP({duck_type_text(typ.element)}, {duck_type_text(typ.value)})"
    if k is Kind.ROW:
        inner = ", ".join(
            '"' + f.name.replace('"', '""') + '" ' + duck_type_text(f.type) for f in typ.fields
        )
        return f"STRUCT({inner})"
    from nrtg.catalog.type_mapping import to_duckdb_type

    return to_duckdb_type(typ)


# (type text, dialect) -> its parsed DataType, and whether that is bare (one node whose
# arguments are a type name and flags: no parameters, elements or fields). Parsing runs
# sqlglot's tokenizer and parser (DataType.build does so on every call), and a text always
# parses to the same type: parsed once per process.
_PARSED: dict[tuple[str, str | None], tuple[exp.DataType, bool]] = {}
_DUCK_TEXT: dict[SqlType, str] = {}  # duck_type_text, per type


def data_type(text: str, dialect: str | None = None) -> exp.DataType:
    """`exp.DataType.build(text, dialect=dialect)` as a new node (a node has one parent)."""
    found = _PARSED.get((text, dialect))
    if found is None:
        parsed = exp.DataType.build(text, dialect=dialect)
        bare = not any(isinstance(v, exp.Expression | list) for v in parsed.args.values())
        found = _PARSED[text, dialect] = (parsed, bare)
    node, bare = found
    # A bare type's arguments are immutable values: a new node over them is a copy.
    return exp.DataType(**node.args) if bare else node.copy()


def duck_data_type(typ: SqlType) -> exp.DataType:
    """The DuckDB type of `typ` as a new sqlglot node."""
    text = _DUCK_TEXT.get(typ)
    if text is None:
        text = _DUCK_TEXT[typ] = duck_type_text(typ)
    return data_type(text, "duckdb")


# -- Java SimpleDateFormat / DateTimeFormatter patterns -> strftime ---------------------------
# Letter runs Flink's DATE_FORMAT, TO_TIMESTAMP and FROM_UNIXTIME accept in practice.
_JAVA_TO_STRFTIME = {
    "yyyy": "%Y",
    "yy": "%y",
    "MMMM": "%B",
    "MMM": "%b",
    "MM": "%m",
    "M": "%-m",
    "dd": "%d",
    "d": "%-d",
    "HH": "%H",
    "H": "%-H",
    "hh": "%I",
    "h": "%-I",
    "mm": "%M",
    "m": "%-M",
    "ss": "%S",
    "s": "%-S",
    "SSS": "%g",
    "SSSSSS": "%f",
    "SSSSSSSSS": "%n",
    "a": "%p",
    "EEEE": "%A",
    "EEE": "%a",
    "E": "%a",
    "DDD": "%j",
    "D": "%-j",
    "Z": "%z",
    "XXX": "%z",
}


def java_to_strftime(pattern: str) -> str:
    """Translate a Java date pattern ('yyyy-MM-dd HH:mm:ss') to DuckDB strftime syntax."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "'":
            end = pattern.find("'", i + 1)
            if end == -1:
                raise UnsupportedError(f"unterminated quote in date pattern {pattern!r}")
            text = pattern[i + 1 : end] or "'"
            out.append(text.replace("%", "%%"))
            i = end + 1
            continue
        if c.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == c:
                j += 1
            run = pattern[i:j]
            fmt = _JAVA_TO_STRFTIME.get(run)
            if fmt is None:
                raise UnsupportedError(
                    f"date pattern letters {run!r} in {pattern!r} are not supported by the "
                    "batch target yet"
                )
            out.append(fmt)
            i = j
            continue
        out.append("%%" if c == "%" else c)
        i += 1
    return "".join(out)


def timestamp_string_format(precision: int | None) -> str:
    """strftime for Flink's CAST(TIMESTAMP(p) AS STRING): 'yyyy-MM-dd HH:mm:ss[.f{p}]'."""
    p = 6 if precision is None else precision
    if p == 0:
        return "%Y-%m-%d %H:%M:%S"
    if p <= 3:
        return "%Y-%m-%d %H:%M:%S.%g"
    return "%Y-%m-%d %H:%M:%S.%f" if p <= 6 else "%Y-%m-%d %H:%M:%S.%n"


def is_integer(typ: SqlType) -> bool:
    return typ.kind in t.INTEGER_KINDS
