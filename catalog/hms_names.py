"""Name rules the Hive Metastore applies: lower-case identifiers, `*`/`|` patterns, and
partition names `k1=v1/k2=v2` with Hive's path escaping."""

from __future__ import annotations

import re

_VALID_NAME = re.compile(r"[\w]+")
# Characters Hive's FileUtils.escapePathName escapes in partition values.
_ESCAPE = frozenset("\"#%'*/:=?\\\x7f{[]^") | frozenset(chr(c) for c in range(1, 32))


def normalize(name: str) -> str:
    return name.strip().lower()


def is_valid_name(name: str) -> bool:
    """Hive's MetaStoreUtils.validateName: letters, digits and underscores."""
    return bool(_VALID_NAME.fullmatch(name))


def pattern_regex(pattern: str | None) -> re.Pattern[str]:
    """A Hive metastore name pattern: `*` matches anything, `|` separates alternatives."""
    if pattern is None or pattern in ("", "*"):
        return re.compile(".*", re.DOTALL)
    alternatives = []
    for alt in pattern.split("|"):
        alternatives.append(".*".join(re.escape(part) for part in alt.strip().split("*")))
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE | re.DOTALL)


def escape_path(value: str) -> str:
    if value == "":
        return "__HIVE_DEFAULT_PARTITION__"
    return "".join(f"%{ord(ch):02X}" if ch in _ESCAPE else ch for ch in value)


def partition_name(keys: list[str], values: list[str]) -> str:
    return "/".join(f"{escape_path(k)}={escape_path(v)}" for k, v in zip(keys, values, strict=True))
