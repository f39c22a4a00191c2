"""parse -> to_flink_sql -> parse gives an equal AST, for every construct of the dialect."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from nrtg.compiler.errors import NrtgError
from nrtg.compiler.parse import statements as st
from nrtg.compiler.parse.parse import parse_query, parse_script, to_flink_sql

QUERIES = [
    "SELECT a || b, `x`.`y`, 'it''s' FROM t",
    "SELECT COUNT(*) FILTER (WHERE a > 1), COUNT(DISTINCT x) FILTER (WHERE y) FROM t",
    "SELECT SUM(x) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING "
    "AND CURRENT ROW) FROM t",
    "SELECT SUM(x) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) "
    "FROM t",
    "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC) AS rn FROM t",
    "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts ASC) AS rn FROM t) "
    "WHERE rn <= 3",
    "SELECT * FROM t CROSS JOIN UNNEST(arr) AS u(x)",
    "SELECT * FROM t CROSS JOIN UNNEST(m) AS u(k, v)",
    "SELECT * FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts AS r2 ON o.k = r2.k",
    "SELECT * FROM o LEFT JOIN r FOR SYSTEM_TIME AS OF o.pt ON o.k = r.k",
    "SELECT INTERVAL '1:30' MINUTE TO SECOND, INTERVAL '10' SECOND, INTERVAL '1.500' SECOND, "
    "INTERVAL '2' DAY, INTERVAL '1-2' YEAR TO MONTH",
    "SELECT CAST(x AS DECIMAL(10, 2)), TRY_CAST(y AS INT), CAST(z AS ROW<a INT, b ARRAY<STRING>>) "
    "FROM t",
    "SELECT CAST(x AS TIMESTAMP(3) WITH LOCAL TIME ZONE), CAST(x AS STRING), "
    "CAST(x AS TIMESTAMP_LTZ(3)), CAST(y AS BIGINT NOT NULL), CAST(m AS MAP<STRING, INT>) FROM t",
    "SELECT PROCTIME(), ROW(1, 'a'), ARRAY[1, 2], MAP['a', 1, 'b', 2] FROM t",
    "SELECT person.name, t.person.name, arr[1], m['k'] FROM t",
    "SELECT IF(c, a, b), CASE WHEN a THEN 1 ELSE 2 END, CASE x WHEN 1 THEN 'a' END FROM t",
    "SELECT DATE_FORMAT(ts, 'yyyy-MM-dd'), REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2), "
    "SPLIT_INDEX(s, ',', 1), HOUR(ts), MOD(a, 7), LOWER(s), UPPER(s), SUBSTRING(s, 1, 2), "
    "CHAR_LENGTH(s), CONCAT(a, b), COALESCE(a, b), TIMESTAMPADD(SECOND, 1, ts) FROM t",
    "SELECT EXTRACT(HOUR FROM ts), FLOOR(ts TO HOUR), CEIL(x), ROUND(x, 2), TRIM(s), "
    "POSITION('a' IN s), TO_TIMESTAMP(s), UNIX_TIMESTAMP(), FROM_UNIXTIME(x) FROM t",
    "SELECT TUMBLE_START(ts, INTERVAL '10' SECOND), TUMBLE_END(ts, INTERVAL '10' SECOND), "
    "TUMBLE_ROWTIME(ts, INTERVAL '10' SECOND), COUNT(*) FROM t "
    "GROUP BY TUMBLE(ts, INTERVAL '10' SECOND), k",
    "SELECT HOP_START(ts, INTERVAL '1' SECOND, INTERVAL '5' SECOND), COUNT(*) FROM t "
    "GROUP BY HOP(ts, INTERVAL '1' SECOND, INTERVAL '5' SECOND)",
    "SELECT SESSION_START(ts, INTERVAL '1' MINUTE), SESSION_PROCTIME(pt, INTERVAL '1' MINUTE) "
    "FROM t GROUP BY SESSION(ts, INTERVAL '1' MINUTE)",
    "SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), "
    "INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
    "SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND, "
    "INTERVAL '1' SECOND)) AS w",
    "SELECT * FROM TABLE(HOP(DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), "
    "SIZE => INTERVAL '10' SECOND, SLIDE => INTERVAL '5' SECOND)) AS w",
    "SELECT * FROM TABLE(HOP(TABLE db.bid, DESCRIPTOR(ts), INTERVAL '5' SECOND, "
    "INTERVAL '10' SECOND))",
    "SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY k, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) w",
    "SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY (k, j), DESCRIPTOR(ts), "
    "INTERVAL '5' MINUTE))",
    "SELECT * FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(ts), INTERVAL '1' MINUTE, "
    "INTERVAL '1' HOUR))",
    "SELECT * FROM TABLE(CUMULATE(STEP => INTERVAL '1' MINUTE, SIZE => INTERVAL '1' HOUR, "
    "DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts)))",
    "SELECT TIMESTAMP '2020-01-01 00:00:00', DATE '2020-01-01', TIME '10:00:00' FROM t",
    "SELECT x NOT IN (SELECT y FROM u), EXISTS (SELECT 1), a <> b, a IN (1, 2) FROM t",
    "SELECT a FROM t UNION ALL SELECT b FROM u",
    "SELECT a FROM t UNION SELECT b FROM u INTERSECT SELECT c FROM v",
    "WITH c AS (SELECT 1 AS x) SELECT x FROM c ORDER BY x LIMIT 10",
    "SELECT `dateTime`, `value`, `dec` FROM t",
    "SELECT -x, NOT b, x % 3, x / 2, a = TRUE, b IS NULL, c IS NOT TRUE, "
    "x IS NOT DISTINCT FROM y FROM t",
    "SELECT x BETWEEN 1 AND 2, x LIKE 'a%', s SIMILAR TO 'a+' FROM t",
    "SELECT CURRENT_TIMESTAMP, CURRENT_DATE, LOCALTIMESTAMP, NOW() FROM t",
    "SELECT a, b FROM t WHERE a > 1 GROUP BY a, b HAVING COUNT(*) > 1 ORDER BY a DESC LIMIT 5",
    "SELECT DISTINCT a FROM t",
    "SELECT a FROM t AS x LEFT JOIN u ON x.a = u.a RIGHT JOIN v ON v.b = u.b "
    "FULL OUTER JOIN w ON w.c = v.c",
    "SELECT * FROM t, u WHERE t.a = u.a",
    "SELECT * FROM a JOIN b ON a.id = b.id AND a.ts BETWEEN b.ts - INTERVAL '4' HOUR AND b.ts",
    "VALUES (1, 'a'), (2, 'b')",
    "SELECT /* a comment */ a -- trailing\nFROM t",
    "SELECT AVG(x), MIN(x), MAX(x), SUM(x), STDDEV_POP(x), LISTAGG(s, ',') FROM t",
    "SELECT FIRST_VALUE(x) OVER w1 FROM t WINDOW w1 AS (PARTITION BY k ORDER BY ts)",
    "SELECT * FROM t ORDER BY a NULLS LAST, b DESC NULLS FIRST LIMIT 10 OFFSET 5",
    "SELECT myUdf(x), `weird name`(y) FROM t",
    "SELECT /*+ BROADCAST(t) */ * FROM t",
    "(SELECT 1) UNION (SELECT 2)",
    "SELECT 'a' 'b', 'multi\nline', '' FROM t",
    "SELECT MAP['a', ARRAY[1]]['a'][1], `MAP`[1], m['k'] FROM t",
    "SELECT a, COUNT(*) FROM t GROUP BY GROUPING SETS ((a), ())",
    "SELECT a FROM t GROUP BY ROLLUP (a, b)",
    "SELECT a FROM t GROUP BY CUBE (a)",
    "SELECT * FROM t AS x (a, b) FETCH FIRST 10 ROWS ONLY",
    "SELECT a FROM t EXCEPT SELECT b FROM u",
    "SELECT * FROM t ORDER BY a OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY",
    "SELECT a FROM t UNION SELECT b FROM u ORDER BY 1 LIMIT 3",
    "SELECT CAST(NULL AS INT), -INTERVAL '1' DAY, CURRENT_WATERMARK(ts) FROM t",
    "SELECT x FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a)",
    "SELECT (SELECT MAX(b) FROM u) FROM t",
]


def _norm(value: Any) -> Any:
    """A statement without spans and source text, for equality after a round trip."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple(
                (f.name, _norm(getattr(value, f.name)))
                for f in dataclasses.fields(value)
                if f.name not in ("span", "text", "query_text")
            ),
        )
    if isinstance(value, tuple):
        return tuple(_norm(v) for v in value)
    return value


@pytest.mark.parametrize("sql", QUERIES)
def test_query_roundtrip(sql: str) -> None:
    first = parse_query(sql)
    printed = to_flink_sql(first)
    again = parse_query(printed)
    assert again == first, printed
    assert to_flink_sql(again) == printed


STATEMENTS = [
    """CREATE TEMPORARY TABLE IF NOT EXISTS cat.db.bid (
      auction BIGINT NOT NULL COMMENT 'the auction',
      price DECIMAL(10, 2),
      `dateTime` TIMESTAMP(3),
      extra ROW<a INT, b STRING>,
      tags STRING ARRAY,
      ts AS `dateTime` + INTERVAL '1' SECOND COMMENT 'computed',
      pt AS PROCTIME(),
      part INT METADATA FROM 'partition' VIRTUAL,
      off BIGINT METADATA,
      WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND,
      CONSTRAINT pk PRIMARY KEY (auction) NOT ENFORCED
    ) COMMENT 'bids' PARTITIONED BY (auction) WITH ('connector' = 'kafka', 'topic' = 'it''s')""",
    "CREATE TABLE t (id INT PRIMARY KEY NOT ENFORCED, v STRING)",
    """CREATE TABLE k (
      ts TIMESTAMP(3) WITH LOCAL TIME ZONE NOT NULL,
      ts2 TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
      d INTERVAL DAY TO SECOND(3),
      m MAP<STRING, ARRAY<ROW<x INT, y STRING>>> NOT NULL,
      r ROW<`a b` INT, c STRING 'desc'> COMMENT 'r',
      n INT NULL,
      ms STRING MULTISET
    )""",
    "CREATE TABLE b2 WITH ('topic' = 'x') LIKE bid (INCLUDING ALL EXCLUDING OPTIONS)",
    "CREATE TABLE b3 (x INT) LIKE bid",
    "CREATE TEMPORARY VIEW IF NOT EXISTS v (a, b) COMMENT 'v' AS SELECT auction, price FROM bid",
    "CREATE DATABASE IF NOT EXISTS db COMMENT 'x' WITH ('k' = 'v')",
    "USE db",
    "USE cat.db",
    "USE CATALOG c",
    "DROP TEMPORARY TABLE IF EXISTS bid",
    "DROP VIEW v",
    "DROP DATABASE db CASCADE",
    "DROP FUNCTION IF EXISTS f",
    "ALTER TABLE bid SET ('a' = 'b', 'c' = 'd')",
    "ALTER TABLE bid RESET ('a')",
    "ALTER TABLE bid RENAME TO bid2",
    "CREATE TEMPORARY FUNCTION IF NOT EXISTS f AS 'pkg.mod.f' LANGUAGE PYTHON",
    "CREATE FUNCTION g AS 'com.example.G' LANGUAGE JAVA",
    "INSERT INTO sink SELECT * FROM bid",
    "INSERT OVERWRITE sink PARTITION (p = 1, q = 'x') (a, b) SELECT a, b FROM bid",
    "INSERT INTO sink VALUES (1, 'a')",
    "EXECUTE STATEMENT SET BEGIN INSERT INTO s1 SELECT 1; INSERT INTO s2 SELECT 2; END",
    "BEGIN STATEMENT SET; INSERT INTO s1 SELECT * FROM bid; END",
    "SET 'table.exec.mini-batch.enabled' = 'true'",
    "SET",
    "RESET 'a'",
    "RESET",
    "EXPLAIN CHANGELOG_MODE, PLAN_ADVICE SELECT * FROM bid",
    "EXPLAIN ESTIMATED_COST, JSON_EXECUTION_PLAN INSERT INTO s1 SELECT 1",
    "EXPLAIN STATEMENT SET BEGIN INSERT INTO s1 SELECT 1; END",
    "EXPLAIN PLAN FOR SELECT 1",
]


@pytest.mark.parametrize("sql", STATEMENTS)
def test_statement_roundtrip(sql: str) -> None:
    (first,) = parse_script(sql).statements
    printed = to_flink_sql(first)
    (again,) = parse_script(printed).statements
    assert _norm(again) == _norm(first), printed


def test_script_roundtrip() -> None:
    script = parse_script(";\n".join(STATEMENTS))
    printed = to_flink_sql(script)
    again = parse_script(printed)
    assert _norm(again.statements) == _norm(script.statements)


GOLDEN = [
    (
        "select count(*) filter (where x>1) from t",
        "SELECT COUNT(*) FILTER(WHERE x > 1) FROM t",
    ),
    (
        "SELECT * FROM TABLE(HOP(SIZE => INTERVAL '10' SECOND, DATA => TABLE bid, "
        "SLIDE => INTERVAL '5' SECOND, TIMECOL => DESCRIPTOR(ts))) w",
        "SELECT * FROM TABLE(HOP(TABLE bid, DESCRIPTOR(ts), INTERVAL '5' SECOND, "
        "INTERVAL '10' SECOND)) AS w",
    ),
    (
        "SELECT * FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts ON o.k = r.k",
        "SELECT * FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts ON o.k = r.k",
    ),
    ("SELECT x % 7, IF(a, 1, 2) FROM t", "SELECT MOD(x, 7), IF(a, 1, 2) FROM t"),
    (
        "SELECT CAST(x AS decimal(10,2)), TIMESTAMP '2020-01-01 00:00:00' FROM t",
        "SELECT CAST(x AS decimal(10,2)), TIMESTAMP '2020-01-01 00:00:00' FROM t",
    ),
    (
        "SELECT ARRAY[1, 2], CURRENT_TIMESTAMP FROM t",
        "SELECT ARRAY[1, 2], CURRENT_TIMESTAMP FROM t",
    ),
]


@pytest.mark.parametrize(("sql", "expected"), GOLDEN)
def test_print_golden(sql: str, expected: str) -> None:
    assert to_flink_sql(parse_query(sql)) == expected


def test_statement_print_golden() -> None:
    sql = (
        "create table t (a int not null, b as a + 1, c string metadata from 'k' virtual, "
        "watermark for ts as ts - interval '1' second, primary key (a) not enforced) "
        "with ('connector'='kafka')"
    )
    (stmt,) = parse_script(sql).statements
    assert isinstance(stmt, st.CreateTable)
    assert to_flink_sql(stmt) == (
        "CREATE TABLE t (\n"
        "  a INT NOT NULL,\n"
        "  b AS a + 1,\n"
        "  c STRING METADATA FROM 'k' VIRTUAL,\n"
        "  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND,\n"
        "  PRIMARY KEY (a) NOT ENFORCED\n"
        ") WITH ('connector' = 'kafka')"
    )


def _mutations(count: int) -> list[str]:
    """Corpus entries with one token deleted, duplicated or swapped (fixed seed)."""
    rng = random.Random(20261126)
    corpus = QUERIES + STATEMENTS
    out = []
    for _ in range(count):
        words = rng.choice(corpus).replace("(", " ( ").replace(")", " ) ").replace(",", " , ")
        parts = words.split()
        i = rng.randrange(len(parts))
        op = rng.random()
        if op < 0.4:
            del parts[i]
        elif op < 0.7:
            parts.insert(i, rng.choice(parts))
        else:
            parts[i], parts[-1 - i] = parts[-1 - i], parts[i]
        out.append(" ".join(parts))
    return out


def test_mutated_corpus_roundtrips_or_fails_cleanly() -> None:
    """Whatever parses prints back to an equal AST; whatever does not is a positioned error."""
    for sql in _mutations(1500):
        try:
            script = parse_script(sql)
        except NrtgError as e:
            assert e.span is not None, (sql, e.message)
            continue
        again = parse_script(to_flink_sql(script))
        assert _norm(again.statements) == _norm(script.statements), sql
