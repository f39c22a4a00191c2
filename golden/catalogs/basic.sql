-- A small catalog for focused cases: an event-time Kafka table, a table without watermark,
-- a versioned (upsert) table, and sinks of each kind.
CREATE TABLE clicks (
    user_id BIGINT,
    url STRING,
    price DECIMAL(10, 2),
    ts TIMESTAMP(3),
    tags ARRAY<STRING>,
    info ROW<country STRING, device STRING>,
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json');

CREATE TABLE users (
    user_id BIGINT,
    name STRING,
    level INT,
    updated TIMESTAMP(3),
    PRIMARY KEY (user_id) NOT ENFORCED,
    WATERMARK FOR updated AS updated
) WITH ('connector' = 'upsert-kafka', 'topic' = 'users', 'key.format' = 'json', 'value.format' = 'json');

CREATE TABLE plain_events (
    id BIGINT,
    ts TIMESTAMP(3),
    amount INT
) WITH ('connector' = 'filesystem', 'path' = '/tmp/plain', 'format' = 'json');

CREATE TABLE append_sink (user_id BIGINT, n BIGINT) WITH ('connector' = 'kafka', 'topic' = 'out', 'format' = 'json');
CREATE TABLE upsert_sink (user_id BIGINT, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 'out2', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE upsert_nokey (user_id BIGINT, n BIGINT) WITH ('connector' = 'upsert-kafka', 'topic' = 'out3', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE blackhole_sink (user_id BIGINT, n BIGINT) WITH ('connector' = 'blackhole');
