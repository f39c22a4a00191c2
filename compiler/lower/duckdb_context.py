"""Per-run lowering state and the small sqlglot builders shared by the batch lowering."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar, overload

from sqlglot import exp

from nrtg.catalog.types import SqlType
from nrtg.compiler.errors import InternalError, UnsupportedError

from .duckdb_macros import MACRO_DEPENDENCIES, MACROS
from .duckdb_types import duck_data_type


@dataclass(frozen=True)
class PythonUdf:
    """A `CREATE FUNCTION ... LANGUAGE PYTHON` the runtime registers as a DuckDB function."""

    sql_name: str  # the name in the lowered SQL
    class_name: str  # 'module.attr' of the Python callable
    arg_types: tuple[SqlType, ...]
    result_type: SqlType


class LowerContext:
    """State of one lowering run: the macros and UDFs the query uses.
    `udfs` maps a UDF's canonical (upper-case) name to its 'module.attr'."""

    def __init__(self, udfs: Mapping[str, str] | None = None) -> None:
        self.macros: set[str] = set()
        self.udfs: Mapping[str, str] = udfs or {}
        self.used_udfs: dict[str, PythonUdf] = {}

    def udf(
        self, name: str, args: list[exp.Expression], arg_types: tuple[SqlType, ...], result: SqlType
    ) -> exp.Expression | None:
        class_name = self.udfs.get(name)
        if class_name is None:
            return None
        sql_name = f"nrtg_udf_{name.lower()}"
        known = self.used_udfs.get(sql_name)
        if known is not None and known.arg_types != arg_types:
            raise UnsupportedError(
                f"Python function {name} is called with different argument types; the batch "
                "target registers one signature per function"
            )
        self.used_udfs[sql_name] = PythonUdf(sql_name, class_name, arg_types, result)
        return exp.Anonymous(this=sql_name, expressions=args)

    def macro(self, name: str, *args: exp.Expression) -> exp.Expression:
        return exp.Anonymous(this=self.use_macro(name), expressions=list(args))

    def use_macro(self, name: str) -> str:
        """Note that the query calls macro `name` (and what it calls); returns the name."""
        if name not in MACROS:
            raise InternalError(f"unknown batch macro {name}")
        self.macros.update(MACRO_DEPENDENCIES.get(name, ()))
        self.macros.add(name)
        return name


def select_from(
    items: list[exp.Expression],
    source: exp.Expression,
    where: exp.Expression | None = None,
) -> exp.Select:
    """`SELECT items FROM source [WHERE where]`, built directly (the same tree as sqlglot's
    builders, which check and wrap every argument)."""
    select = exp.Select(expressions=items, from_=exp.From(this=source))
    if where is not None:
        select.set("where", exp.Where(this=where))
    return select


def paren(e: exp.Expression) -> exp.Expression:
    """Parenthesize operators used as operands (sqlglot's builders do not add precedence)."""
    if isinstance(e, exp.Binary | exp.Not | exp.Neg | exp.Is | exp.In | exp.Between):
        return exp.Paren(this=e)
    return e


def fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def cast(e: exp.Expression, typ: SqlType, safe: bool = False) -> exp.Expression:
    cls = exp.TryCast if safe else exp.Cast
    return cls(this=e, to=duck_data_type(typ))


def interval_ms(ms: int) -> exp.Expression:
    return exp.Interval(this=exp.Literal.string(str(ms)), unit=exp.Var(this="MILLISECOND"))


class Ref(exp.Expression):
    """A column reference `[table.]"name" [AS "alias"]` as one leaf node, rendered directly by
    duckdb_generate: a Column is two or three sqlglot nodes and its alias two more, and column
    references and renames are most of what the lowering emits."""

    arg_types: ClassVar[dict[str, bool]] = {"this": True, "table": False, "alias": False}
    is_primitive = True  # every argument is a str: no parent links to set


class IgnoreNulls(exp.Expression):
    """`x IGNORE NULLS` as a window function's argument (DuckDB's `last(x IGNORE NULLS) OVER`),
    which sqlglot's own generator drops; duckdb_generate renders it."""

    arg_types: ClassVar[dict[str, bool]] = {"this": True}


class ColRefs:
    """The columns of a lowering input by ordinal (`"name"` or `t."name"`): each access builds
    a new node, so a reference can be placed in a tree without copying, and columns that are
    never referenced are never built."""

    __slots__ = ("refs",)

    def __init__(self, refs: tuple[tuple[str, str | None], ...]) -> None:
        self.refs = refs

    @classmethod
    def of(cls, names: tuple[str, ...], table: str | None = None) -> ColRefs:
        return cls(tuple((c, table) for c in names))

    def __len__(self) -> int:
        return len(self.refs)

    @overload
    def __getitem__(self, i: int) -> Ref: ...
    @overload
    def __getitem__(self, i: slice) -> ColRefs: ...
    def __getitem__(self, i: int | slice) -> Ref | ColRefs:
        if isinstance(i, slice):
            return ColRefs(self.refs[i])
        name, table = self.refs[i]
        return col(name, table)

    def __iter__(self) -> Iterator[Ref]:
        return (col(name, table) for name, table in self.refs)

    def __add__(self, other: ColRefs) -> ColRefs:
        return ColRefs(self.refs + other.refs)


def col(name: str, table: str | None = None) -> Ref:
    """`"name"` or `table."name"`."""
    return Ref(this=name, table=table)
