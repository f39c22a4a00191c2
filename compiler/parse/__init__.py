"""The Flink SQL front end: scripts -> typed statements (statements.py) with sqlglot query ASTs.

Entry points live in `parse.py` (`parse_script`, `parse_query`, `parse_expression`,
`to_flink_sql`, `span_of`); this package imports nothing eagerly.

Modules: `lexer` (fast tokenizer, sqlglot's as the reference), `dialect` (the Flink sqlglot
dialect: query parser), `checks` (Flink's grammar where sqlglot is lenient; error wording),
`tvf` (window TVFs), `hints` (`/*+ ... */` hints), `generator` (printing), `script`, `ddl`
and `objects` (statements),
`printer` (statements back to SQL), `reserved` (reserved words), `nodes` (custom sqlglot nodes,
spans).

Supported: CREATE [TEMPORARY] TABLE (physical, computed, metadata columns, WATERMARK,
PRIMARY KEY ... NOT ENFORCED, COMMENT, PARTITIONED BY, WITH, LIKE, AS query), CREATE VIEW / DATABASE /
FUNCTION, USE [CATALOG], DROP, ALTER TABLE SET/RESET/RENAME TO, INSERT INTO/OVERWRITE
[PARTITION], statement sets (both spellings), SET/RESET, EXPLAIN [details]; queries with
window TVFs (positional and named arguments), legacy group windows, OVER windows, FILTER,
UNNEST [WITH ORDINALITY], FOR SYSTEM_TIME AS OF, Flink intervals, casts to Flink types,
ARRAY/MAP/ROW constructors, table hints (`t /*+ OPTIONS(...) */`) and join hints.

Refused with UnsupportedError: MATCH_RECOGNIZE, LOOKUP and STATE_TTL hints, table
functions other than window TVFs in TABLE(...), CREATE OR REPLACE,
DISTRIBUTED BY, CREATE CATALOG, ALTER VIEW/DATABASE/FUNCTION, SHOW/DESCRIBE/DELETE/UPDATE/...
Refused with ParseError as Flink does: unquoted reserved words (`dateTime`, `dec`, `value`,
...), MILLISECOND intervals, PRIMARY KEY without NOT ENFORCED, duplicate columns, CREATE
TEMPORARY TABLE ... AS and CREATE TABLE ... LIKE ... AS, misplaced or unknown hints.
"""
