-- catalog: basic
-- expect-error: parse-error
-- description: Flink creates CTAS tables in the catalog only: CREATE TEMPORARY TABLE ... AS is refused
CREATE TEMPORARY TABLE recent WITH ('connector' = 'blackhole') AS SELECT user_id FROM clicks;
