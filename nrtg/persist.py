"""Write a compiled script's non-temporary DDL (CREATE/DROP/ALTER ...) to a catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nrtg.catalog.schema import DatabaseDef, FunctionDef, Ident, TableDef, ViewDef

if TYPE_CHECKING:
    from nrtg.catalog.base import Catalog
    from nrtg.compiler.bind.binder import CatalogChange


def apply_changes(catalog: Catalog, changes: list[CatalogChange]) -> list[str]:
    """Apply `changes` in script order; returns one line per change for the user."""
    done: list[str] = []
    for c in changes:
        target = c.target
        if c.op in ("create_table", "create_view"):
            assert isinstance(target, TableDef | ViewDef)
            catalog.create_table(target, if_not_exists=c.if_not_exists)
            done.append(f"created {'view' if c.op == 'create_view' else 'table'} {target.ident}")
        elif c.op == "alter_table":
            assert isinstance(target, TableDef)
            catalog.alter_table(target.ident, target)
            done.append(f"altered table {target.ident}")
        elif c.op == "drop_table":
            assert isinstance(target, Ident)
            catalog.drop_table(target, if_exists=c.if_exists)
            done.append(f"dropped {target}")
        elif c.op == "rename_table":
            assert isinstance(target, Ident) and c.new_ident is not None
            catalog.rename_table(target, c.new_ident)
            done.append(f"renamed {target} to {c.new_ident}")
        elif c.op == "create_database":
            assert isinstance(target, DatabaseDef)
            catalog.create_database(target, if_not_exists=c.if_not_exists)
            done.append(f"created database {target.name}")
        elif c.op == "drop_database":
            catalog.drop_database(str(target), if_exists=c.if_exists, cascade=c.cascade)
            done.append(f"dropped database {target}")
        elif c.op == "create_function":
            assert isinstance(target, FunctionDef)
            catalog.create_function(target, if_not_exists=c.if_not_exists)
            done.append(f"created function {target.ident}")
        elif c.op == "drop_function":
            assert isinstance(target, Ident)
            catalog.drop_function(target, if_exists=c.if_exists)
            done.append(f"dropped function {target}")
    return done
