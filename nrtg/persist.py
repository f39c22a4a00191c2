"""Write a compiled script's non-temporary DDL (CREATE/DROP/ALTER ...) to a catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nrtg.catalog.errors import CatalogError
from nrtg.catalog.schema import DatabaseDef, FunctionDef, Ident, TableDef, ViewDef

if TYPE_CHECKING:
    from nrtg.catalog.base import Catalog
    from nrtg.compiler.bind.binder import CatalogChange


def apply_changes(catalog: Catalog, changes: list[CatalogChange]) -> list[str]:
    """Apply `changes` in script order; one line per change for the user. A refused change is
    a CatalogError that points at its statement."""
    done: list[str] = []
    for change in changes:
        try:
            done.append(_apply(catalog, change))
        except CatalogError as e:
            if e.span is None:
                e.span = change.span
            raise
    return done


def _apply(catalog: Catalog, c: CatalogChange) -> str:
    target = c.target
    if c.op in ("create_table", "create_view"):
        assert isinstance(target, TableDef | ViewDef)
        catalog.create_table(target, if_not_exists=c.if_not_exists)
        return f"created {'view' if c.op == 'create_view' else 'table'} {target.ident}"
    if c.op == "alter_table":
        assert isinstance(target, TableDef)
        catalog.alter_table(target.ident, target)
        return f"altered table {target.ident}"
    if c.op == "drop_table":
        assert isinstance(target, Ident)
        catalog.drop_table(target, if_exists=c.if_exists)
        return f"dropped {target}"
    if c.op == "rename_table":
        assert isinstance(target, Ident) and c.new_ident is not None
        catalog.rename_table(target, c.new_ident)
        return f"renamed {target} to {c.new_ident}"
    if c.op == "create_database":
        assert isinstance(target, DatabaseDef)
        catalog.create_database(target, if_not_exists=c.if_not_exists)
        return f"created database {target.name}"
    if c.op == "drop_database":
        catalog.drop_database(str(target), if_exists=c.if_exists, cascade=c.cascade)
        return f"dropped database {target}"
    if c.op == "create_function":
        assert isinstance(target, FunctionDef)
        catalog.create_function(target, if_not_exists=c.if_not_exists)
        return f"created function {target.ident}"
    if c.op == "drop_function":
        assert isinstance(target, Ident)
        catalog.drop_function(target, if_exists=c.if_exists)
        return f"dropped function {target}"
    raise CatalogError(f"unknown catalog change {c.op}", c.span)
