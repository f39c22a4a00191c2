"""Prints sqlglot ASTs as Flink SQL: the generator of the Flink dialect."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from sqlglot import exp, generator

from .hints import hints_sql
from .nodes import TVF_ARGS, JsonQuery, WindowTVF
from .reserved import RESERVED_WORDS

__all__ = ["FlinkGenerator"]


class FlinkGenerator(generator.Generator):
    """Prints the AST back as Flink SQL."""

    TRANSFORMS: ClassVar[dict[type[exp.Expr], Callable[..., str]]] = {
        **generator.Generator.TRANSFORMS,
        WindowTVF: lambda self, e: self.windowtvf_sql(e),
        JsonQuery: lambda self, e: self.jsonquery_sql(e),
        exp.VarMap: lambda self, e: self.varmap_sql(e),
        exp.If: lambda self, e: self.func(
            "IF", e.this, e.args.get("true"), e.args.get("false") or exp.null()
        ),
        exp.Mod: lambda self, e: self.func("MOD", e.this, e.expression),
        exp.TimestampAdd: lambda self, e: self.func(
            "TIMESTAMPADD", e.args.get("unit"), e.expression, e.this
        ),
        exp.TimestampDiff: lambda self, e: self.func(
            "TIMESTAMPDIFF", e.args.get("unit"), e.this, e.expression
        ),
    }
    NULL_ORDERING_SUPPORTED: bool | None = True
    RESERVED_KEYWORDS: ClassVar[set[str]] = {w.lower() for w in RESERVED_WORDS}
    TABLESAMPLE_SIZE_IS_PERCENT = True

    def currenttimestamp_sql(self, expression: exp.CurrentTimestamp) -> str:
        return "CURRENT_TIMESTAMP"

    def currentdate_sql(self, expression: exp.CurrentDate) -> str:
        return "CURRENT_DATE"

    def currenttime_sql(self, expression: exp.CurrentTime) -> str:
        return "CURRENT_TIME"

    def localtime_sql(self, expression: exp.Localtime) -> str:
        return "LOCALTIME"

    def localtimestamp_sql(self, expression: exp.Localtimestamp) -> str:
        return "LOCALTIMESTAMP"

    def strposition_sql(self, expression: exp.StrPosition) -> str:
        sub = self.sql(expression, "substr")
        return f"POSITION({sub} IN {self.sql(expression, 'this')})"

    def table_parts(self, expression: exp.Table) -> str:
        # a table hint follows the name: `t /*+ OPTIONS(...) */ AS a` (parse/hints.py)
        options = expression.meta.get("options") if expression._meta else None
        return super().table_parts(expression) + hints_sql(options or ())

    def version_sql(self, expression: exp.Version) -> str:
        return f"FOR SYSTEM_TIME AS OF {self.sql(expression, 'expression')}"

    def cast_sql(self, expression: exp.Cast, safe_prefix: str | None = None) -> str:
        to = self.sql(expression, "to")
        if expression.meta.get("typed_literal"):
            return f"{to} {self.sql(expression, 'this')}"
        prefix = "TRY_" if isinstance(expression, exp.TryCast) else ""
        return f"{prefix}CAST({self.sql(expression, 'this')} AS {to})"

    def trycast_sql(self, expression: exp.TryCast) -> str:
        return self.cast_sql(expression)

    def array_sql(self, expression: exp.Array) -> str:
        return f"ARRAY[{self.expressions(expression, flat=True)}]"

    def varmap_sql(self, expression: exp.VarMap) -> str:
        keys = expression.args["keys"].expressions
        values = expression.args["values"].expressions
        pairs = ", ".join(
            f"{self.sql(k)}, {self.sql(v)}" for k, v in zip(keys, values, strict=True)
        )
        return f"MAP[{pairs}]"

    def jsonkeyvalue_sql(self, expression: exp.JSONKeyValue) -> str:
        return f"KEY {self.sql(expression, 'this')} VALUE {self.sql(expression, 'expression')}"

    def jsonquery_sql(self, expression: JsonQuery) -> str:
        clauses = [self.sql(expression, "path")]
        returning = self.sql(expression, "returning")
        if returning:
            clauses.append(f"RETURNING {returning}")
        wrapper = expression.args.get("wrapper")
        if wrapper:
            clauses.append(
                "WITHOUT ARRAY WRAPPER" if wrapper == "WITHOUT" else f"WITH {wrapper} ARRAY WRAPPER"
            )
        on = self.sql(expression, "on_condition")
        if on:
            clauses.append(on)
        return self.func("JSON_QUERY", expression.this, " ".join(clauses))

    def windowtvf_sql(self, expression: WindowTVF) -> str:
        kind = expression.kind
        data = f"TABLE {self.sql(expression, 'this')}"
        partition = expression.args.get("partition_by")
        if partition:
            keys = ", ".join(self.sql(p) for p in partition)
            data += f" PARTITION BY {keys}" if len(partition) == 1 else f" PARTITION BY ({keys})"
        args = [data, f"DESCRIPTOR({self.sql(expression, 'descriptor')})"]
        required, optional = TVF_ARGS[kind]
        args.extend(self.sql(expression, k) for k in required + optional if expression.args.get(k))
        alias = self.sql(expression, "alias")
        alias = f" AS {alias}" if alias else ""
        return f"TABLE({kind}({', '.join(args)})){alias}"
