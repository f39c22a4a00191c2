"""`nrtg golden run [PATH...] [--update]`: run golden regression cases (see nrtg/golden.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("golden")
def golden_group() -> None:
    """Run and re-bless golden regression cases."""


@click.command("run")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--update", is_flag=True, help="Rewrite .out files; review `git diff golden/` after.")
@click.option("--quiet", "-q", is_flag=True, help="Only print failures and the summary.")
def run_cmd(paths: tuple[Path, ...], update: bool, quiet: bool) -> None:
    """Run golden cases (default: every case under golden/cases)."""
    from nrtg import golden

    try:
        cases = golden.discover(list(paths) or None)
    except golden.GoldenError as e:
        raise click.UsageError(str(e)) from e
    runner = golden.default_runner()
    passed = failed = updated = 0
    for case in cases:
        result = runner.run(case, update=update)
        if result.updated:
            updated += 1
            click.echo(f"UPDATED {case.name}")
        elif result.ok:
            passed += 1
            if not quiet:
                click.echo(f"ok      {case.name}")
        else:
            failed += 1
            click.echo(f"FAILED  {case.name}")
            click.echo(result.diff() or result.actual)
    orphans = golden.orphans() if not paths else []
    for o in orphans:
        failed += 1
        click.echo(f"ORPHAN  {o}")
    click.echo(f"{passed} passed, {failed} failed" + (f", {updated} updated" if updated else ""))
    sys.exit(1 if failed else 0)


golden_group.add_command(run_cmd)
