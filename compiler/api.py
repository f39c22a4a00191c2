"""compile_sql: the compiler's one public entry. Parse -> bind -> optimize -> validate."""

from __future__ import annotations

import functools
import gc
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .bind.binder import BoundScript, bind_script
from .bind.session import CatalogReader, Session
from .optimizer.driver import RuleContext, Trace, optimize
from .parse.parse import parse_script
from .parse.statements import Script
from .plan.explain import explain
from .plan.nodes import Plan

STAGES = ("logical", "optimized")


@dataclass
class CompiledJob:
    """Every stage of one script's compilation, inspectable from a notebook or the CLI."""

    source: str
    script: Script
    bound: BoundScript
    target: str = "stream"  # which target's rules validation applies: "stream" or "batch"
    trace: Trace = field(default_factory=Trace)

    @property
    def session(self) -> Session:
        return self.bound.session

    @property
    def logical(self) -> tuple[Plan, ...]:
        return self.bound.roots

    @cached_property
    def optimized(self) -> tuple[Plan, ...]:
        from .validate import validate

        try:
            plans = optimize(
                self.logical, ctx=RuleContext(dict(self.session.options)), trace=self.trace
            )
            validate(plans, self.target)
        finally:
            _freeze_long_lived()
        return plans

    @cached_property
    def advice(self) -> list[Any]:
        from .advice import plan_advice

        return plan_advice(self.optimized)

    def stage(self, name: str) -> tuple[Plan, ...]:
        if name not in STAGES:
            raise ValueError(f"unknown stage {name!r}; stages: {', '.join(STAGES)}")
        return self.logical if name == "logical" else self.optimized

    def explain(self, stage: str = "optimized", *, schema: bool = False) -> str:
        roots = self.stage(stage)
        if not roots:
            return "(no query or INSERT in the script)\n"
        return explain(roots, schema=schema)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {stage: self.explain(stage, schema=True) for stage in STAGES}
        out["sinks"] = [str(s.table) for s in self.bound.sinks]
        out["catalog_changes"] = [c.op for c in self.bound.changes]
        out["advice"] = [a.to_dict() for a in self.advice]
        return out


@functools.cache
def _freeze_long_lived() -> None:
    """Once per process, after the first full compile: move every object alive now (sqlglot's
    parser and tokenizer tables, the function registry, the compiler's modules and caches,
    the catalog read so far) to CPython's permanent GC generation. They live as long as the
    process and hold no garbage, yet every full collection re-scanned all ~45,000 of them
    (10-30 ms, the worst compile times); afterwards full collections scan only newer objects.
    The cost is that cyclic garbage alive at this moment (one compile's ASTs, at most) is
    never reclaimed."""
    gc.freeze()


def compile_sql(
    sql: str,
    catalog: CatalogReader | None = None,
    *,
    session: Session | None = None,
    target: str = "stream",
) -> CompiledJob:
    """Parse and bind `sql` against `catalog`; optimization runs when `.optimized` is first read.
    `target` selects validation: "stream" (default, strictest) or "batch"."""
    script = parse_script(sql)
    session = session or Session(catalog=catalog)
    bound = bind_script(script, session)
    return CompiledJob(sql, script, bound, target)
