"""DuckDB macros that give Flink's semantics where DuckDB's differ.

A lowered query names the macros it uses; the batch runtime creates them (as TEMP macros) on
the connection before running the query. Each entry cites the Flink behaviour it reproduces.
(A Python function would be the last resort; DuckDB's Python functions need numpy, so none is
used for built-ins.)
"""

from __future__ import annotations

from types import MappingProxyType

# name -> (parameters, body). Bodies are DuckDB SQL over the parameters only.
MACROS: MappingProxyType[str, tuple[tuple[str, ...], str]] = MappingProxyType(
    {
        # Flink SUBSTRING(s FROM p [FOR l]): 1-based; p = 0 means 1; p < 0 counts from the end
        # and gives '' when it points before the start; l < 0 gives NULL (BinaryStringData.
        # substringSQL). DuckDB's substring treats 0 and negatives differently.
        "nrtg_substring": (
            ("s", "p", "l"),
            "CASE WHEN l < 0 THEN NULL "
            "WHEN p > 0 AND p - 1 >= length(s) THEN '' "
            "WHEN p < 0 AND length(s) + p < 0 THEN '' "
            "ELSE substring(s, CASE WHEN p > 0 THEN p WHEN p < 0 THEN length(s) + p + 1 "
            "ELSE 1 END, l) END",
        ),
        # Flink SPLIT_INDEX(s, sep, i): 0-based, NULL for i < 0, for i out of range, and for ''
        # (splitByWholeSeparatorPreserveAllTokens returns no tokens for an empty string).
        "nrtg_split_index": (
            ("s", "sep", "i"),
            "CASE WHEN i < 0 OR s = '' OR sep IS NULL THEN NULL "
            "ELSE list_extract(string_split(s, sep), i + 1) END",
        ),
        # Flink REGEXP_EXTRACT: NULL when nothing matches (DuckDB returns ''). The group index
        # must be a constant for DuckDB; a macro call site passes the literal through.
        "nrtg_regexp_extract": (
            ("s", "r", "g"),
            "CASE WHEN regexp_matches(s, r) THEN regexp_extract(s, r, g) END",
        ),
        # Window alignment in epoch milliseconds: the start of the `size` window (aligned to
        # the epoch plus `off`) that contains `ms`; floor modulo, so times before 1970 align too
        # (Flink's TimeWindow.getWindowStartWithOffset).
        "nrtg_window_start": (
            ("ms", "size", "off"),
            "ms - (((ms - off) % size) + size) % size",
        ),
        # Integer division rounding HALF_UP (Java's BigDecimal rounding: half away from zero),
        # for exact DECIMAL quotients.
        "nrtg_div_half_up": (
            ("n", "d"),
            "n // d + CASE WHEN 2 * abs(n % d) >= abs(d) THEN sign(n) * sign(d) ELSE 0 END",
        ),
        # Java's two's-complement overflow, as Flink's generated code computes integer +, -, *,
        # unary minus and SUM: `x` computed exactly in a wider type, then wrapped into the range
        # [-half, half) of the narrower one (mask = 2 * half - 1). DuckDB raises instead.
        "nrtg_wrap": (
            ("x", "half", "mask"),
            "((x + half) & mask) - half",
        ),
        # Flink GREATEST/LEAST return NULL when any argument is NULL; DuckDB skips NULLs.
        "nrtg_greatest2": (
            ("a", "b"),
            "CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE greatest(a, b) END",
        ),
        "nrtg_least2": (
            ("a", "b"),
            "CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE least(a, b) END",
        ),
        # Flink INITCAP (Calcite's SqlFunctions.initcap): a letter or digit after anything but
        # [A-Za-z0-9] starts a word; a word's first a-z is upper-cased, its other A-Z lower-cased;
        # other characters (non-ASCII letters too) are kept.
        "nrtg_initcap": (
            ("s",),
            "array_to_string(list_transform(string_split(s, ''), lambda c, i: "
            "CASE WHEN i = 1 OR NOT regexp_full_match(substring(s, i - 1, 1), '[A-Za-z0-9]') "
            "THEN CASE WHEN c BETWEEN 'a' AND 'z' THEN upper(c) ELSE c END "
            "ELSE CASE WHEN c BETWEEN 'A' AND 'Z' THEN lower(c) ELSE c END END), '')",
        ),
        # Flink IS_DECIMAL: Integer.parseInt, Long.parseLong or Double.parseDouble accepts the
        # string (Java's double syntax: surrounding control characters and spaces, NaN,
        # Infinity, an exponent, an f/F/d/D suffix, hexadecimal with a p exponent); NULL: FALSE.
        "nrtg_is_decimal": (
            ("s",),
            "coalesce(regexp_full_match(s, '[+-]?\\p{Nd}+|[\\x00-\\x20]*[+-]?(NaN|Infinity|"
            "((([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?|0[xX]([0-9a-fA-F]+\\.?[0-9a-fA-F]*"
            "|\\.[0-9a-fA-F]+)[pP][+-]?[0-9]+)[fFdD]?))[\\x00-\\x20]*'), false)",
        ),
        # Flink's string to integer cast (BinaryStringDataUtil.toLong): spaces trimmed, a sign
        # and digits, a fraction truncated ('5.9' is 5); anything else ('1e2', '0x1A', '1_0',
        # '') does not convert. DuckDB's cast agrees on strings of digits, spaces and signs
        # only (it rounds fractions, reads exponents, hexadecimal, binary and underscores), so
        # only other strings are rewritten: to their integral digits, NULL when they do not
        # convert (TRY_CAST) or an error (CAST).
        "nrtg_integral_text": (
            ("s",),
            "CASE WHEN NOT regexp_matches(s, '[^0-9 +-]') THEN s "
            "WHEN regexp_full_match(trim(s), '[+-]?[0-9]+[.][0-9]*') "
            "THEN regexp_extract(trim(s), '^([+-]?[0-9]+)', 1) END",
        ),
        "nrtg_integral_text_strict": (
            ("s",),
            "CASE WHEN s IS NULL OR NOT regexp_matches(s, '[^0-9 +-]') THEN s "
            "WHEN regexp_full_match(trim(s), '[+-]?[0-9]+[.][0-9]*') "
            "THEN regexp_extract(trim(s), '^([+-]?[0-9]+)', 1) "
            "ELSE error('cannot cast ''' || s || ''' to an integer type') END",
        ),
        # Java's String.split(regex): the pieces between matches, trailing empty pieces dropped.
        "nrtg_java_split": (
            ("s", "d"),
            "list_slice(regexp_split_to_array(s, d), 1, len(regexp_split_to_array(s, d)) - "
            "coalesce(list_position(list_transform(list_reverse(regexp_split_to_array(s, d)), "
            "lambda x: x <> ''), true) - 1, len(regexp_split_to_array(s, d))))",
        ),
        # Each piece split at the first match of regex kv into a key and a value (Java's
        # split(kv, 2)); a piece without kv is a key with a NULL value.
        "nrtg_kv_entries": (
            ("pieces", "kv"),
            "list_transform(pieces, lambda p: {'k': CASE WHEN regexp_matches(p, kv) "
            "THEN regexp_extract(p, '^([\\s\\S]*?)(?:' || kv || ')', 1) ELSE p END, "
            "'v': CASE WHEN regexp_matches(p, kv) "
            "THEN regexp_replace(p, '^[\\s\\S]*?(?:' || kv || ')', '') END})",
        ),
        # The last entry of each key (a HashMap's put keeps the last value).
        "nrtg_last_entries": (
            ("es",),
            "list_filter(es, lambda e, i: NOT list_contains("
            "list_transform(list_slice(es, i + 1, len(es)), lambda x: x.k), e.k))",
        ),
        # Flink STR_TO_MAP (SqlFunctionUtils.strToMap): text split at regex d into pairs, each
        # at regex kv; '' gives an empty map.
        "nrtg_str_to_map": (
            ("s", "d", "kv"),
            "CASE WHEN s = '' THEN MAP {} ELSE map_from_entries(nrtg_last_entries("
            "nrtg_kv_entries(nrtg_java_split(s, d), kv))) END",
        ),
        # CAST(DOUBLE|FLOAT AS STRING) in Java notation (Double.toString): plain in
        # [1e-3, 1e7), else `d.dddE<n>`: 36190700.0 -> '3.61907E7', 1.0E-4, 12.0, NaN,
        # Infinity. DuckDB's own text gives the same shortest digits but other notation.
        # The helpers take s = CAST(abs(x) AS VARCHAR) of a finite non-zero value, which DuckDB
        # writes as 'ddd.ddd' or 'd[.ddd]e[+-]nn'.
        "nrtg_java_exp": (
            ("s",),
            "CASE WHEN contains(s, 'e') THEN CAST(split_part(s, 'e', 2) AS INTEGER) "
            "WHEN split_part(s, '.', 1) <> '0' THEN length(split_part(s, '.', 1)) - 1 "
            "ELSE -(length(split_part(s, '.', 2)) "
            "- length(ltrim(split_part(s, '.', 2), '0')) + 1) END",
        ),
        "nrtg_java_digits": (
            ("s",),
            "coalesce(nullif(rtrim(ltrim(replace(CASE WHEN contains(s, 'e') "
            "THEN split_part(s, 'e', 1) ELSE s END, '.', ''), '0'), '0'), ''), '0')",
        ),
        "nrtg_java_abs_double": (
            ("s",),
            "CASE WHEN nrtg_java_exp(s) BETWEEN -3 AND 6 AND NOT contains(s, 'e') THEN s "
            "ELSE substr(nrtg_java_digits(s), 1, 1) || '.' "
            "|| coalesce(nullif(substr(nrtg_java_digits(s), 2), ''), '0') "
            "|| 'E' || CAST(nrtg_java_exp(s) AS VARCHAR) END",
        ),
        "nrtg_double_to_string": (
            ("x",),
            "CASE WHEN isnan(x) THEN 'NaN' "
            "WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END "
            "WHEN x = 0 THEN CASE WHEN signbit(x) THEN '-0.0' ELSE '0.0' END "
            "ELSE CASE WHEN x < 0 THEN '-' ELSE '' END "
            "|| nrtg_java_abs_double(CAST(abs(x) AS VARCHAR)) END",
        ),
    }
)

# Macros a macro calls (created first).
MACRO_DEPENDENCIES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "nrtg_java_abs_double": ("nrtg_java_exp", "nrtg_java_digits"),
        "nrtg_str_to_map": ("nrtg_java_split", "nrtg_kv_entries", "nrtg_last_entries"),
        "nrtg_double_to_string": ("nrtg_java_exp", "nrtg_java_digits", "nrtg_java_abs_double"),
    }
)


def macro_sql(name: str) -> str:
    params, body = MACROS[name]
    return f"CREATE OR REPLACE TEMP MACRO {name}({', '.join(params)}) AS {body}"


def macro_order(names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` with every macro after the macros it calls (stable otherwise)."""
    out: list[str] = []

    def visit(name: str) -> None:
        if name in out:
            return
        for dep in MACRO_DEPENDENCIES.get(name, ()):
            visit(dep)
        out.append(name)

    for name in names:
        visit(name)
    return tuple(out)
