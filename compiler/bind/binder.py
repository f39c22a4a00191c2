"""Statements -> session changes, catalog changes and plans.

`bind_script` walks a parsed script in order: DDL updates the session (and is recorded as a
catalog change unless TEMPORARY), INSERTs and statement sets become Sink plans, a SELECT becomes
a query root. Nothing is written to a catalog here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlglot import exp

from nrtg.catalog import types as t
from nrtg.catalog.errors import CatalogError, Span
from nrtg.catalog.schema import (
    Column,
    ColumnKind,
    DatabaseDef,
    Field,
    FunctionDef,
    Ident,
    PrimaryKey,
    TableDef,
    ViewDef,
    Watermark,
)

from ..errors import BindError, PlanValidationError, TypeCheckError, UnsupportedError
from ..parse import statements as st
from ..parse.parse import to_flink_sql
from ..plan import nodes as n
from ..plan.expr import Cast, ColumnRef, Expr, Literal
from . import coercion
from .expressions import ExprBinder
from .query import QueryBinder
from .scope import Scope
from .session import Session
from .table_options import check_table_options
from .tables import scan_plan, with_dynamic_options
from .udf import resolve_udf


@dataclass(frozen=True)
class CatalogChange:
    """A non-temporary DDL statement's effect, for callers that persist DDL."""

    op: str  # create_table, create_view, drop_table, alter_table, rename_table, create_database, ...
    target: Any
    span: Span
    if_exists: bool = False
    if_not_exists: bool = False
    cascade: bool = False
    new_ident: Ident | None = None


@dataclass
class BoundScript:
    session: Session
    sinks: list[n.Sink] = field(default_factory=list)
    queries: list[n.Plan] = field(default_factory=list)
    changes: list[CatalogChange] = field(default_factory=list)
    explain: tuple[str, ...] | None = None
    udfs: dict[str, FunctionDef] = field(default_factory=dict)

    @property
    def roots(self) -> tuple[n.Plan, ...]:
        return (*self.sinks, *self.queries)


def bind_script(script: st.Script, session: Session) -> BoundScript:
    out = BoundScript(session)
    binder = _StatementBinder(session, out)
    for stmt in script.statements:
        binder.bind(stmt)
    return out


@dataclass
class _StatementBinder:
    session: Session
    out: BoundScript
    table_asts: dict[object, tuple[dict[str, exp.Expression], dict[str, exp.Expression]]] = field(
        default_factory=dict
    )

    def query_binder(self) -> QueryBinder:
        return QueryBinder(self.session, self._udf, table_asts=self.table_asts)

    def _udf(self, name: str) -> tuple[str, t.SqlType] | None:
        ident = self.session.ident((name,))
        fn = self.session.functions.get(ident) or self.session.functions.get(Ident("default", name))
        if fn is None:
            for key, value in self.session.functions.items():
                if key.name.lower() == name.lower():
                    fn = value
                    break
        if fn is None:
            return None
        rtype = resolve_udf(fn)
        canonical = fn.ident.name.upper()
        self.out.udfs[canonical] = fn
        return canonical, rtype

    def bind(self, stmt: st.Statement) -> None:
        match stmt:
            case st.CreateTable() if stmt.query is not None:
                self.out.sinks.append(self._create_table_as(stmt, stmt.query))
            case st.CreateTable():
                self._create_table(stmt)
            case st.CreateView():
                self._create_view(stmt)
            case st.Insert():
                self.out.sinks.append(self._insert(stmt))
            case st.StatementSet():
                for ins in stmt.inserts:
                    self.out.sinks.append(self._insert(ins))
            case st.Query():
                self.out.queries.append(self.query_binder().bind_query(stmt.query).plan)
            case st.Explain():
                self.out.explain = stmt.details or ("PLAN",)
                self.bind(stmt.statement)
            case st.SetOption():
                if stmt.key is not None:
                    self.session.options[stmt.key] = stmt.value or ""
            case st.ResetOption():
                if stmt.key is None:
                    self.session.options.clear()
                else:
                    self.session.options.pop(stmt.key, None)
            case st.UseDatabase():
                self.session.database = stmt.name.parts[-1]
            case st.UseCatalog():
                pass  # one catalog per session: the name is accepted for Flink compatibility
            case st.CreateDatabase():
                db = DatabaseDef(stmt.name.parts[-1], stmt.comment, dict(stmt.properties))
                self.session.databases.add(db.name)
                self._change("create_database", db, stmt.span, if_not_exists=stmt.if_not_exists)
            case st.Drop():
                self._drop(stmt)
            case st.AlterTableSet() | st.AlterTableReset() | st.AlterTableRename():
                self._alter(stmt)
            case st.CreateFunction():
                self._create_function(stmt)
            case _:
                raise UnsupportedError(
                    f"statement {type(stmt).__name__} is not supported", stmt.span
                )

    def _change(self, op: str, target: Any, span: Span, **kw: Any) -> None:
        self.out.changes.append(CatalogChange(op, target, span, **kw))

    # -- DDL --------------------------------------------------------------------------------
    def _exists_error(self, kind: str, ident: Ident, span: Span) -> CatalogError:
        return CatalogError(
            f"{kind} {ident} already exists",
            span,
            hint="use CREATE ... IF NOT EXISTS, or DROP it first",
        )

    def _create_table(self, stmt: st.CreateTable) -> None:
        ident = self.session.ident(stmt.name.parts)
        existing = self.session.lookup(ident)
        # A TEMPORARY table may shadow a catalog table of the same name, as in Flink.
        if existing is not None and not (stmt.temporary and not existing.temporary):
            if stmt.if_not_exists:
                return
            raise self._exists_error("table", ident, stmt.name.span)
        table, computed, watermarks = self._table_def(stmt, ident)
        check_table_options(table.options, str(ident), stmt.span, stmt.text)
        # Build the scan once: it types computed columns and checks the watermark.
        self.table_asts[ident] = (computed, watermarks)
        plan = scan_plan(table, stmt.span, computed, watermarks)
        typed = tuple(
            replace(c, type=plan.schema.fields[i].type) if c.kind is ColumnKind.COMPUTED else c
            for i, c in enumerate(table.columns)
        )
        wm_typed = tuple(
            replace(w, type=plan.schema.fields[plan.schema.index(w.rowtime) or 0].type)
            for w in table.watermarks
        )
        table = replace(table, columns=typed, watermarks=wm_typed)
        self.session.register(table)
        if not stmt.temporary:
            self._change("create_table", table, stmt.span, if_not_exists=stmt.if_not_exists)

    def _create_table_as(self, stmt: st.CreateTable, query: exp.Expression) -> n.Sink:
        """CTAS, as Flink runs it: create the table with the query's columns (after any new
        columns the statement declares; a declared query column keeps its place and takes its
        declared type), then insert the query's rows. With IF NOT EXISTS and the table already
        there, the rows go into that table."""
        plan = self.query_binder().bind_query(query).plan
        fields = plan.schema.fields
        qspan = _span_of(query) or stmt.span
        names = [f.name for f in fields]  # unique: the binder renames repeats (a, a0) as Calcite
        for c in stmt.columns:
            if c.kind is not ColumnKind.PHYSICAL:
                raise UnsupportedError(
                    "CREATE TABLE ... AS SELECT declares physical columns only", c.span
                )
        declared = {c.name: c for c in stmt.columns}
        columns = [c for c in stmt.columns if c.name not in names] + [
            declared.get(f.name)
            or st.ColumnDecl(name=f.name, type=f.type, kind=ColumnKind.PHYSICAL, span=qspan)
            for f in fields
        ]
        self._create_table(replace(stmt, columns=tuple(columns), query=None))
        # by name: declared columns the query lacks are NULL, as in Flink's rewritten query
        insert = st.Insert(
            target=stmt.name, query=query, column_names=tuple(names), span=stmt.span, text=stmt.text
        )
        return self._insert(insert, plan)

    def _table_def(
        self, stmt: st.CreateTable, ident: Ident
    ) -> tuple[TableDef, dict[str, exp.Expression], dict[str, exp.Expression]]:
        columns: list[Column] = []
        computed: dict[str, exp.Expression] = {}
        watermark_asts: dict[str, exp.Expression] = {}
        options = dict(stmt.options)
        watermarks: list[Watermark] = []
        partition_keys = stmt.partition_keys
        pk = None
        if stmt.like is not None:
            columns, options, watermarks, partition_keys, pk = self._like(stmt, options)
        names = {c.name for c in columns}
        for c in stmt.columns:
            if c.name in names:
                raise BindError(
                    f"column '{c.name}' is defined twice (also in the LIKE source)", c.span
                )
            names.add(c.name)
            if c.kind is ColumnKind.COMPUTED:
                assert c.expr is not None
                computed[c.name] = c.expr
                columns.append(
                    Column(
                        c.name,
                        None,
                        ColumnKind.COMPUTED,
                        expr=to_flink_sql(c.expr),
                        comment=c.comment,
                    )
                )
            else:
                columns.append(
                    Column(
                        c.name,
                        c.type,
                        c.kind,
                        metadata_key=c.metadata_key,
                        virtual=c.virtual,
                        comment=c.comment,
                    )
                )
        for w in stmt.watermarks:
            if w.rowtime not in names:
                raise BindError(f"WATERMARK FOR '{w.rowtime}': no such column in {ident}", w.span)
            watermark_asts[w.rowtime] = w.expr
            watermarks = [x for x in watermarks if x.rowtime != w.rowtime]
            watermarks.append(Watermark(w.rowtime, to_flink_sql(w.expr)))
        if stmt.primary_key is not None:
            for col in stmt.primary_key.columns:
                decl = next((c for c in columns if c.name == col), None)
                if decl is None:
                    raise BindError(
                        f"primary key column '{col}' is not a column of {ident}",
                        stmt.primary_key.span,
                    )
                if decl.kind is not ColumnKind.PHYSICAL:
                    raise PlanValidationError(
                        f"primary key column '{col}' must be a physical column",
                        stmt.primary_key.span,
                    )
            cols = stmt.primary_key.columns
            pk = PrimaryKey(stmt.primary_key.name or "PK_" + "_".join(cols), cols)
        if pk is not None:
            columns = [
                replace(c, type=c.type.with_nullable(False))
                if c.name in pk.columns and c.type is not None
                else c
                for c in columns
            ]
        for key in partition_keys:
            if key not in names:
                raise BindError(f"partition key '{key}' is not a column of {ident}", stmt.span)
        table = TableDef(
            ident=ident,
            columns=tuple(columns),
            options=options,
            watermarks=tuple(watermarks),
            primary_key=pk,
            partition_keys=tuple(partition_keys),
            comment=stmt.comment,
            temporary=stmt.temporary,
        )
        return table, computed, watermark_asts

    def _like(
        self, stmt: st.CreateTable, options: dict[str, str]
    ) -> tuple[list[Column], dict[str, str], list[Watermark], tuple[str, ...], PrimaryKey | None]:
        like = stmt.like
        assert like is not None
        src = self.session.lookup(self.session.ident(like.source.parts))
        if not isinstance(src, TableDef):
            raise BindError(f"LIKE source table '{like.source}' not found", like.source.span)
        mode = {
            "ALL": "INCLUDING",
            "CONSTRAINTS": "INCLUDING",
            "GENERATED": "INCLUDING",
            "METADATA": "INCLUDING",
            "OPTIONS": "INCLUDING",
            "PARTITIONS": "INCLUDING",
            "WATERMARKS": "INCLUDING",
        }
        for verb, what in like.options:
            if what.upper() == "ALL":
                mode = dict.fromkeys(mode, verb.upper())
            else:
                mode[what.upper()] = verb.upper()
        cols = [
            c
            for c in src.columns
            if (c.kind is ColumnKind.PHYSICAL)
            or (c.kind is ColumnKind.COMPUTED and mode["GENERATED"] != "EXCLUDING")
            or (c.kind is ColumnKind.METADATA and mode["METADATA"] != "EXCLUDING")
        ]
        merged = dict(src.options) if mode["OPTIONS"] != "EXCLUDING" else {}
        merged.update(options)
        wms = list(src.watermarks) if mode["WATERMARKS"] != "EXCLUDING" else []
        parts = stmt.partition_keys or (
            src.partition_keys if mode["PARTITIONS"] != "EXCLUDING" else ()
        )
        pk = src.primary_key if mode["CONSTRAINTS"] != "EXCLUDING" else None
        return cols, merged, wms, tuple(parts), pk

    def _create_view(self, stmt: st.CreateView) -> None:
        ident = self.session.ident(stmt.name.parts)
        existing = self.session.lookup(ident)
        # A TEMPORARY view may shadow a catalog table or view of the same name, as in Flink.
        if existing is not None and not (stmt.temporary and not existing.temporary):
            if stmt.if_not_exists:
                return
            raise self._exists_error("view", ident, stmt.name.span)
        bound = self.query_binder().bind_query(stmt.query)
        fields = bound.plan.schema.fields
        names = list(stmt.column_names) if stmt.column_names else [f.name for f in fields]
        if len(names) != len(fields):
            raise BindError(
                f"view {ident} names {len(names)} columns but its query produces {len(fields)}",
                stmt.name.span,
            )
        dupes = {x for x in names if names.count(x) > 1}
        if dupes:
            raise BindError(
                f"view {ident} has duplicate column names: {', '.join(sorted(dupes))}", stmt.span
            )
        columns = tuple(Column(nm, f.type) for nm, f in zip(names, fields, strict=True))
        view = ViewDef(
            ident=ident,
            query=stmt.query_text,
            expanded_query=stmt.query_text,
            columns=columns,
            comment=stmt.comment,
            temporary=stmt.temporary,
        )
        self.session.register(view)
        if not stmt.temporary:
            self._change("create_view", view, stmt.span, if_not_exists=stmt.if_not_exists)

    def _drop(self, stmt: st.Drop) -> None:
        if stmt.object_kind == "DATABASE":
            self.session.databases.discard(stmt.name.parts[-1])
            self._change(
                "drop_database",
                stmt.name.parts[-1],
                stmt.span,
                if_exists=stmt.if_exists,
                cascade=stmt.cascade,
            )
            return
        ident = self.session.ident(stmt.name.parts)
        if stmt.object_kind == "FUNCTION":
            removed = self.session.functions.pop(ident, None)
            if (removed is None and not stmt.if_exists and not stmt.temporary) or (
                removed is not None and not removed.temporary
            ):
                self._change("drop_function", ident, stmt.span, if_exists=stmt.if_exists)
            return
        obj = self.session.lookup(ident)
        if obj is None:
            if stmt.if_exists:
                return
            raise CatalogError(f"{stmt.object_kind.lower()} {ident} does not exist", stmt.name.span)
        is_view = isinstance(obj, ViewDef)
        if is_view != (stmt.object_kind == "VIEW"):
            actual = "a view" if is_view else "a table"
            raise CatalogError(
                f"{ident} is {actual}; use DROP {'VIEW' if is_view else 'TABLE'}", stmt.name.span
            )
        self.session.drop(ident)
        if not obj.temporary:
            self._change("drop_table", ident, stmt.span, if_exists=stmt.if_exists)

    def _alter(self, stmt: st.AlterTableSet | st.AlterTableReset | st.AlterTableRename) -> None:
        ident = self.session.ident(stmt.name.parts)
        obj = self.session.lookup(ident)
        if not isinstance(obj, TableDef):
            raise CatalogError(f"table {ident} does not exist", stmt.name.span)
        if isinstance(stmt, st.AlterTableRename):
            new_ident = self.session.ident(stmt.new_name.parts)
            if self.session.lookup(new_ident) is not None:
                raise self._exists_error("table", new_ident, stmt.new_name.span)
            self.session.drop(ident)
            self.session.register(replace(obj, ident=new_ident))
            if not obj.temporary:
                self._change("rename_table", ident, stmt.span, new_ident=new_ident)
            return
        options = dict(obj.options)
        if isinstance(stmt, st.AlterTableSet):
            options.update(dict(stmt.options))
        else:
            for k in stmt.keys:
                options.pop(k, None)
        new = replace(obj, options=options)
        self.session.register(new)
        if not obj.temporary:
            self._change("alter_table", new, stmt.span)

    def _create_function(self, stmt: st.CreateFunction) -> None:
        ident = self.session.ident(stmt.name.parts)
        if ident in self.session.functions and not stmt.if_not_exists:
            raise self._exists_error("function", ident, stmt.name.span)
        fn = FunctionDef(ident, stmt.class_name, stmt.language.upper(), stmt.temporary)
        self.session.functions[ident] = fn
        if not stmt.temporary:
            self._change("create_function", fn, stmt.span, if_not_exists=stmt.if_not_exists)

    # -- INSERT -----------------------------------------------------------------------------
    def _insert(self, stmt: st.Insert, plan: n.Plan | None = None) -> n.Sink:
        """The Sink of an INSERT; `plan` is its query's, already bound by a CTAS."""
        ident = self.session.ident(stmt.target.parts)
        target = self.session.lookup(ident)
        if target is None:
            raise BindError(f"sink table '{stmt.target}' not found", stmt.target.span)
        if isinstance(target, ViewDef):
            raise PlanValidationError(f"cannot INSERT INTO view {ident}", stmt.target.span)
        if stmt.options:
            target = with_dynamic_options(
                self.session.options,
                target,
                stmt.options,
                stmt.target.span,
                dict(stmt.option_spans),
            )
        else:
            check_table_options(target.options, str(ident), stmt.target.span)
        sink_cols = [c for c in target.columns if c.is_persisted]
        what = f"INSERT INTO {ident}"  # how errors name the statement
        if plan is None:
            plan = self.query_binder().bind_query(stmt.query).plan
        else:
            what = f"CREATE TABLE {ident} AS"
        produced = list(plan.schema.fields)
        static = {k: v for k, v in stmt.partition}
        for k in static:
            if k not in target.partition_keys:
                raise BindError(f"'{k}' is not a partition column of {ident}", stmt.target.span)
        targets = (
            list(stmt.column_names)
            if stmt.column_names
            else [c.name for c in sink_cols if c.name not in static]
        )
        for name in targets:
            if target.column(name) is None:
                raise BindError(f"sink table {ident} has no column '{name}'", stmt.target.span)
        qspan = _span_of(stmt.query) or stmt.span
        if len(targets) != len(produced):
            raise TypeCheckError(
                f"{what}: the query produces {len(produced)} columns "
                f"[{', '.join(f.name for f in produced)}] but the sink expects {len(targets)} "
                f"[{', '.join(targets)}]",
                qspan,
            )
        const = ExprBinder(Scope(()))
        exprs: list[Expr] = []
        for c in sink_cols:
            ctype = c.type or t.string()
            if c.name in static:
                exprs.append(_coerce(const.bind(static[c.name]), ctype, c.name, what, qspan))
            elif c.name in targets:
                i = targets.index(c.name)
                f = produced[i]
                exprs.append(
                    _coerce(
                        ColumnRef(index=i, name=f.name, type=f.type), ctype, c.name, what, qspan
                    )
                )
            else:
                exprs.append(Literal(value=None, type=ctype.with_nullable(True)))
        fields = tuple(Field(c.name, c.type or t.string()) for c in sink_cols)
        project = n.Project(input=plan, exprs=tuple(exprs), names=tuple(c.name for c in sink_cols))
        pk = None
        if target.primary_key is not None:
            pk = tuple(i for i, c in enumerate(sink_cols) if c.name in target.primary_key.columns)
        return n.Sink(
            input=project,
            table=ident,
            fields=fields,
            options=tuple(sorted(target.options.items())),
            primary_key=pk,
            overwrite=stmt.overwrite,
            partition_keys=tuple(
                i for i, c in enumerate(sink_cols) if c.name in target.partition_keys
            ),
            span=stmt.target.span,
        )


def _coerce(e: Expr, target: t.SqlType, column: str, what: str, span: Span) -> Expr:
    if e.type.with_nullable(True) == target.with_nullable(True):
        return e
    if e.type.is_null or coercion.can_implicit_cast(e.type, target):
        return Cast(input=e, type=target.with_nullable(e.type.nullable), span=e.span)
    raise TypeCheckError(
        f"{what}: column '{column}' is {target.with_nullable(True)} but the query "
        f"produces {e.type.with_nullable(True)}",
        span,
        hint=f"CAST the value to {target.with_nullable(True)}",
    )


def _span_of(node: exp.Expression) -> Span | None:
    from ..parse.parse import span_of

    return span_of(node)
