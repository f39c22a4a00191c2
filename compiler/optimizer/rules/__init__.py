"""The optimizer's rules, one module each; RULES is their order (see driver.py)."""

from __future__ import annotations

from ..driver import Rule

# Order matters where noted; each entry is a module's single public rule.
RULES: tuple[Rule, ...] = ()
