"""Flink's `json` format as DuckDB reads it: the one set of JSON rules, used for JSON files
(formats.py) and Kafka values (runtime/stream/formats/json_duck.py) alike.

- Newline-delimited objects, the declared columns typed by DuckDB's `read_json`: unknown fields
  are ignored, missing ones NULL; a malformed line, a line that is not an object, or a value
  that does not convert to its column's type, fails the read with DuckDB's message.
- BYTES are base64 text, as Flink writes them: read as VARCHAR and decoded by `from_base64`
  (in ROWs too; arrays and maps of BYTES are refused).
- Lenient (`json.ignore-parse-errors = true`): a line that is not JSON, whose field (at any
  depth of ROWs) holds a value of the wrong type (DuckDB's from_json gives NULL where Flink
  fails the record), gives a declared key twice, or whose BYTES are not base64, is skipped and
  counted. A lenient file read first tries the strict read, ~30x cheaper, and classifies the
  lines only when that fails. The classification is more lenient than read_json for some strings
  read into numbers and booleans (`_flagged`), which the Kafka decoder catches by reading the
  lines it accepts strictly.
"""

from __future__ import annotations

import json
import re

from nrtg.compiler.errors import UnsupportedError

from .formats import Columns, Reader, lit, q, spec
from .formats import lines as file_lines


def _struct_fields(typ: str) -> list[tuple[str, str]] | None:
    """The fields of a DuckDB `STRUCT("a" INTEGER, "b" STRUCT(...))` type text."""
    if not (typ.startswith("STRUCT(") and typ.endswith(")")):
        return None
    body, fields, depth, start, quoted = typ[7:-1], [], 0, 0, False
    for i, ch in enumerate(body + ","):
        if ch == '"':
            quoted = not quoted  # a doubled "" toggles twice
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            field = body[start:i].strip()
            end = field.index('"', 1)
            while field[end : end + 2] == '""':
                end = field.index('"', end + 2)
            fields.append((field[1:end].replace('""', '"'), field[end + 1 :].strip()))
            start = i + 1
    return fields


def _paths(columns: Columns, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """Every field path and its type, into ROWs too (a wrong type deep in a ROW makes the
    record bad too, as in Flink)."""
    out: list[tuple[tuple[str, ...], str]] = []
    for name, typ in columns:
        out.append(((*prefix, name), typ))
        nested = _struct_fields(typ)
        if nested:
            out += _paths(nested, (*prefix, name))
    return out


def _json_path(path: tuple[str, ...], items: str = "") -> str:
    """The JSON path literal of `path` (`items`: `[*]` or `.*` for its elements)."""
    # DuckDB does not unescape a path: names beyond ASCII stay as they are
    return lit("$" + "".join("." + json.dumps(n, ensure_ascii=False) for n in path) + items)


def _wrong(columns: Columns) -> tuple[list[str], str, str]:
    """Per field (at any depth of ROWs), the predicates true where its value does not read:
    from_json gave NULL for a present value (or for an array element or map value), a ROW got
    something else than an object, or an object gives a declared key twice (read_json fails
    such a record, from_json takes the first). They read two lists made with one parse of the
    line each (a parse per path made the classification several times slower): the JSON type
    at every path (`"$types"`, the expression given second) and the keys of every object
    (`"$keys"`, third)."""
    paths = _paths(columns)
    objects = [((), columns)] + [
        (path, nested) for path, typ in paths if (nested := _struct_fields(typ)) is not None
    ]
    out = []
    for k, (_, fields) in enumerate(objects, 1):
        declared = "[" + ", ".join(lit(n) for n, _ in fields) + "]"
        mine = f'list_filter(coalesce("$keys"[{k}], []), lambda x: list_contains({declared}, x))'
        out.append(f"(len({mine}) <> len(list_distinct({mine})))")
    for i, (path, typ) in enumerate(paths, 1):
        present = f"coalesce(\"$types\"[{i}], 'NULL')"
        read = _extract("j", path)
        if _struct_fields(typ) is None:
            out.append(f"({read} IS NULL AND {present} <> 'NULL')")
        else:  # from_json makes a ROW of NULLs out of a scalar or an array
            out.append(
                f"(CASE {present} WHEN 'NULL' THEN FALSE WHEN 'OBJECT' THEN {read} IS NULL "
                "ELSE TRUE END)"
            )
        if typ.endswith("[]") or typ.startswith("MAP("):
            out.append(_lost_items(path, typ))
    types = f"try(json_type(line, [{', '.join(_json_path(p) for p, _ in paths)}]))"
    keys = f"try(json_keys(line, [{', '.join(_json_path(p) for p, _ in objects)}]))"
    return out, types, keys


def _lost_items(path: tuple[str, ...], typ: str) -> str:
    """True where an array element or map value did not convert: from_json gives NULL for it,
    so the read value holds more NULLs than the JSON text."""
    items = "[*]" if typ.endswith("[]") else ".*"
    texts = f"coalesce(try(json_extract(line, {_json_path(path, items)})), [])"
    read = _extract("j", path)
    if typ.startswith("MAP("):
        read = f"map_values({read})"
    nulls = f"len(list_filter({read}, lambda x: x IS NULL))"
    return f"({read} IS NOT NULL AND {nulls} <> len(list_filter({texts}, lambda x: x = 'null')))"


def _extract(value: str, path: tuple[str, ...]) -> str:
    for name in path:
        value = f"struct_extract({value}, {lit(name)})"
    return value


def _holds_bytes(typ: str) -> bool:
    if typ == "BLOB":
        return True
    fields = _struct_fields(typ)
    if fields is not None:
        return any(_holds_bytes(t) for _, t in fields)
    # arrays and maps: no quoted names inside unless a STRUCT, which the word test also sees
    return re.search(r"\bBLOB\b", typ) is not None


def _text_type(typ: str, column: str) -> str:
    """The type `typ` is read as: BYTES as their base64 text."""
    if typ == "BLOB":
        return "VARCHAR"
    fields = _struct_fields(typ)
    if fields is not None:
        return "STRUCT(" + ", ".join(f"{q(n)} {_text_type(t, column)}" for n, t in fields) + ")"
    if _holds_bytes(typ):
        raise UnsupportedError(
            f"column {column}: json arrays and maps of BYTES are not supported ({typ})"
        )
    return typ


def _typed(expr: str, typ: str, strict: bool) -> tuple[str, list[str]]:
    """The SQL turning `expr`, read as `_text_type(typ)`, into `typ` (BYTES from base64), and
    the predicates true where a present value does not decode (none when `strict`: a failed
    decoding fails the query)."""
    if typ == "BLOB":
        if strict:
            return f"from_base64({expr})", []
        decoded = f"try(from_base64({expr}))"
        return decoded, [f"({expr} IS NOT NULL AND {decoded} IS NULL)"]
    fields = _struct_fields(typ)
    if fields is None or not _holds_bytes(typ):
        return expr, []
    parts, failed = [], []
    for name, t in fields:
        value, bad = _typed(f"struct_extract({expr}, {lit(name)})", t, strict)
        parts.append(f"{q(name)} := {value}")
        failed += bad
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE struct_pack({', '.join(parts)}) END", failed


def _text_columns(columns: Columns) -> Columns:
    return [(n, _text_type(t, n)) for n, t in columns]


def strict_json(args: list[str], columns: Columns, keys: str) -> str:
    """The FROM-clause expression reading the newline-delimited objects of `args` (the files
    and reader options) as `columns`; `keys`: columns to carry along (`, "k1", "k2"`)."""
    # records = true: a line that is not an object is an error (DuckDB otherwise guesses from
    # the first lines whether the lines are records)
    read = f"read_json({', '.join(args)}, format = 'newline_delimited', records = true, "
    read += f"columns = {spec(_text_columns(columns))})"
    if not any(_holds_bytes(t) for _, t in columns):
        return read
    typed = ", ".join(f"{_typed(q(n), t, True)[0]} AS {q(n)}" for n, t in columns)
    return f"(SELECT {typed}{keys} FROM {read})"


def clean_json(args: list[str], columns: Columns, keys: str) -> tuple[str, str]:
    """The strict reader, and a query checking it reads what the lenient one would: it fails on
    a bad record (every column is converted: DuckDB skips the columns nobody reads) and counts
    the lines holding a JSON `null` (read_json makes a row of NULLs of one, Flink no row)."""
    strict = strict_json(args, columns, keys)
    nulls = f"(SELECT count(*) FROM {file_lines(args)} WHERE trim(line) = 'null')"
    counts = " + ".join(f"count({q(n)})" for n, _ in columns) or "0"
    return strict, f"SELECT {nulls} + 0 * ({counts}) FROM {strict}"


def _flagged(lines: str, columns: Columns, keys: str) -> str:
    """Per line of the relation `lines` (a VARCHAR column `line`, and the `keys` columns) that
    is not blank or `null` (Flink reads no row from those, and counts none): `j`, the record
    parsed to `columns` (a STRUCT), and `bad`, true when the line is not JSON or a field does
    not read (`_wrong`). Still more lenient than read_json for strings DuckDB's cast reads into
    numbers and booleans but its JSON reader does not (`"1.5"` into BIGINT, also as an array
    element or map value)."""
    structure = json.dumps(dict(columns))
    checks, types, object_keys = _wrong(columns)
    wrong = " OR ".join(checks)
    parsed = (
        f"(SELECT line{keys}, CASE WHEN json_valid(line) THEN "
        f'try(from_json(line, {lit(structure)})) END AS j, {types} AS "$types", '
        f'{object_keys} AS "$keys" FROM {lines} '
        "WHERE trim(line) NOT IN ('', 'null'))"
    )
    return f"(SELECT j{keys}, j IS NULL OR ({wrong or 'FALSE'}) AS bad FROM {parsed})"


def lenient_json(lines: str, columns: Columns, keys: str) -> tuple[str, str]:
    """`json.ignore-parse-errors = true` over the relation `lines` (a VARCHAR column `line`,
    and the `keys` columns): the good records' rows (`columns`, then the keys) and a query
    counting the bad ones."""
    flagged = _flagged(lines, _text_columns(columns), keys)
    rows = f"(SELECT unnest(j){keys} FROM {flagged} WHERE NOT bad)"
    bad = f"(SELECT count(*) FROM {flagged} WHERE bad)"
    typed, failed = [], []
    for name, typ in columns:
        value, wrong = _typed(q(name), typ, False)
        typed.append(f"{value} AS {q(name)}")
        failed += wrong
    if not failed:
        return rows, f"SELECT {bad}"
    undecoded = " OR ".join(failed)
    return (
        f"(SELECT {', '.join(typed)}{keys} FROM {rows} WHERE NOT ({undecoded}))",
        f"SELECT {bad} + (SELECT count(*) FROM {rows} WHERE {undecoded})",
    )


def lenient_reader(args: list[str], columns: Columns, keys: str) -> Reader:
    """The lenient read of the files of `args`: the strict reader when no record is bad
    (`clean_json`), else the classified lines (`lenient_json`)."""
    return Reader(*lenient_json(file_lines(args), columns, keys), clean_json(args, columns, keys))
