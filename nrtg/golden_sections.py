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


def result_section(case: Case, job: object) -> str | None:
    """`== result ==`: the batch result on the case's input data (nrtg/golden_data.py), for
    batch/both cases with data: seeded Nexmark events, or golden/data/<case-stem>/."""
    from nrtg.golden_data import has_result, result_text

    if not has_result(case):
        return None
    from nrtg.compiler.errors import UnsupportedError
    from nrtg.golden import GoldenError

    if "checked" not in case.headers:
        raise GoldenError(
            f"{case.path}: a case with a result needs a `-- checked:` header saying how the "
            "expected rows were verified (by hand, or an independent query and where)"
        )
    try:
        return result_text(case)
    except UnsupportedError as e:
        return e.render() + "\n"


SECTIONS.append(("result", result_section))
