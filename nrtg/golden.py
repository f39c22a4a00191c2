"""Golden cases (STYLE.md §5): a `.sql` script with headers, and one `.out` with named sections.

    -- catalog: nexmark            prepend golden/catalogs/nexmark.sql (the case's own DDL follows)
    -- target: plan|batch|stream|both
    -- expect-error: <kind>        the script must fail with this error kind; `.out` has == error ==
    -- checked: <how>              how the expected result was verified (by hand, independent query)

The runner renders the sections, compares them with the `.out` file, and with `update=True`
rewrites it. Both `nrtg golden run` and pytest (tests/test_golden.py) drive it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HEADERS = frozenset({"catalog", "target", "expect-error", "checked", "description"})
TARGETS = frozenset({"plan", "batch", "stream", "both"})
ROOT = Path(__file__).resolve().parent.parent / "golden"


class GoldenError(Exception):
    """A malformed case (unknown header, missing catalog): a failure, never a skip."""


@dataclass(frozen=True)
class Case:
    path: Path
    headers: dict[str, str]
    body: str

    @property
    def name(self) -> str:
        return str(self.path.relative_to(self.path.parents[1]).with_suffix(""))

    @property
    def out_path(self) -> Path:
        return self.path.with_suffix(".out")

    @property
    def target(self) -> str:
        return self.headers.get("target", "plan")

    @property
    def data_dir(self) -> Path:
        return self.path.parent.parent.parent / "data" / self.path.stem

    def script(self) -> str:
        """The full script: catalog DDL (if any) followed by the case body."""
        catalog = self.headers.get("catalog")
        if not catalog:
            return self.body
        ddl_path = self.path.parent.parent.parent / "catalogs" / f"{catalog}.sql"
        if not ddl_path.exists():
            raise GoldenError(f"{self.path}: unknown catalog {catalog!r} ({ddl_path} missing)")
        return ddl_path.read_text() + "\n" + self.body


def load_case(path: Path) -> Case:
    text = path.read_text()
    headers: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            if stripped:
                break
            continue
        content = stripped[2:].strip()
        if ":" in content:
            key, _, value = content.partition(":")
            key = key.strip().lower()
            if key.replace("-", "").isalpha() and " " not in key:
                if key not in HEADERS:
                    raise GoldenError(
                        f"{path}: unknown header '{key}' (known: {', '.join(sorted(HEADERS))})"
                    )
                headers[key] = value.strip()
    target = headers.get("target", "plan")
    if target not in TARGETS:
        raise GoldenError(f"{path}: unknown target '{target}'")
    return Case(path, headers, text)


def discover(paths: list[Path] | None = None, root: Path = ROOT) -> list[Case]:
    roots = paths or [root / "cases"]
    files: list[Path] = []
    for p in roots:
        files.extend(sorted(p.rglob("*.sql")) if p.is_dir() else [p])
    return [load_case(f) for f in files]


def orphans(root: Path = ROOT) -> list[Path]:
    """`.out` files with no `.sql` beside them."""
    return sorted(o for o in (root / "cases").rglob("*.out") if not o.with_suffix(".sql").exists())


Section = Callable[[Case, object], str | None]


@dataclass
class Result:
    case: Case
    actual: str
    expected: str | None
    updated: bool = False

    @property
    def ok(self) -> bool:
        return self.expected == self.actual

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                (self.expected or "").splitlines(keepends=True),
                self.actual.splitlines(keepends=True),
                fromfile=f"{self.case.out_path.name} (expected)",
                tofile=f"{self.case.out_path.name} (actual)",
            )
        )


@dataclass
class Runner:
    """Renders a case's sections. Later targets register extra sections (duckdb, results)."""

    sections: list[tuple[str, Section]] = field(default_factory=list)

    def render(self, case: Case) -> str:
        from nrtg.catalog.errors import NrtgError
        from nrtg.compiler.api import compile_sql

        source = case.script()
        expect_error = case.headers.get("expect-error")
        try:
            job = compile_sql(source)
            parts = [
                f"== logical ==\n{job.explain('logical')}",
                f"== optimized ==\n{job.explain('optimized')}",
            ]
            for name, section in self.sections:
                text = section(case, job)
                if text is not None:
                    parts.append(f"== {name} ==\n{text}")
        except NrtgError as e:
            rendered = e.render(source)
            if expect_error is None:
                return f"== unexpected error ==\n{rendered}\n"
            if e.kind != expect_error:
                return f"== error (expected {expect_error}, got {e.kind}) ==\n{rendered}\n"
            return f"== error ==\n{rendered}\n"
        if expect_error is not None:
            return f"== missing error ({expect_error}) ==\n" + "\n".join(parts)
        return "\n".join(parts)

    def run(self, case: Case, update: bool = False) -> Result:
        actual = self.render(case)
        expected = case.out_path.read_text() if case.out_path.exists() else None
        result = Result(case, actual, expected)
        if update and not result.ok and not actual.startswith("== unexpected error"):
            case.out_path.write_text(actual)
            result.updated = True
        return result


def default_runner() -> Runner:
    runner = Runner()
    try:
        from nrtg.golden_sections import SECTIONS
    except ImportError:
        return runner
    runner.sections.extend(SECTIONS)
    return runner
