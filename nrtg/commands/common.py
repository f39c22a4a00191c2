"""What every command shares: reading the script, opening the catalog, rendering errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from nrtg.catalog.errors import NrtgError

T = TypeVar("T")

catalog_option = click.option(
    "--catalog",
    "catalog_uri",
    envvar="NRTG_CATALOG",
    default=None,
    metavar="URI",
    help="thrift://host:port (a Hive Metastore), sqlite:///path or a file (embedded), memory://. "
    "Default: $NRTG_CATALOG, else .nrtg/catalog.db when it exists.",
)
debug_option = click.option("--debug", is_flag=True, help="Show Python tracebacks.")


def read_script(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text()
    except OSError as e:
        raise click.UsageError(f"cannot read {path}: {e.strerror}") from e


@contextmanager
def opened_catalog(uri: str | None, *, create: bool = False) -> Iterator[Any]:
    """The catalog for a command. Without --catalog and with no embedded store yet, None: a
    read-only command never creates `.nrtg/catalog.db` as a side effect."""
    from nrtg.catalog.uri import DEFAULT_PATH, open_catalog

    if uri is None and not create and not DEFAULT_PATH.exists():
        yield None
        return
    catalog = open_catalog(uri)
    try:
        yield catalog
    finally:
        catalog.close()


def guarded(
    fn: Callable[[], T],
    *,
    source: str | None,
    path: str | None,
    fmt: str = "text",
    debug: bool = False,
) -> T:
    """Run `fn`; NrtgErrors become `error[kind]` output and exit code 1 (user) or 3 (internal)."""
    try:
        return fn()
    except NrtgError as e:
        if debug:
            raise
        if fmt == "json":
            click.echo(json.dumps({"error": e.to_dict(source)}, indent=2, sort_keys=True))
        else:
            click.echo(e.render(source, path), err=True)
        sys.exit(e.exit_code)
    except (click.ClickException, click.exceptions.Exit, SystemExit, KeyboardInterrupt):
        raise
    except Exception as e:  # a bug: say so, without a traceback unless asked
        if debug:
            raise
        click.echo(
            f"error[internal-error]: {type(e).__name__}: {e}\n"
            "  = note: this is a bug in nrtg; rerun with --debug for the traceback",
            err=True,
        )
        sys.exit(3)
