"""Every golden case under golden/cases/ is a test (id = its path); see nrtg/golden.py."""

from __future__ import annotations

import pytest

from nrtg import golden

CASES = golden.discover()
RUNNER = golden.default_runner()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_case(case: golden.Case, request: pytest.FixtureRequest) -> None:
    update = bool(request.config.getoption("--update-golden", default=False))
    result = RUNNER.run(case, update=update)
    assert not result.actual.startswith("== unexpected error"), result.actual
    if result.updated:
        return
    assert result.expected is not None, f"{case.out_path} is missing; run with --update-golden"
    assert result.ok, result.diff()


def test_plans_render_identically_twice() -> None:
    for case in CASES[:20]:
        assert RUNNER.render(case) == RUNNER.render(case), case.name


def test_no_orphaned_out_files() -> None:
    assert golden.orphans() == []


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 40
