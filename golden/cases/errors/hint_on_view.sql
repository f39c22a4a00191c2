-- catalog: basic
-- expect-error: bind-error
-- description: OPTIONS hints apply to tables only, as in Flink
CREATE TEMPORARY VIEW expensive AS SELECT * FROM clicks WHERE price > 100;
SELECT * FROM expensive /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */;
