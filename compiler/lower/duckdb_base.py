"""Shared pieces of the batch lowering: unique column names, identifier builders, the `Rel`
(one CTE and its column names) and the lowerer's plumbing (memo, CTE list, sources)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from nrtg.compiler.errors import UnsupportedError
from nrtg.compiler.plan import nodes as n
from nrtg.compiler.plan.expr import ColumnRef, Expr, FieldAccess

from .duckdb_context import ColRefs, LowerContext, Ref
from .duckdb_expr import FIELD_OF, Cols, lower_expr
from .duckdb_generate import Writer
from .duckdb_share import StructureKeys, worth_materializing


def unique_names(names: tuple[str, ...]) -> tuple[str, ...]:
    if len({name.lower() for name in names}) == len(names):
        return names
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        candidate, k = name, 1
        while candidate.lower() in seen:
            k += 1
            candidate = f"{name}_{k}"
        seen.add(candidate.lower())
        out.append(candidate)
    return tuple(out)


def ident(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=True)


def alias(e: exp.Expression, name: str) -> exp.Expression:
    """`e AS "name"`; an unqualified column that already has the name stays bare."""
    if type(e) is Ref and e.args.get("alias") is None:
        if e.args.get("table") is None and e.args["this"] == name:
            return e
        e.args["alias"] = name  # a Ref is built per use (ColRefs, col): never shared
        return e
    return exp.Alias(this=e, alias=ident(name))


def ordered(e: exp.Expression, key: n.SortKey) -> exp.Ordered:
    # Flink's default: ASC -> NULLS FIRST, DESC -> NULLS LAST (DuckDB's differs); always explicit.
    return exp.Ordered(this=e, desc=key.descending, nulls_first=key.effective_nulls_first)


@dataclass(frozen=True)
class Source:
    """A table scan the runtime must register as a relation before running the query."""

    relation: str
    scan: n.TableScan
    # True: the relation lists the changelog's rows with a "$op" column (I, UB, UA, D) in
    # source order; False: the table's contents (a changelog folded to its final rows).
    changes: bool = False


@dataclass(frozen=True)
class Rel:
    cte: str
    names: tuple[str, ...]

    def cols(self, table: str | None = None) -> ColRefs:
        return ColRefs.of(self.names, table)

    @property
    def table(self) -> exp.Table:
        return exp.Table(this=exp.Identifier(this=self.cte, quoted=False))


def aliased(cte: str, name: str) -> exp.Table:
    return exp.Table(
        this=exp.to_identifier(cte), alias=exp.TableAlias(this=exp.to_identifier(name))
    )


class LowererBase:
    """Lowers a plan into CTEs; `lower(plan)` returns the root's Rel. Node kinds are methods
    named `_<NodeClass>` on the subclasses."""

    def __init__(self, ctx: LowerContext, pretty: bool = True) -> None:
        self.ctx = ctx
        self.w = Writer(pretty)
        self.ctes: list[tuple[str, str]] = []  # name, body text
        self._reads: dict[str, tuple[str, ...]] = {}  # name -> the CTEs its body reads
        self.sources: list[Source] = []
        # id -> (node, rel): the node is kept so that its id cannot be reused by a temporary.
        self._memo: dict[int, tuple[n.Plan, Rel]] = {}
        self._relations: dict[
            tuple[str, tuple[str, ...], bool, tuple[tuple[str, str], ...]], str
        ] = {}
        self._names: dict[int, tuple[n.Plan, tuple[str, ...]]] = {}  # as _memo
        # Structurally equal subplans share one CTE (duckdb_share.py); the CTEs worth computing
        # once are emitted MATERIALIZED, shared reads NOT MATERIALIZED (DuckDB would otherwise
        # materialize every column of the scan instead of pushing projections into the reader).
        self._keys = StructureKeys()
        self._shared: dict[int, Rel] = {}
        self.materialized: set[str] = set()
        self.inlined: set[str] = set()

    # -- plumbing -----------------------------------------------------------------------------
    def lower(self, plan: n.Plan) -> Rel:
        found = self._memo.get(id(plan))
        if found is not None and found[0] is plan:
            self._reused(plan, found[1])
            return found[1]
        key = self._keys.key(plan)
        shared = self._shared.get(key)
        if shared is not None:
            self._reused(plan, shared)
            self._memo[id(plan)] = (plan, shared)
            return shared
        method = getattr(self, "_" + type(plan).__name__, None)
        if method is None:
            raise UnsupportedError(f"{type(plan).__name__} is not supported by the batch target")
        rel: Rel = method(plan)
        self._memo[id(plan)] = (plan, rel)
        self._shared[key] = rel
        return rel

    def _reused(self, plan: n.Plan, rel: Rel) -> None:
        if worth_materializing(plan):
            self.materialized.add(rel.cte)
        else:
            self.inlined.add(rel.cte)

    def inlined_closure(self) -> set[str]:
        """The shared reads and every CTE they read from (all reads, too): inlining one makes
        its inputs referenced twice, which DuckDB would otherwise materialize."""
        out: set[str] = set()
        pending = list(self.inlined)
        while pending:
            name = pending.pop()
            if name in out or name in self.materialized:
                continue
            out.add(name)
            pending.extend(self._reads[name])
        return out

    def emit(self, body: str | exp.Select, names: tuple[str, ...], *inputs: Rel) -> Rel:
        """A new CTE `body` (text, or a tree written now) that reads the CTEs of `inputs`."""
        name = f"q{len(self.ctes)}"
        self.ctes.append((name, body if isinstance(body, str) else self.w.sql(body)))
        self._reads[name] = tuple(r.cte for r in inputs)
        return Rel(name, names)

    def item(self, e: Expr, cols: ColRefs, name: str) -> str:
        """`e AS "name"` as select-list text over the input `cols` (a column that already has
        the name stays bare), without building a tree for a column or a field of one."""
        if type(e) is ColumnRef and e.index < len(cols):
            column, table = cols.refs[e.index]
            return self.w.column_as(column, table, name)
        text = self._field_text(e, cols)
        if text is None:
            return self.w.alias(lower_expr(e, cols, self.ctx), name)
        return self.w.named(text, name)

    def _field_text(self, e: Expr, cols: ColRefs) -> str | None:
        """The text `lower_expr` gives a column or a ROW field of one (fields of fields too):
        most of a view's projection over a one-table layout (Nexmark's `bid.price`) is such
        fields. None for anything else."""
        if type(e) is ColumnRef:
            if e.index >= len(cols):
                return None
            column, table = cols.refs[e.index]
            return self.w.column(column, table)
        if type(e) is not FieldAccess:
            return None
        row = self._field_text(e.input, cols)
        return None if row is None else self.w.func(FIELD_OF, row, self.w.string(e.field_name))

    def expr(self, e: Expr, cols: Cols) -> exp.Expression:
        return lower_expr(e, cols, self.ctx)

    def names_of(self, plan: n.Plan) -> tuple[str, ...]:
        found = self._names.get(id(plan))
        if found is not None and found[0] is plan:
            return found[1]
        names = unique_names(plan.schema.names)
        self._names[id(plan)] = (plan, names)
        return names

    def source_relation(
        self, scan: n.TableScan, names: tuple[str, ...], changes: bool = False
    ) -> str:
        """The relation name the runtime registers for `scan` (one per table, column list and
        options: an OPTIONS hint may make two scans of one table read different data)."""
        key = (str(scan.table), names, changes, scan.options)
        relation = self._relations.get(key)
        if relation is None:
            relation = f"src:{scan.table}" + ("$changes" if changes else "")
            if relation in self._relations.values():
                relation = f"{relation}#{len(self._relations) + 1}"
            self._relations[key] = relation
            self.sources.append(Source(relation, scan, changes))
        return relation
