-- catalog: basic
-- target: plan
-- description: SET, CREATE DATABASE, USE, CREATE VIEW, ALTER TABLE SET, CREATE FUNCTION, DROP, EXPLAIN
SET 'table.exec.state.ttl' = '1 h';
CREATE DATABASE IF NOT EXISTS analytics;
CREATE VIEW big_clicks AS SELECT user_id, price FROM clicks WHERE price > 100;
ALTER TABLE plain_events SET ('path' = '/tmp/plain2');
CREATE TEMPORARY FUNCTION count_char AS 'nrtg.udfs.count_char' LANGUAGE PYTHON;
USE analytics;
CREATE TABLE t (a INT) WITH ('connector' = 'blackhole');
DROP TABLE t;
USE `default`;
EXPLAIN CHANGELOG_MODE SELECT user_id, count_char(CAST(price AS STRING), '1') AS n FROM big_clicks;
