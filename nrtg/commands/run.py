"""`nrtg run SCRIPT.sql --mode batch|stream`: execute a script's INSERTs and its final query."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import click

from .common import catalog_option, debug_option, guarded, opened_catalog, read_script

if TYPE_CHECKING:
    import pyarrow as pa


@click.command("run")
@click.argument("script", type=click.Path(dir_okay=False, allow_dash=True))
@catalog_option
@click.option("--mode", type=click.Choice(["batch", "stream"]), default="batch", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--changelog", is_flag=True, help="Stream mode: print the change stream with an op column."
)
@click.option("--time-zone", default="UTC", show_default=True, help="table.local-time-zone")
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Stream mode: serve Prometheus metrics on http://127.0.0.1:PORT/metrics.",
)
@click.option(
    "--progress", is_flag=True, help="Stream mode: a live console view of the job's metrics."
)
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="Extra SET options.")
@debug_option
def run_cmd(
    script: str,
    catalog_uri: str | None,
    mode: str,
    fmt: str,
    changelog: bool,
    time_zone: str,
    metrics_port: int | None,
    progress: bool,
    settings: tuple[str, ...],
    debug: bool,
) -> None:
    """Run a script in batch (DuckDB) or stream (Kafka) mode."""
    source = read_script(script)

    def run() -> None:
        from nrtg.compiler.api import compile_sql

        # The embedded store is the default catalog: non-temporary DDL in the script persists
        # there (use CREATE TEMPORARY ... for script-local tables).
        with opened_catalog(catalog_uri, create=True) as catalog:
            job = compile_sql(source, catalog, target=mode)
            for item in settings:
                key, _, value = item.partition("=")
                job.session.options[key] = value
            if catalog is not None and job.bound.changes:
                from nrtg.persist import apply_changes

                for line in apply_changes(catalog, job.bound.changes):
                    click.echo(line, err=True)
            roots = job.optimized
            if job.bound.explain is not None:
                # EXPLAIN [CHANGELOG_MODE|PLAN_ADVICE|...] prints the plan instead of running it.
                click.echo(job.explain("optimized"), nl=False)
                if "PLAN_ADVICE" in job.bound.explain:
                    for item in job.advice:
                        click.echo(str(item))
                return
            if not roots:
                click.echo("(the script has no INSERT and no query: nothing to run)", err=True)
                return
            if mode == "batch":
                _run_batch(job, roots, fmt, time_zone)
            else:
                _run_stream(job, roots, fmt, changelog, time_zone, metrics_port, progress)

    guarded(run, source=source, path=script, debug=debug)


def _run_batch(job: Any, roots: tuple[Any, ...], fmt: str, time_zone: str) -> None:
    from rich.console import Console

    from nrtg.compiler.lower.duckdb import lower_to_duckdb
    from nrtg.compiler.plan.nodes import Sink
    from nrtg.runtime.batch import BatchSession
    from nrtg.runtime.batch.sources import skipped_summary

    err = Console(stderr=True)
    session = BatchSession(time_zone=time_zone, out=sys.stdout)
    started = time.perf_counter()
    summary: list[tuple[str, int]] = []
    last_result = None
    try:
        with err.status("running batch job...", spinner="dots"):
            for root in roots:
                result = session.run(lower_to_duckdb(root, udfs=job.bound.udfs))
                if isinstance(root, Sink):
                    summary.append((str(root.table), result.rows_written or 0))
                else:
                    last_result = result.table
            skipped = skipped_summary(session.con)
    finally:
        session.close()
    elapsed = time.perf_counter() - started
    if last_result is not None:
        print_table(last_result, fmt)
    for table, rows in summary:
        err.print(f"[green]sink[/green] {table}: {rows} rows")
    if skipped:
        err.print(f"[yellow]{skipped}[/yellow]")
    err.print(f"done in {elapsed:.2f} s")


def _run_stream(
    job: Any,
    roots: tuple[Any, ...],
    fmt: str,
    changelog: bool,
    time_zone: str,
    metrics_port: int | None = None,
    progress: bool = False,
) -> None:
    try:
        from nrtg.runtime.stream.job import run_stream_job
    except ModuleNotFoundError as e:
        from nrtg.catalog.errors import NrtgError

        raise NrtgError("stream mode is not available in this build yet") from e
    result = run_stream_job(
        job,
        roots,
        changelog=changelog,
        time_zone=time_zone,
        metrics_port=metrics_port,
        progress=progress,
    )
    if result is not None:
        print_table(result, fmt)


def print_table(table: pa.Table, fmt: str) -> None:
    """Rows to stdout: a rich table, JSON lines (output names as keys) or CSV. TIMESTAMPs print
    as `YYYY-MM-DD HH:MM:SS.fff`, DECIMALs exactly."""
    from nrtg.runtime.render import render_rows

    render_rows(table, fmt, sys.stdout)
