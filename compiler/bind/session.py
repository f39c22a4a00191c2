"""A compile session: the catalog, the script's own objects on top of it, and SET options.

Temporary objects and the objects a script creates live here and shadow the catalog, as in
Flink's CatalogManager; whether non-temporary DDL is also written to the catalog is the caller's
choice (`nrtg compile` never writes; `nrtg run` and `nrtg catalog apply` do).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from nrtg.catalog.errors import CatalogError
from nrtg.catalog.schema import FunctionDef, Ident, TableDef, ViewDef

DEFAULT_DATABASE = "default"
DEFAULT_CATALOG = "default_catalog"


class CatalogReader(Protocol):
    """The part of the catalog protocol the compiler reads."""

    def get_table(self, ident: Ident) -> TableDef | ViewDef: ...


@dataclass
class Session:
    catalog: CatalogReader | None = None
    database: str = DEFAULT_DATABASE
    tables: dict[Ident, TableDef | ViewDef] = field(default_factory=dict)
    functions: dict[Ident, FunctionDef] = field(default_factory=dict)
    databases: set[str] = field(default_factory=lambda: {DEFAULT_DATABASE})
    options: dict[str, str] = field(default_factory=dict)
    # Catalog reads are cached per compile: one fetch per table however often it is used.
    _cache: dict[Ident, TableDef | ViewDef | None] = field(default_factory=dict)
    # While `recording()`: every lookup and what it found (a bound view's dependencies).
    _reads: list[tuple[Ident, TableDef | ViewDef | None]] | None = None
    # The ids of the cached view plans this session has been handed (view_cache.py): any
    # further use of one is a copy.
    views_handed_out: set[int] = field(default_factory=set)

    def ident(self, parts: tuple[str, ...]) -> Ident:
        """[catalog.][db.]name -> Ident; the catalog part is accepted and ignored."""
        if len(parts) == 1:
            return Ident(self.database, parts[0])
        return Ident(parts[-2], parts[-1])

    def lookup(self, ident: Ident) -> TableDef | ViewDef | None:
        found = self._lookup(ident)
        if self._reads is not None:
            self._reads.append((ident, found))
        return found

    def _lookup(self, ident: Ident) -> TableDef | ViewDef | None:
        local = self.tables.get(ident)
        if local is not None:
            return local
        if self.catalog is None:
            return None
        if ident not in self._cache:
            try:
                self._cache[ident] = self.catalog.get_table(ident)
            except CatalogError:
                self._cache[ident] = None
        return self._cache[ident]

    @contextmanager
    def recording(self) -> Iterator[list[tuple[Ident, TableDef | ViewDef | None]]]:
        """Collects the lookups made inside the block; an enclosing recording sees them too."""
        outer = self._reads
        reads: list[tuple[Ident, TableDef | ViewDef | None]] = []
        self._reads = reads
        try:
            yield reads
        finally:
            self._reads = outer
            if outer is not None:
                outer.extend(reads)

    def known_tables(self) -> list[str]:
        """Names for 'did you mean' suggestions: the session's own objects in the current db."""
        return sorted(i.name for i in self.tables if i.database == self.database)

    def register(self, obj: TableDef | ViewDef) -> None:
        self.tables[obj.ident] = obj
        self._cache.pop(obj.ident, None)

    def drop(self, ident: Ident) -> bool:
        self._cache[ident] = None
        return self.tables.pop(ident, None) is not None
