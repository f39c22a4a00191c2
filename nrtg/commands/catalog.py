"""`nrtg catalog`: list, show, change and serve the catalog.

Every subcommand takes `--catalog URI` (default: $NRTG_CATALOG, else `.nrtg/catalog.db`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from nrtg.catalog.base import Catalog
from nrtg.catalog.errors import NrtgError
from nrtg.catalog.schema import Ident, TableDef

from .common import catalog_option


def _open(uri: str | None) -> Catalog:
    from nrtg.catalog.uri import open_catalog

    return open_catalog(uri)


def _fail(err: NrtgError, source: str | None = None, path: str | None = None) -> None:
    click.echo(err.render(source, path), err=True)
    sys.exit(err.exit_code)


def _ident(text: str) -> Ident:
    parts = [p.strip("`") for p in text.split(".")]
    if len(parts) == 1:
        return Ident("default", parts[0])
    return Ident(parts[-2], parts[-1])


@click.group(name="catalog")
def catalog_group() -> None:
    """Inspect, change and serve the catalog."""


@catalog_group.command("ls")
@click.argument("database", required=False)
@catalog_option
def ls_cmd(database: str | None, catalog_uri: str | None) -> None:
    """List databases, or the tables and views of DATABASE."""
    try:
        cat = _open(catalog_uri)
        try:
            if database is None:
                for name in cat.list_databases():
                    click.echo(name)
                return
            for name in cat.list_tables(database):
                obj = cat.get_table(Ident(database, name))
                if isinstance(obj, TableDef):
                    kind = "hive-table" if obj.is_hive_native else "table"
                else:
                    kind = "view"
                click.echo(f"{name}\t{kind}")
        finally:
            cat.close()
    except NrtgError as e:
        _fail(e)


@catalog_group.command("show")
@click.argument("name")
@catalog_option
def show_cmd(name: str, catalog_uri: str | None) -> None:
    """Print DB.TABLE as the Flink CREATE TABLE (or CREATE VIEW) that re-creates it."""
    from nrtg.catalog.ddl_text import create_table_ddl

    try:
        cat = _open(catalog_uri)
        try:
            click.echo(create_table_ddl(cat.get_table(_ident(name))), nl=False)
        finally:
            cat.close()
    except NrtgError as e:
        _fail(e)


@catalog_group.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--database", default="default", show_default=True, help="Current database.")
@catalog_option
def apply_cmd(file: Path, database: str, catalog_uri: str | None) -> None:
    """Apply the DDL in FILE (CREATE/DROP/ALTER TABLE, VIEW, DATABASE, FUNCTION).

    The script is bound by the compiler first, so computed-column, watermark and view types are
    known (Flink needs a data type for every stored column) and errors point into FILE."""
    from nrtg.compiler.api import compile_sql
    from nrtg.compiler.bind.session import Session
    from nrtg.persist import apply_changes

    source = file.read_text()
    try:
        cat = _open(catalog_uri)
        try:
            job = compile_sql(source, session=Session(catalog=cat, database=database))
            applied = apply_changes(cat, job.bound.changes)
        finally:
            cat.close()
    except NrtgError as e:
        _fail(e, source, str(file))
        return
    for line in applied:
        click.echo(line)
    others = len(job.bound.roots)
    if others:
        click.echo(f"skipped {others} statement(s) that are not DDL", err=True)


@catalog_group.command("serve")
@click.option("--store", type=click.Path(dir_okay=False), default=None, help="Store file.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9083, show_default=True, type=int)
@catalog_option
def serve_cmd(store: str | None, host: str, port: int, catalog_uri: str | None) -> None:
    """Serve the embedded store over the Hive Metastore Thrift protocol."""
    from nrtg.catalog.hms_server import HmsServer
    from nrtg.catalog.sqlite_store import SqliteStore
    from nrtg.catalog.uri import resolve_uri, sqlite_path

    path = store or sqlite_path(resolve_uri(catalog_uri))
    if path is None:
        raise click.UsageError("serve needs an embedded store: --store FILE or a sqlite catalog")
    try:
        server = HmsServer(SqliteStore(path), host, port)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port}: {e}") from e
    click.echo(f"serving {path} at {server.uri} (Ctrl-C to stop)", err=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        server.stop()
