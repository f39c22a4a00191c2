"""Sample Python scalar UDFs, used by the Nexmark golden cases (q14) and the README."""

from __future__ import annotations


def count_char(text: str | None, char: str | None) -> int | None:
    """Occurrences of `char` in `text` (Nexmark's CountChar); NULL in, NULL out."""
    if text is None or char is None:
        return None
    return text.count(char)


count_char.result_type = "BIGINT"  # type: ignore[attr-defined]
