"""SQL text for the batch lowering's sqlglot trees: sqlglot's DuckDB generator with fast paths.

sqlglot renders bottom-up (every handler asks `sql(child)` for its children's text and only
indents or joins it), so answering `sql(node)` for the node kinds the lowering emits most --
columns, identifiers, aliases, literals, stars, plain tables and function calls -- with the text
sqlglot's own handler would give keeps the output identical while skipping its generic
dispatch, comment and escaping machinery. A node with anything else set (comments, line breaks
in a name or string, extra arguments) goes to sqlglot's handler.

The lowering's CTEs are mostly plain SELECTs of renamed columns: `Writer` writes those as text
as each node is lowered (no Select, Column or Alias nodes built and walked again), and the
expressions in them through the generator.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.generator import Generator as SqlglotGenerator

from .duckdb_context import IgnoreNulls, Ref

_DUCKDB = Dialect.get_or_raise("duckdb")
_Base: Any = _DUCKDB.generator_class
# Unquoted identifiers (CTE names and table aliases: a small fixed vocabulary) -> their text.
_UNQUOTED: dict[str, str] = {}


def _column(g: Generator, e: exp.Expression) -> str | None:
    args = e.args
    this = args.get("this")
    if len(args) > 2 or type(this) is not exp.Identifier:
        return None
    name = _identifier(g, this)
    table = args.get("table")
    if table is None or name is None:
        return name
    qualifier = _identifier(g, table) if type(table) is exp.Identifier else None
    return None if qualifier is None else f"{qualifier}.{name}"


def _identifier(g: Generator, e: exp.Expression) -> str | None:
    text = e.args.get("this")
    if not isinstance(text, str) or "\n" in text or e.comments:
        return None
    if e.args.get("quoted"):
        return _quoted(g, text)
    return _unquoted(g, text)


def _ref(g: Generator, e: exp.Expression) -> str:
    args = e.args
    text = _quoted(g, args["this"])
    table = args.get("table")
    if table is not None:
        text = f"{_unquoted(g, table)}.{text}"
    alias = args.get("alias")
    return text if alias is None else f"{text} AS {_quoted(g, alias)}"


def _ignore_nulls(g: Generator, e: exp.Expression) -> str:
    return f"{g.sql(e.args['this'])} IGNORE NULLS"


def _quoted(g: Generator, name: str) -> str:
    """A quoted identifier as `identifier_sql` writes it (line breaks kept out of indenting)."""
    return '"' + g._replace_line_breaks(name.replace('"', '""')) + '"'


def _unquoted(g: Generator, name: str) -> str:
    known = _UNQUOTED.get(name)
    if known is None:
        known = _UNQUOTED[name] = _Base.sql(g, exp.Identifier(this=name, quoted=False))
    return known


def _alias(g: Generator, e: exp.Expression) -> str | None:
    args = e.args
    alias = args.get("alias")
    if len(args) > 2 or type(alias) is not exp.Identifier:
        return None
    name = _identifier(g, alias)
    return None if name is None else f"{g.sql(args['this'])} AS {name}"


def _literal(g: Generator, e: exp.Expression) -> str | None:
    args = e.args
    text = args.get("this")
    if not isinstance(text, str):
        return None
    if not args.get("is_string"):
        return text
    return _string(text)


def _string(text: str) -> str | None:
    """A string literal's text, None when it has a line break (`literal_sql` keeps those out
    of indenting)."""
    return None if "\n" in text else "'" + text.replace("'", "''") + "'"


def _star(g: Generator, e: exp.Expression) -> str | None:
    return "*" if not any(e.args.values()) else None


def _table(g: Generator, e: exp.Expression) -> str | None:
    args = e.args
    for key, value in args.items():
        if value and key != "this" and key != "alias":
            return None
    name = g.sql(args["this"])
    alias = args.get("alias")
    return f"{name} AS {g.sql(alias)}" if alias else name


def _table_alias(g: Generator, e: exp.Expression) -> str | None:
    args = e.args
    this = args.get("this")
    if this is None or args.get("columns"):
        return None
    return g.sql(this)


def _anonymous(g: Generator, e: exp.Expression) -> str | None:
    name = e.args.get("this")
    if not isinstance(name, str) or isinstance(e.parent, exp.Dot):
        return None
    args = [g.sql(x) for x in e.args.get("expressions") or ()]
    if g.pretty and sum(map(len, args)) > g.max_text_width:
        return g.func(name, *args)  # arguments one per line (`format_args`)
    return f"{g.normalize_func(name)}({', '.join(args)})"


def _binary(op: str) -> Callable[[Generator, exp.Expression], str | None]:
    """`this op expression` (`Generator.binary`, which flattens nested operators of one kind
    into the same text)."""

    def render(g: Generator, e: exp.Expression) -> str | None:
        args = e.args
        if len(args) != 2:
            return None
        return f"{g.sql(args['this'])} {op} {g.sql(args['expression'])}"

    return render


def _paren(g: Generator, e: exp.Expression) -> str | None:
    if len(e.args) != 1:
        return None
    inner = g.sql(e.args["this"])
    if not g.pretty:
        return f"({inner})"
    return "(\n  " + inner.replace("\n", "\n  ") + "\n)" if inner else "(\n\n)"


# A bare type's arguments (type name, flags) -> its text, which depends on nothing else.
_TYPES: dict[tuple[tuple[str, Any], ...], str] = {}


def _data_type(g: Generator, e: exp.Expression) -> str | None:
    """A bare type (no parameters, elements or fields), as `datatype_sql` wrote it the first
    time (it parses type names on every call to compare them)."""
    args = e.args
    for value in args.values():
        if isinstance(value, exp.Expression | list):
            return None
    if args.get("this") in g.UNSUPPORTED_TYPES:  # its warning is issued per use
        return None
    key = tuple(args.items())
    text = _TYPES.get(key)
    if text is None:
        text = _TYPES[key] = _Base.sql(g, e)
    return text


_CONNECTORS = (exp.And, exp.Or)


def _connector(g: Generator, e: exp.Expression) -> str | None:
    """AND / OR as `connector_sql` writes them: nested connectors flattened into one list of
    operands, each operator before its right operand, one per line when too wide."""
    stack: list[exp.Expression | str] = [e]
    sqls: list[str] = []
    ops = set()
    while stack:
        node = stack.pop()
        if isinstance(node, exp.Connector):
            if type(node) not in _CONNECTORS or node.comments or len(node.args) != 2:
                return None
            op = "AND" if type(node) is exp.And else "OR"
            ops.add(op)
            stack.append(node.args["expression"])
            stack.append(op)
            stack.append(node.args["this"])
        else:
            sql = g.sql(node)
            if sqls and sqls[-1] in ops:
                sqls[-1] += f" {sql}"
            else:
                sqls.append(sql)
    sep = "\n" if g.pretty and sum(map(len, sqls)) > g.max_text_width else " "
    return sep.join(sqls)


def _not(g: Generator, e: exp.Expression) -> str | None:
    return f"NOT {g.sql(e.args['this'])}" if len(e.args) == 1 else None


# What the lowering's SELECTs use; rendered in sqlglot's order (query_modifiers).
_SELECT_KEYS = frozenset({"expressions", "from_", "joins", "where", "group", "order", "limit"})
_SELECT_KEYS_ALL = _SELECT_KEYS | {"offset", "with_"}


def _select(g: Generator, e: exp.Expression) -> str | None:
    args = e.args
    for key, value in args.items():
        if value and key not in _SELECT_KEYS_ALL:
            return None
    limit = args.get("limit")
    if limit is not None and type(limit) is not exp.Limit:
        return None
    items = args.get("expressions")
    parts = ["SELECT" + g.sep() + _items(g, items) if items else "SELECT"]
    parts.append(g.sql(args.get("from_")))
    for join in args.get("joins") or ():
        parts.append(g.sql(join))
    parts.append(g.sql(args.get("where")))
    parts.append(g.sql(args.get("group")))
    parts.append(g.sql(args.get("order")))
    parts.append(g.sql(limit))
    parts.append(g.sql(args.get("offset")))
    sql = "".join(parts)
    with_ = args.get("with_")
    return f"{g.sql(with_)}{g.sep()}{sql}" if with_ else sql


def _items(g: Generator, items: list[exp.Expression]) -> str:
    """A select list as `Generator.expressions` lays it out (one item per line when pretty)."""
    sqls = [g.sql(x) for x in items]
    if not g.pretty:
        return ", ".join(sqls)
    text = ",\n".join(s.rstrip() for s in sqls)
    return "\n".join("  " + line for line in text.split("\n"))


def _only(e: exp.Expression, *keys: str) -> bool:
    """Whether `e` has no argument set but `keys`."""
    return all(not value or key in keys for key, value in e.args.items())


def _from(g: Generator, e: exp.Expression) -> str | None:
    return f"{g.seg('FROM')} {g.sql(e.args['this'])}" if _only(e, "this") else None


def _where(g: Generator, e: exp.Expression) -> str | None:
    if not _only(e, "this"):
        return None
    return f"{g.seg('WHERE')}{g.sep()}{g.indent(g.sql(e.args['this']))}"


_FAST: dict[type, Callable[[Generator, exp.Expression], str | None]] = {
    exp.From: _from,
    exp.Where: _where,
    Ref: _ref,
    IgnoreNulls: _ignore_nulls,
    exp.Select: _select,
    exp.Column: _column,
    exp.Identifier: _identifier,
    exp.Alias: _alias,
    exp.Literal: _literal,
    exp.Star: _star,
    exp.Table: _table,
    exp.TableAlias: _table_alias,
    exp.Anonymous: _anonymous,
    exp.Paren: _paren,
    exp.And: _connector,
    exp.Or: _connector,
    exp.DataType: _data_type,
    exp.Not: _not,
}
_OPERATORS: dict[type[exp.Expression], str] = {
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.Add: "+",
    exp.Sub: "-",
    exp.Mul: "*",
}


def _base_handler(cls: type[exp.Expression]) -> bool:
    """Whether DuckDB writes `cls` with sqlglot's base handler (what the fast paths copy): a
    sqlglot release that changes an operator's handler only loses its fast path."""
    method = f"{cls.key}_sql"
    return cls not in _Base.TRANSFORMS and getattr(_Base, method) is getattr(
        SqlglotGenerator, method
    )


_FAST.update({cls: _binary(op) for cls, op in _OPERATORS.items() if _base_handler(cls)})


class Generator(_Base):  # type: ignore[misc]
    def __init__(self, pretty: bool) -> None:
        super().__init__(dialect=_DUCKDB, pretty=pretty)

    def preprocess(self, expression: exp.Expression) -> exp.Expression:
        # sqlglot's would hoist nested WITHs (the lowering emits one, at the top) and, were
        # ENSURE_BOOLS set for DuckDB (it is not), wrap non-boolean conditions: both need a
        # walk of the whole tree for nothing.
        return expression

    def sql(
        self, expression: str | exp.Expression | None, key: str | None = None, comment: bool = True
    ) -> str:
        if key is not None:
            if expression is None or isinstance(expression, str):
                return super().sql(expression, key, comment)
            value = expression.args.get(key)
            return self.sql(value) if value else ""
        if expression is None or isinstance(expression, str):
            return expression or ""
        fast = _FAST.get(type(expression))
        if fast is not None and not expression.comments:
            text = fast(self, expression)
            if text is not None:
                return text
        return super().sql(expression, None, comment)


class Writer:
    """The SQL text of one lowering. Each CTE body is written when its node is lowered: select
    lists and clauses as text, laid out as `Generator` lays out the same Select (one item per
    line, clauses on their own lines when pretty), expressions through the generator; `query`
    joins the bodies into the WITH list."""

    def __init__(self, pretty: bool) -> None:
        self.pretty = pretty
        self.g = Generator(pretty)
        self.g.unsupported_messages = []

    def sql(self, e: exp.Expression) -> str:
        return self.g.sql(e)

    def quoted(self, name: str) -> str:
        """`"name"`, as the generator writes a quoted identifier."""
        if '"' in name or "\n" in name:
            return _quoted(self.g, name)
        return '"' + name + '"'

    def column(self, name: str, table: str | None = None) -> str:
        """`"name"` or `table."name"`."""
        text = self.quoted(name)
        return text if table is None else f"{_unquoted(self.g, table)}.{text}"

    def named(self, text: str, name: str) -> str:
        """`text AS "name"`."""
        return f"{text} AS {self.quoted(name)}"

    def column_as(self, column: str, table: str | None, name: str) -> str:
        """A column renamed to `name`; an unqualified column that already has the name stays
        bare."""
        if table is None and column == name:
            return self.quoted(name)
        return f"{self.column(column, table)} AS {self.quoted(name)}"

    def alias(self, e: exp.Expression, name: str) -> str:
        """`e AS "name"` (a column reference as `column_as`)."""
        if type(e) is Ref and e.args.get("alias") is None:
            args = e.args
            return self.column_as(args["this"], args.get("table"), name)
        return f"{self.g.sql(e)} AS {self.quoted(name)}"

    def string(self, value: str) -> str:
        """A string literal."""
        text = _string(value)
        return self.g.sql(exp.Literal.string(value)) if text is None else text

    def func(self, name: str, *args: str) -> str:
        """`NAME(args)` (`Generator.func`: one argument per line when they are too wide)."""
        return self.g.func(name, *args)

    def join(self, side: str | None, source: str, on: str) -> str:
        """`[side] JOIN source ON on` (`join_sql`, the condition indented under the join)."""
        op = f"{side} JOIN" if side else "JOIN"
        if self.pretty:
            return f"\n{op} {source}\n  ON " + on.replace("\n", "\n  ")
        return f" {op} {source} ON {on}"

    def ordered(self, text: str, descending: bool, nulls_first: bool) -> str:
        """A sort key with an explicit direction and NULL placement (`ordered_sql`)."""
        return text + _ORDER_SUFFIX[descending, nulls_first]

    def window(self, call: str, partition: Sequence[str], order: Sequence[str]) -> str:
        """`call OVER (PARTITION BY ... ORDER BY ...)` (`window_sql`, no frame)."""
        parts = []
        if partition:
            parts.append("PARTITION BY " + ", ".join(partition))
        if order:
            parts.append("ORDER BY " + ", ".join(order))
        return f"{call} OVER ({self.g.format_args(*parts, sep=' ')})"

    def star_except(self, names: Sequence[str]) -> str:
        """`* EXCLUDE ("a", ...)` (`star_sql`)."""
        g = self.g
        return f"*{g.seg(g.STAR_EXCEPT)} ({', '.join(self.quoted(x) for x in names)})"

    def subquery(self, body: str, alias: str) -> str:
        """`(body) AS alias` (`subquery_sql`, which indents the body one level)."""
        if self.pretty:
            return "(\n  " + body.replace("\n", "\n  ") + f"\n) AS {_unquoted(self.g, alias)}"
        return f"({body}) AS {_unquoted(self.g, alias)}"

    def select(
        self,
        items: Sequence[str],
        source: str,
        where: str | None = None,
        group: Sequence[str] = (),
        joins: str = "",
        tail: str = "",
    ) -> str:
        """`SELECT items FROM source joins [WHERE where] [GROUP BY group] tail` from the texts
        of its parts (`joins` and `tail`, an ORDER BY, as the generator writes them): what
        `_select` writes for the same tree."""
        if not self.pretty:
            text = f"SELECT {', '.join(items)} FROM {source}{joins}"
            if where is not None:
                text += f" WHERE {where}"
            if group:
                text += f" GROUP BY {', '.join(group)}"
            return text + tail
        text = f"SELECT\n{_block(items)}\nFROM {source}{joins}"
        if where is not None:
            text += "\nWHERE\n  " + where.replace("\n", "\n  ")
        if group:
            text += f"\nGROUP BY\n{_block(group)}"
        return text + tail

    def query(self, ctes: Sequence[tuple[str, str, bool | None]], final: str) -> str:
        """The DuckDB SQL text of `WITH name AS [[NOT] MATERIALIZED] (body), ... final`, as
        `Dialect.generate(tree, copy=False)` gives it for a Select with a With of CTEs (cte_sql,
        wrap, with_sql and prepend_ctes, written out here so that those nodes need not be
        built)."""
        g = self.g
        parts = []
        for name, body, materialized in ctes:
            text = "(\n  " + body.replace("\n", "\n  ") + "\n)" if self.pretty else f"({body})"
            mode = _MATERIALIZED[materialized]
            parts.append(f"{_unquoted(g, name)} AS {mode}{text}")
        sql = final
        if parts:
            sql = "WITH " + ", ".join(parts) + g.sep() + sql
        sql = sql.strip()
        if self.pretty:
            sql = sql.replace(g.SENTINEL_LINE_BREAK, "\n")
        for message in g.unsupported_messages:  # as sqlglot's default (WARN) level does
            logging.getLogger("sqlglot").warning(message)
        return sql


def _block(texts: Sequence[str]) -> str:
    """Items one per line, indented (`Generator.expressions` when pretty)."""
    return "  " + ",\n".join([s.rstrip() for s in texts]).replace("\n", "\n  ")


_MATERIALIZED = {True: "MATERIALIZED ", False: "NOT MATERIALIZED ", None: ""}


def _order_suffixes() -> dict[tuple[bool, bool], str]:
    """What DuckDB's `ordered_sql` appends to a sort key per (descending, nulls_first): the
    dialect's NULL ordering decides which NULLS clauses are spelled out. DuckDB supports NULLS
    FIRST/LAST everywhere, so the suffix does not depend on where the key stands."""
    g = _Base(dialect=_DUCKDB)
    key = exp.Var(this="k")
    return {
        (desc, first): g.sql(exp.Ordered(this=key.copy(), desc=desc, nulls_first=first))[1:]
        for desc in (False, True)
        for first in (False, True)
    }


_ORDER_SUFFIX = _order_suffixes()
