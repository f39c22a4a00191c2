"""`nrtg compile SCRIPT.sql`: print the plans of a script as stable text or JSON."""

from __future__ import annotations

from typing import Any

import click

from .common import catalog_option, debug_option, guarded, opened_catalog, read_script

TARGETS = ("logical", "optimized", "batch", "stream", "all")


@click.command("compile")
@click.argument("script", type=click.Path(dir_okay=False, allow_dash=True))
@catalog_option
@click.option("--target", type=click.Choice(TARGETS), default="optimized", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--schema", is_flag=True, help="Append each node's output schema.")
@click.option("--dot", is_flag=True, help="With --target stream: the job graph as Graphviz DOT.")
@click.option(
    "--svg",
    "svg_file",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="With --target stream: also draw the job graph as SVG into FILE (needs Graphviz `dot`).",
)
@click.option(
    "--advice", is_flag=True, help="Print plan advice (unbounded state, missing watermarks, ...)."
)
@click.option("--verbose", is_flag=True, help="Print the plan after each optimizer rule.")
@debug_option
def compile_cmd(
    script: str,
    catalog_uri: str | None,
    target: str,
    fmt: str,
    schema: bool,
    advice: bool,
    verbose: bool,
    debug: bool,
    dot: bool,
    svg_file: str | None,
) -> None:
    """Compile a Flink SQL script and print its plans."""
    source = read_script(script)

    def run() -> str:
        from nrtg.compiler.api import compile_sql

        with opened_catalog(catalog_uri) as catalog:
            job = compile_sql(source, catalog, target="batch" if target == "batch" else "stream")
            if fmt == "json":
                return job.to_json()
            stages = ("logical", "optimized", "stream", "batch") if target == "all" else (target,)
            parts = []
            for stage in stages:
                text = _stage_text(job, stage, schema, fmt_dot=dot)
                parts.append(f"== {stage} ==\n{text}" if len(stages) > 1 else text)
            if verbose:
                job.optimized  # noqa: B018 - runs the rules, filling the trace
                parts.append("== rules ==\n" + job.trace.text())
            if advice:
                items = job.advice
                parts.append("== advice ==\n" + ("".join(f"{a}\n" for a in items) or "(none)\n"))
            return "".join(parts)

    out = guarded(run, source=source, path=script, fmt=fmt, debug=debug)
    if svg_file is not None:
        guarded(lambda: _write_svg(source, catalog_uri, svg_file), source=source, path=script)
    click.echo(out, nl=False)


def _write_svg(source: str, catalog_uri: str | None, path: str) -> None:
    """Draw the stream job graph with Graphviz into `path`; a clear error without `dot`."""
    from nrtg.compiler.api import compile_sql
    from nrtg.compiler.lower.stream import lower_to_stream
    from nrtg.compiler.lower.stream_text import graph_svg

    with opened_catalog(catalog_uri) as catalog:
        job = compile_sql(source, catalog, target="stream")
        graph = lower_to_stream(job.optimized)
    try:
        svg = graph_svg(graph)
    except (FileNotFoundError, RuntimeError) as e:
        raise click.ClickException(str(e)) from e
    with open(path, "wb") as f:
        f.write(svg)


def _stage_text(job: Any, stage: str, schema: bool, fmt_dot: bool) -> str:
    """One stage as stable text: plans, the stream job graph (or DOT), or the DuckDB SQL."""
    if stage in ("logical", "optimized"):
        text: str = job.explain(stage, schema=schema)
        return text
    if stage == "batch":
        from nrtg.compiler.lower.duckdb import batch_text

        return batch_text(job.optimized, job.bound.udfs)
    from nrtg.compiler.lower.stream import lower_to_stream

    graph = lower_to_stream(job.optimized)
    if fmt_dot:
        from nrtg.compiler.lower.stream_text import graph_dot

        return graph_dot(graph)
    from nrtg.compiler.lower.stream_text import graph_text

    return graph_text(graph)
