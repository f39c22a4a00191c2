"""parse_script: every statement kind parses into its typed dataclass with spans and text."""

from __future__ import annotations

import pytest
from sqlglot import exp

from nrtg.catalog.schema import ColumnKind
from nrtg.compiler.errors import ParseError, UnsupportedError
from nrtg.compiler.parse import statements as st
from nrtg.compiler.parse.parse import parse_script

CREATE_BID = """\
-- a script
CREATE TEMPORARY TABLE IF NOT EXISTS db.bid (
  auction BIGINT NOT NULL COMMENT 'the auction',
  price DECIMAL(10, 2),
  `dateTime` TIMESTAMP(3),
  extra ROW<a INT, b STRING>,
  ts AS `dateTime` + INTERVAL '1' SECOND COMMENT 'computed',
  pt AS PROCTIME(),
  part INT METADATA FROM 'partition' VIRTUAL,
  off BIGINT METADATA,
  WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND,
  CONSTRAINT pk PRIMARY KEY (auction) NOT ENFORCED
) COMMENT 'bids' PARTITIONED BY (auction) WITH ('connector' = 'kafka', 'topic' = 'it''s');
"""


def one(sql: str) -> st.Statement:
    script = parse_script(sql)
    assert len(script.statements) == 1
    return script.statements[0]


def test_create_table_full() -> None:
    stmt = one(CREATE_BID)
    assert isinstance(stmt, st.CreateTable)
    assert stmt.name.parts == ("db", "bid")
    assert stmt.temporary and stmt.if_not_exists
    assert [c.name for c in stmt.columns] == [
        "auction",
        "price",
        "dateTime",
        "extra",
        "ts",
        "pt",
        "part",
        "off",
    ]
    auction, price, dt, extra, ts, pt, part, off = stmt.columns
    assert str(auction.type) == "BIGINT NOT NULL" and auction.comment == "the auction"
    assert str(price.type) == "DECIMAL(10, 2)"
    assert str(dt.type) == "TIMESTAMP(3)"
    assert extra.type is not None and str(extra.type).startswith("ROW<")
    assert ts.kind == ColumnKind.COMPUTED and ts.type is None and ts.comment == "computed"
    assert isinstance(ts.expr, exp.Add)
    assert pt.kind == ColumnKind.COMPUTED and isinstance(pt.expr, exp.Anonymous)
    assert part.kind == ColumnKind.METADATA and part.metadata_key == "partition" and part.virtual
    assert off.kind == ColumnKind.METADATA and off.metadata_key is None and not off.virtual
    (wm,) = stmt.watermarks
    assert wm.rowtime == "dateTime" and isinstance(wm.expr, exp.Sub)
    assert CREATE_BID[wm.span.start : wm.span.end].startswith("WATERMARK FOR")
    pk = stmt.primary_key
    assert pk is not None
    assert (pk.name, pk.columns, pk.enforced) == ("pk", ("auction",), False)
    assert stmt.partition_keys == ("auction",)
    assert stmt.options == (("connector", "kafka"), ("topic", "it's"))
    assert stmt.comment == "bids"
    assert stmt.text.startswith("CREATE TEMPORARY TABLE") and stmt.text.endswith("'it''s')")
    assert CREATE_BID[stmt.span.start : stmt.span.end] == stmt.text
    assert CREATE_BID[price.span.start : price.span.end] == "price DECIMAL(10, 2)"


def test_statement_kinds() -> None:
    sql = """
    CREATE TABLE b2 WITH ('topic' = 'x') LIKE bid (INCLUDING ALL EXCLUDING OPTIONS);
    CREATE TEMPORARY VIEW IF NOT EXISTS v (a, b) COMMENT 'v' AS SELECT auction, price FROM bid;
    CREATE DATABASE IF NOT EXISTS db COMMENT 'x' WITH ('k' = 'v');
    USE db; USE CATALOG c;
    DROP TEMPORARY TABLE IF EXISTS bid; DROP VIEW v; DROP DATABASE db CASCADE; DROP FUNCTION f;
    ALTER TABLE bid SET ('a' = 'b'); ALTER TABLE bid RESET ('a'); ALTER TABLE bid RENAME TO b3;
    CREATE TEMPORARY FUNCTION IF NOT EXISTS f AS 'pkg.mod.f' LANGUAGE PYTHON;
    INSERT INTO sink SELECT * FROM bid;
    INSERT OVERWRITE sink PARTITION (p = 1) (a, b) SELECT a, b FROM bid;
    SET 'table.exec.mini-batch.enabled' = 'true'; SET; RESET 'a'; RESET;
    SELECT 1
    """
    kinds = [type(s).__name__ for s in parse_script(sql).statements]
    assert kinds == [
        "CreateTable",
        "CreateView",
        "CreateDatabase",
        "UseDatabase",
        "UseCatalog",
        "Drop",
        "Drop",
        "Drop",
        "Drop",
        "AlterTableSet",
        "AlterTableReset",
        "AlterTableRename",
        "CreateFunction",
        "Insert",
        "Insert",
        "SetOption",
        "SetOption",
        "ResetOption",
        "ResetOption",
        "Query",
    ]


def test_statement_sets_give_each_insert_its_span() -> None:
    sql = (
        "EXECUTE STATEMENT SET BEGIN\n"
        "  INSERT INTO s1 SELECT CASE WHEN a THEN 1 END FROM bid;\n"
        "  INSERT INTO s2 SELECT * FROM bid;\n"
        "END;\n"
        "BEGIN STATEMENT SET;\n"
        "INSERT INTO s1 SELECT * FROM bid;\n"
        "END;\n"
    )
    first, second = parse_script(sql).statements
    assert isinstance(first, st.StatementSet) and isinstance(second, st.StatementSet)
    assert [i.text for i in first.inserts] == [
        "INSERT INTO s1 SELECT CASE WHEN a THEN 1 END FROM bid",
        "INSERT INTO s2 SELECT * FROM bid",
    ]
    for ins in (*first.inserts, *second.inserts):
        assert sql[ins.span.start : ins.span.end] == ins.text
    assert second.text == "BEGIN STATEMENT SET;\nINSERT INTO s1 SELECT * FROM bid;\nEND"


def test_statement_set_with_case_expressions() -> None:
    sql = (
        "EXECUTE STATEMENT SET BEGIN\n"
        "INSERT INTO a SELECT CASE WHEN TRUE THEN 1 END;\n"
        "INSERT INTO b SELECT CASE x WHEN 1 THEN CASE WHEN y THEN 2 END END FROM t;\n"
        "END;\n"
        "SELECT 3"
    )
    stmt_set, query = parse_script(sql).statements
    assert isinstance(stmt_set, st.StatementSet) and len(stmt_set.inserts) == 2
    assert isinstance(query, st.Query) and query.text == "SELECT 3"


def test_errors_are_positioned() -> None:
    with pytest.raises(ParseError) as info:
        parse_script("SELEC * FROM bid")
    assert "did you mean SELECT" in info.value.message
    with pytest.raises(UnsupportedError):
        parse_script("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS x > 1)")
