"""The root of nrtg's error tree and the source span every user-facing error can point at."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Span:
    """Character offsets [start, end) into the script text; `stmt` is the statement's index."""

    start: int
    end: int
    stmt: int = 0

    def line_col(self, source: str, offset: int | None = None) -> tuple[int, int]:
        """1-based line and column of `offset` (default: start) in `source`."""
        pos = self.start if offset is None else offset
        pos = max(0, min(pos, len(source)))
        line = source.count("\n", 0, pos) + 1
        col = pos - (source.rfind("\n", 0, pos) + 1) + 1
        return line, col


class NrtgError(Exception):
    """Every error nrtg raises on purpose. `kind` is stable: golden files and JSON output use it."""

    kind: ClassVar[str] = "error"
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, span: Span | None = None, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def render(self, source: str | None = None, path: str | None = None) -> str:
        """`error[kind]: message`, then the source line with a caret underline when known."""
        lines = [f"error[{self.kind}]: {self.message}"]
        if self.span is not None and source is not None:
            line, col = self.span.line_col(source)
            where = f"{path}:" if path else ""
            lines.append(f"  --> {where}line {line}, column {col}")
            text_lines = source.split("\n")
            text = text_lines[line - 1] if line - 1 < len(text_lines) else ""
            end_line, end_col = self.span.line_col(source, max(self.span.start, self.span.end - 1))
            width = (end_col - col + 1) if end_line == line else max(1, len(text) - col + 1)
            gutter = f"{line} | "
            lines.append(" " * (len(gutter) - 2) + "|")
            lines.append(f"{gutter}{text}")
            lines.append(" " * (len(gutter) - 2) + "| " + " " * (col - 1) + "^" * max(1, width))
        if self.hint:
            lines.append(f"  = help: {self.hint}")
        return "\n".join(lines)

    def to_dict(self, source: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        if self.span is not None and source is not None:
            sl, sc = self.span.line_col(source)
            el, ec = self.span.line_col(source, max(self.span.start, self.span.end - 1))
            out["start"] = {"line": sl, "column": sc}
            out["end"] = {"line": el, "column": ec}
        return out

    def to_json(self, source: str | None = None) -> str:
        return json.dumps(self.to_dict(source), sort_keys=True)


class CatalogError(NrtgError):
    """A catalog object is missing, already exists, or cannot be changed that way."""

    kind = "catalog-error"


class TypeParseError(NrtgError):
    """A Flink or Hive type string that does not parse."""

    kind = "type-error"


class InternalError(NrtgError):
    """A bug in nrtg: an invariant that should never break."""

    kind = "internal-error"
    exit_code = 3


class ExecutionError(NrtgError):
    """A job failed while running (bad record with the fail policy, a connector failure, ...)."""

    kind = "execution-error"
    exit_code = 3
