-- catalog: basic
-- expect-error: validation-error
-- description: a misspelt connector or format key is refused at the key (Flink's "Unsupported options found"), with the closest supported key
CREATE TABLE events (
    id BIGINT,
    payload STRING
) WITH (
    'connector' = 'kafka',
    'topic' = 'events',
    'format' = 'json',
    'scan.startup.mod' = 'earliest-offset',
    'json.ignore-parse-error' = 'true'
);
