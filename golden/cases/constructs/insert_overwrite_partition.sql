-- catalog: basic
-- target: plan
-- description: INSERT OVERWRITE with a static partition into a partitioned filesystem table
CREATE TABLE daily (user_id BIGINT, n BIGINT, dt STRING) PARTITIONED BY (dt)
WITH ('connector' = 'filesystem', 'path' = '/tmp/daily', 'format' = 'parquet');
INSERT OVERWRITE daily PARTITION (dt = '2026-01-01')
SELECT id, CAST(amount AS BIGINT) FROM plain_events;
