"""Golden files per optimizer rule (STYLE.md §5): golden/rules/<rule>/<case>.sql is bound, then
only <rule> is applied; the .out holds `== before ==` and `== after ==` (or `== unchanged ==`).

Re-bless with `pytest tests/test_golden_rules.py --update-golden`, then review `git diff golden/`.
Headers (leading `--` comment lines):
    -- catalog: <name>           prepend golden/catalogs/<name>.sql
    -- prepare: <rule>, <rule>   apply these rules first and show their result as `== before ==`,
                                 for shapes the binder never produces by itself (two adjacent
                                 Filters, an Aggregate already turned into a WindowAggregate)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nrtg.compiler.api import compile_sql
from nrtg.compiler.optimizer import rules as rules_pkg
from nrtg.compiler.optimizer.driver import Rule, optimize
from nrtg.compiler.plan.explain import explain

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
ROOT = GOLDEN / "rules"
CASES = sorted(ROOT.glob("*/*.sql"))
RULES_BY_NAME: dict[str, Rule] = {r.name: r for r in rules_pkg.RULES}


def _headers(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        key, sep, value = stripped[2:].partition(":")
        if sep and key.strip().lower() in ("catalog", "prepare"):
            out[key.strip().lower()] = value.strip()
    return out


def render(path: Path) -> str:
    """The `.out` text for one case: the bound plan, then the plan after only its rule."""
    rule = RULES_BY_NAME[path.parent.name]
    text = path.read_text()
    headers = _headers(text)
    if "catalog" in headers:
        text = (GOLDEN / "catalogs" / f"{headers['catalog']}.sql").read_text() + "\n" + text
    roots = compile_sql(text).logical
    assert roots, f"{path}: the script has no query or INSERT"
    if "prepare" in headers:
        prepare = tuple(RULES_BY_NAME[name.strip()] for name in headers["prepare"].split(","))
        roots = optimize(roots, rules=prepare)
    after = optimize(roots, rules=(rule,))
    out = "== before ==\n" + explain(roots, schema=True)
    if all(a is b for a, b in zip(after, roots, strict=True)):
        return out + "== unchanged ==\n"
    return out + "== after ==\n" + explain(after, schema=True)


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_rule_golden(path: Path, request: pytest.FixtureRequest) -> None:
    actual = render(path)
    out = path.with_suffix(".out")
    if request.config.getoption("--update-golden", default=False):
        if not out.exists() or out.read_text() != actual:
            out.write_text(actual)
        return
    assert out.exists(), f"{out} is missing; run pytest with --update-golden"
    assert actual == out.read_text(), f"{path} renders differently; re-bless with --update-golden"
    assert render(path) == actual, f"{path} renders differently the second time"


def test_every_rule_has_golden_cases() -> None:
    for name in RULES_BY_NAME:
        cases = list((ROOT / name).glob("*.sql"))
        assert len(cases) >= 2, (
            f"golden/rules/{name} needs a case that applies and one that does not"
        )


def test_every_rule_dir_is_a_rule() -> None:
    dirs = {p.name for p in ROOT.iterdir() if p.is_dir()}
    assert dirs <= RULES_BY_NAME.keys(), dirs - RULES_BY_NAME.keys()


def test_no_orphaned_out_files() -> None:
    orphans = [p for p in ROOT.glob("*/*.out") if not p.with_suffix(".sql").exists()]
    assert orphans == []


def test_cases_apply_and_keep() -> None:
    """Each rule has at least one case where it applies and one where it must not."""
    for name in RULES_BY_NAME:
        outs = [p.read_text() for p in (ROOT / name).glob("*.out")]
        assert any("== after ==" in o for o in outs), f"{name}: no case where the rule applies"
        assert any("== unchanged ==" in o for o in outs), f"{name}: no case it must leave alone"
