"""The compiler's user errors (exit code 1) and its bug report (InternalError, exit code 3)."""

from __future__ import annotations

from nrtg.catalog.errors import CatalogError, InternalError, NrtgError, Span

__all__ = [
    "BindError",
    "CatalogError",
    "InternalError",
    "NrtgError",
    "ParseError",
    "PlanValidationError",
    "Span",
    "TypeCheckError",
    "UnsupportedError",
]


class ParseError(NrtgError):
    """The script is not valid Flink SQL."""

    kind = "parse-error"


class BindError(NrtgError):
    """A name does not resolve: unknown table, column or function, ambiguous column, ..."""

    kind = "bind-error"


class TypeCheckError(NrtgError):
    """Operand types that Flink would reject (non-boolean WHERE, wrong argument types, ...)."""

    kind = "type-error"


class PlanValidationError(NrtgError):
    """A plan Flink would refuse: updates into an append-only sink, a window on a column that
    is not a time attribute, an upsert sink without primary key, ..."""

    kind = "validation-error"


class UnsupportedError(NrtgError):
    """Valid Flink SQL that nrtg (or one target) does not run; the message says what to do."""

    kind = "unsupported"
