"""`nrtg compile SCRIPT.sql`: print the plans of a script as stable text or JSON."""

from __future__ import annotations

import click

from .common import catalog_option, debug_option, guarded, opened_catalog, read_script

TARGETS = ("logical", "optimized", "all")


@click.command("compile")
@click.argument("script", type=click.Path(dir_okay=False, allow_dash=True))
@catalog_option
@click.option("--target", type=click.Choice(TARGETS), default="optimized", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--schema", is_flag=True, help="Append each node's output schema.")
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
) -> None:
    """Compile a Flink SQL script and print its plans."""
    source = read_script(script)

    def run() -> str:
        from nrtg.compiler.api import compile_sql

        with opened_catalog(catalog_uri) as catalog:
            job = compile_sql(source, catalog)
            stages = ("logical", "optimized") if target == "all" else (target,)
            if fmt == "json":
                return job.to_json()
            parts = []
            for stage in stages:
                text = job.explain(stage, schema=schema)
                parts.append(f"== {stage} ==\n{text}" if len(stages) > 1 else text)
            if verbose:
                job.optimized  # noqa: B018 - runs the rules, filling the trace
                parts.append("== rules ==\n" + job.trace.text())
            if advice:
                items = job.advice
                parts.append("== advice ==\n" + ("".join(f"{a}\n" for a in items) or "(none)\n"))
            return "".join(parts)

    out = guarded(run, source=source, path=script, fmt=fmt, debug=debug)
    click.echo(out, nl=False)
