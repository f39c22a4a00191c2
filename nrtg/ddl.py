"""Apply a script's DDL to a catalog: CREATE/DROP/ALTER of tables, views, databases and
functions. TEMPORARY objects go to the session only; everything else persists.

The SQL parser (`nrtg.compiler.parse`) is imported lazily so that `nrtg catalog ls` stays fast.
`resolve` lets the compiler fill in what only a binder knows (computed-column types) before a
table is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from nrtg.catalog.errors import CatalogError
from nrtg.catalog.schema import (
    Column,
    ColumnKind,
    DatabaseDef,
    FunctionDef,
    Ident,
    PrimaryKey,
    TableDef,
    ViewDef,
    Watermark,
)
from nrtg.catalog.session import SessionCatalog

if TYPE_CHECKING:
    from nrtg.compiler.parse import statements as st

Resolver = Callable[[TableDef], TableDef]
ViewResolver = Callable[[ViewDef, SessionCatalog, str], ViewDef]


@dataclass
class DdlResult:
    """What applying a script did: one line per DDL statement, and the statements left over."""

    applied: list[str] = field(default_factory=list)
    other: list[Any] = field(default_factory=list)


@dataclass
class DdlApplier:
    catalog: SessionCatalog
    database: str = "default"
    resolve: Resolver | None = None
    resolve_view: ViewResolver | None = None

    def ident(self, name: st.QualifiedName) -> Ident:
        parts = name.parts
        return Ident(parts[-2] if len(parts) >= 2 else self.database, parts[-1])

    def apply_script(self, sql: str) -> DdlResult:
        from nrtg.compiler.parse.parse import parse_script

        return self.apply(parse_script(sql).statements)

    def apply(self, statements: Any) -> DdlResult:
        result = DdlResult()
        for stmt in statements:
            try:
                line = self.apply_one(stmt)
            except CatalogError as e:
                if e.span is None:
                    raise CatalogError(e.message, stmt.span, hint=e.hint) from e
                raise
            if line is None:
                result.other.append(stmt)
            else:
                result.applied.append(line)
        return result

    def apply_one(self, stmt: Any) -> str | None:
        """Apply one statement; None when it is not DDL (queries, INSERT, SET ...)."""
        from nrtg.compiler.parse import statements as st

        cat = self.catalog
        match stmt:
            case st.CreateTable():
                table = self.table_def(stmt)
                if stmt.temporary:
                    cat.create_temporary_table(table, if_not_exists=stmt.if_not_exists)
                    return f"created temporary table {table.ident}"
                cat.create_table(table, if_not_exists=stmt.if_not_exists)
                return f"created table {table.ident}"
            case st.CreateView():
                view = self.view_def(stmt)
                if stmt.temporary:
                    cat.create_temporary_table(view, if_not_exists=stmt.if_not_exists)
                    return f"created temporary view {view.ident}"
                cat.create_table(view, if_not_exists=stmt.if_not_exists)
                return f"created view {view.ident}"
            case st.CreateDatabase():
                db = DatabaseDef(stmt.name.name, stmt.comment, dict(stmt.properties))
                cat.create_database(db, if_not_exists=stmt.if_not_exists)
                return f"created database {db.name}"
            case st.CreateFunction():
                fn = FunctionDef(self.ident(stmt.name), stmt.class_name, stmt.language.upper())
                if stmt.temporary:
                    cat.create_temporary_function(fn, if_not_exists=stmt.if_not_exists)
                    return f"created temporary function {fn.ident}"
                cat.create_function(fn, if_not_exists=stmt.if_not_exists)
                return f"created function {fn.ident}"
            case st.Drop():
                return self._drop(stmt)
            case st.AlterTableSet():
                ident = self.ident(stmt.name)
                table = self._table(ident)
                cat.alter_table(
                    ident, replace(table, options={**table.options, **dict(stmt.options)})
                )
                return f"altered table {ident}"
            case st.AlterTableReset():
                ident = self.ident(stmt.name)
                table = self._table(ident)
                options = {k: v for k, v in table.options.items() if k not in set(stmt.keys)}
                cat.alter_table(ident, replace(table, options=options))
                return f"altered table {ident}"
            case st.AlterTableRename():
                ident, new = self.ident(stmt.name), self.ident(stmt.new_name)
                cat.rename_table(ident, new)
                return f"renamed table {ident} to {new}"
            case st.UseDatabase():
                self.catalog.get_database(stmt.name.name)
                self.database = stmt.name.name
                return f"using database {self.database}"
        return None

    def _table(self, ident: Ident) -> TableDef:
        table = self.catalog.get_table(ident)
        if not isinstance(table, TableDef):
            raise CatalogError(f"`{ident}` is a view; ALTER TABLE needs a table")
        return table

    def _drop(self, stmt: st.Drop) -> str:
        cat = self.catalog
        kind = stmt.object_kind
        if kind == "DATABASE":
            cat.drop_database(stmt.name.name, if_exists=stmt.if_exists, cascade=stmt.cascade)
            return f"dropped database {stmt.name.name}"
        ident = self.ident(stmt.name)
        if kind == "FUNCTION":
            if stmt.temporary:
                cat.drop_temporary_function(ident, if_exists=stmt.if_exists)
            else:
                cat.drop_function(ident, if_exists=stmt.if_exists)
            return f"dropped function {ident}"
        if stmt.temporary:
            cat.drop_temporary_table(ident, if_exists=stmt.if_exists)
            return f"dropped temporary {kind.lower()} {ident}"
        if cat.table_exists(ident):
            is_view = isinstance(cat.get_table(ident), ViewDef)
            if is_view != (kind == "VIEW"):
                actual = "a view" if is_view else "a table"
                raise CatalogError(f"cannot DROP {kind} `{ident}`: it is {actual}")
        cat.drop_table(ident, if_exists=stmt.if_exists)
        return f"dropped {kind.lower()} {ident}"

    # -- statement -> definition --------------------------------------------------------------
    def table_def(self, stmt: st.CreateTable) -> TableDef:
        from nrtg.compiler.parse.parse import to_flink_sql

        columns = [
            Column(
                c.name,
                c.type,
                c.kind,
                expr=to_flink_sql(c.expr) if c.expr is not None else None,
                metadata_key=c.metadata_key,
                virtual=c.virtual,
                comment=c.comment,
            )
            for c in stmt.columns
        ]
        pk = None
        if stmt.primary_key is not None:
            cols = stmt.primary_key.columns
            pk = PrimaryKey(stmt.primary_key.name or "PK_" + "_".join(cols), cols)
            columns = [
                replace(c, type=c.type.with_nullable(False))
                if c.name in cols and c.type is not None
                else c
                for c in columns
            ]
        by_name = {c.name: c for c in columns}
        watermarks = []
        for w in stmt.watermarks:
            rowtime = by_name.get(w.rowtime)
            wm_type = rowtime.type if rowtime is not None else None
            watermarks.append(Watermark(w.rowtime, to_flink_sql(w.expr), wm_type))
        table = TableDef(
            ident=self.ident(stmt.name),
            columns=tuple(columns),
            options=dict(stmt.options),
            watermarks=tuple(watermarks),
            primary_key=pk,
            partition_keys=tuple(stmt.partition_keys),
            comment=stmt.comment,
            temporary=stmt.temporary,
        )
        if stmt.like is not None:
            table = self._merge_like(table, stmt.like)
        return self.resolve(table) if self.resolve is not None else table

    def _merge_like(self, table: TableDef, like: st.LikeClause) -> TableDef:
        source = self.catalog.get_table(self.ident(like.source))
        if not isinstance(source, TableDef):
            raise CatalogError(f"LIKE `{like.source}`: it is a view, not a table")
        excluded = {what.upper() for how, what in like.options if how.upper() == "EXCLUDING"}
        every = "ALL" in excluded

        def keep(part: str) -> bool:
            return not every and part not in excluded

        columns = [
            c
            for c in source.columns
            if c.kind is ColumnKind.PHYSICAL
            or (c.kind is ColumnKind.COMPUTED and keep("GENERATED"))
            or (c.kind is ColumnKind.METADATA and keep("METADATA"))
        ]
        options = {**(source.options if keep("OPTIONS") else {}), **table.options}
        return replace(
            table,
            columns=tuple(columns) + table.columns,
            options=options,
            watermarks=table.watermarks or (source.watermarks if keep("WATERMARKS") else ()),
            primary_key=table.primary_key or (source.primary_key if keep("CONSTRAINTS") else None),
            partition_keys=table.partition_keys
            or (source.partition_keys if keep("PARTITIONS") else ()),
        )

    def view_def(self, stmt: st.CreateView) -> ViewDef:
        names = stmt.column_names or ()
        view = ViewDef(
            ident=self.ident(stmt.name),
            query=stmt.query_text,
            expanded_query=stmt.query_text,
            columns=tuple(Column(n, None) for n in names),
            comment=stmt.comment,
            temporary=stmt.temporary,
        )
        if self.resolve_view is not None:
            return self.resolve_view(view, self.catalog, self.database)
        return view


def resolve_types(table: TableDef) -> TableDef:
    """Fill in the types only a binder knows (computed columns, watermark strategies), so that
    Flink can read the stored table: its catalog needs a `data-type` for every column."""
    from nrtg.compiler.bind.tables import scan_plan
    from nrtg.compiler.plan import nodes as n

    if table.is_hive_native:
        return table
    plan = scan_plan(table, None)
    fields = {f.name: f.type for f in plan.schema.fields}
    columns = tuple(
        replace(c, type=fields.get(c.name)) if c.type is None and c.name in fields else c
        for c in table.columns
    )
    strategy_types: dict[str, Any] = {}
    node: Any = plan
    while isinstance(node, n.AssignWatermark):
        strategy_types[plan.schema.fields[node.rowtime].name] = node.watermark.type
        node = node.input
    watermarks = tuple(
        replace(w, type=strategy_types.get(w.rowtime, w.type)) for w in table.watermarks
    )
    return replace(table, columns=columns, watermarks=watermarks)


def resolve_view_schema(view: ViewDef, catalog: SessionCatalog, database: str) -> ViewDef:
    """The view's columns with types, from binding its query (Flink stores a view's schema)."""
    from nrtg.compiler.api import compile_sql
    from nrtg.compiler.bind.session import Session

    job = compile_sql(view.query, session=Session(catalog=catalog, database=database))
    if len(job.logical) != 1:
        raise CatalogError(f"view `{view.ident}`: its query must be one SELECT")
    fields = job.logical[0].schema.fields
    names = [c.name for c in view.columns] or [f.name for f in fields]
    if len(names) != len(fields):
        raise CatalogError(
            f"view `{view.ident}` names {len(names)} columns but its query has {len(fields)}"
        )
    columns = tuple(Column(name, f.type) for name, f in zip(names, fields, strict=True))
    return replace(view, columns=columns)
