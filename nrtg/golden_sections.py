"""Extra golden sections (nrtg/golden.py's `default_runner()` appends `SECTIONS`)."""

from __future__ import annotations

from nrtg.golden import Case, Section


def stream_section(case: Case, job: object) -> str | None:
    """`== stream ==`: the job graph text, for cases whose target is stream or both. A plan the
    stream target refuses shows its UnsupportedError here (the other sections still render)."""
    if case.target not in ("stream", "both"):
        return None
    from nrtg.compiler.api import CompiledJob
    from nrtg.compiler.errors import UnsupportedError
    from nrtg.compiler.lower.stream import lower_to_stream
    from nrtg.compiler.lower.stream_text import graph_text

    assert isinstance(job, CompiledJob)
    try:
        return graph_text(lower_to_stream(job.optimized))
    except UnsupportedError as e:
        return e.render() + "\n"


def duckdb_section(case: Case, job: object) -> str | None:
    """`== duckdb ==`: the lowered DuckDB SQL, for cases whose target is batch or both."""
    if case.target not in ("batch", "both"):
        return None
    from nrtg.compiler.api import CompiledJob
    from nrtg.compiler.errors import UnsupportedError
    from nrtg.compiler.lower.duckdb import batch_text

    assert isinstance(job, CompiledJob)
    try:
        return batch_text(job.optimized, job.bound.udfs) + "\n"
    except UnsupportedError as e:
        return e.render() + "\n"


SECTIONS: list[tuple[str, Section]] = [("stream", stream_section), ("duckdb", duckdb_section)]
