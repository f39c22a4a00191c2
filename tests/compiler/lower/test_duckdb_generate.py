"""The batch lowering's generator (duckdb_generate) writes what sqlglot's DuckDB generator
writes for the same tree: its fast paths and the SELECTs it writes as text must not change the
SQL text."""

from __future__ import annotations

import pytest
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from nrtg.compiler.lower.duckdb_context import Ref, col, select_from
from nrtg.compiler.lower.duckdb_generate import _OPERATORS, Writer

DUCKDB = Dialect.get_or_raise("duckdb")


def _column(name: str, table: str | None = None) -> exp.Column:
    return exp.Column(
        this=exp.Identifier(this=name, quoted=True),
        table=exp.Identifier(this=table, quoted=False) if table else None,
    )


def _alias(e: exp.Expression, name: str) -> exp.Alias:
    return exp.Alias(this=e, alias=exp.Identifier(this=name, quoted=True))


def _table(name: str, alias: str | None = None) -> exp.Table:
    return exp.Table(
        this=exp.Identifier(this=name, quoted=False),
        alias=exp.TableAlias(this=exp.Identifier(this=alias, quoted=False)) if alias else None,
    )


def _trees() -> list[exp.Select]:
    wide = exp.Anonymous(
        this="some_function", expressions=[_column(f"argument_number_{i}") for i in range(6)]
    )
    odd_names = [_column('say "hi"'), _column("two\nlines"), _column("select"), _column("Ünï")]
    strings = [exp.Literal.string(s) for s in ("it's", "a\nb", "back\\slash", "")]
    select = select_from(
        [
            exp.Star(),
            _alias(_column("a", "l"), "b"),
            _alias(wide, "w"),
            *odd_names,
            *strings,
            exp.Literal.number(42),
            _alias(exp.Add(this=_column("x"), expression=exp.Literal.number(1)), "x1"),
            *[op(this=_column("x"), expression=exp.Literal.number(2)) for op in _OPERATORS],
            exp.Sub(
                this=exp.Sub(this=_column("x"), expression=_column("y")),
                expression=exp.Paren(this=exp.Sub(this=_column("y"), expression=_column("x"))),
            ),
            exp.Not(this=exp.Paren(this=exp.And(this=odd_names[1].copy(), expression=wide.copy()))),
            exp.Paren(this=exp.Paren(this=exp.Literal.string("x"))),
        ],
        _table("q3", "l"),
        where=exp.EQ(this=_column("k", "l"), expression=exp.Literal.string("v")),
    )
    select.set("group", exp.Group(expressions=[_column("a", "l"), _column("two\nlines")]))
    select.set(
        "joins",
        [
            exp.Join(
                this=_table("q4", "r"),
                on=exp.EQ(this=_column("k", "l"), expression=_column("k", "r")),
            )
        ],
    )
    ordered = select_from([exp.Star(exclude=[_column("$rn")])], _table("q1")).order_by(
        exp.Ordered(this=_column("t"), desc=True, nulls_first=False), copy=False
    )
    limited = ordered.copy().limit(10, copy=False).offset(5, copy=False)
    return [select, ordered, limited]


@pytest.mark.parametrize("pretty", [True, False])
def test_same_text_as_sqlglot(pretty: bool) -> None:
    for tree in _trees():
        expected = DUCKDB.generate(tree.copy(), pretty=pretty)
        w = Writer(pretty)
        assert w.query([], w.sql(tree)) == expected


@pytest.mark.parametrize("pretty", [True, False])
def test_with_list_as_sqlglot_writes_it(pretty: bool) -> None:
    bodies = _trees()
    modes: list[bool | None] = [True, False, None]
    ctes = [(f"q{i}", body, mode) for i, (body, mode) in enumerate(zip(bodies, modes, strict=True))]
    query = select_from([exp.Star()], _table("q2"))
    tree = query.copy()
    tree.set(
        "with_",
        exp.With(
            expressions=[
                exp.CTE(
                    this=body.copy(),
                    alias=exp.TableAlias(this=exp.Identifier(this=name, quoted=False)),
                    materialized=mode,
                )
                for name, body, mode in ctes
            ]
        ),
    )
    w = Writer(pretty)
    texts = [(name, w.sql(body), mode) for name, body, mode in ctes]
    assert w.query(texts, w.sql(query)) == DUCKDB.generate(tree, pretty=pretty)


@pytest.mark.parametrize("pretty", [True, False])
def test_ref_is_written_as_the_column_and_alias_it_stands_for(pretty: bool) -> None:
    names = ["a", 'say "hi"', "two\nlines", "select"]
    refs: list[exp.Expression] = []
    columns: list[exp.Expression] = []
    for name in names:
        refs.append(col(name))
        columns.append(_column(name))
        refs.append(Ref(this=name, table="l", alias=name + "_2"))
        columns.append(_alias(_column(name, "l"), name + "_2"))
    w = Writer(pretty)
    ours = w.query([], w.sql(select_from(refs, _table("q0"))))
    assert ours == DUCKDB.generate(select_from(columns, _table("q0")), pretty=pretty)


@pytest.mark.parametrize("pretty", [True, False])
def test_select_text_as_sqlglot_writes_the_tree(pretty: bool) -> None:
    (tree, ordered, _) = _trees()
    w = Writer(pretty)
    items = [w.sql(x) for x in tree.expressions]
    ours = w.select(
        items,
        w.sql(tree.args["from_"].this),
        where=w.sql(tree.args["where"].this),
        group=[w.sql(x) for x in tree.args["group"].expressions],
        joins=w.sql(tree.args["joins"][0]),
    )
    assert w.query([], ours) == DUCKDB.generate(tree.copy(), pretty=pretty)
    ours = w.select(["*"], "q1", tail=w.sql(ordered.args["order"]))
    expected = DUCKDB.generate(
        select_from([exp.Star()], _table("q1")).order_by(
            exp.Ordered(this=_column("t"), desc=True, nulls_first=False), copy=False
        ),
        pretty=pretty,
    )
    assert w.query([], ours) == expected


@pytest.mark.parametrize("pretty", [True, False])
def test_text_columns_and_aliases_as_sqlglot_writes_them(pretty: bool) -> None:
    w = Writer(pretty)
    names = ["a", 'say "hi"', "two\nlines", "select"]
    items = [w.column_as(x, None, x) for x in names]
    items += [w.column_as(x, "l", x + "_2") for x in names]
    items += [w.alias(col(x), "b") for x in names]
    columns: list[exp.Expression] = [_column(x) for x in names]
    columns += [_alias(_column(x, "l"), x + "_2") for x in names]
    columns += [_alias(_column(x), "b") for x in names]
    ours = w.query([], w.select(items, w.column("q0")))
    expected = DUCKDB.generate(
        select_from(columns, exp.Table(this=exp.Identifier(this="q0", quoted=True))), pretty=pretty
    )
    assert ours == expected


@pytest.mark.parametrize("pretty", [True, False])
def test_ranking_subquery_text_as_sqlglot_writes_it(pretty: bool) -> None:
    w = Writer(pretty)
    for desc in (False, True):
        for first in (False, True):
            for partition in ([], ["p"], [f"partition_column_{i}" for i in range(6)]):
                keys = [exp.Ordered(this=_column("t"), desc=desc, nulls_first=first)]
                window = exp.Window(
                    this=exp.Anonymous(this="row_number", expressions=[]),
                    partition_by=[_column(c) for c in partition] or None,
                    order=exp.Order(expressions=keys),
                )
                inner = select_from([exp.Star(), _alias(window, "$rn")], _table("q0"))
                tree = select_from(
                    [exp.Star(except_=[_column("$rn"), _column("x")])],
                    exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("t"))),
                    where=exp.EQ(this=_column("$rn"), expression=exp.Literal.number(1)),
                )
                text = w.window(
                    w.func("row_number"),
                    [w.quoted(c) for c in partition],
                    [w.ordered(w.quoted("t"), desc, first)],
                )
                inner_text = w.select(["*", w.named(text, "$rn")], "q0")
                ours = w.select(
                    [w.star_except(("$rn", "x"))], w.subquery(inner_text, "t"), '"$rn" = 1'
                )
                assert w.query([], ours) == DUCKDB.generate(tree, pretty=pretty)
