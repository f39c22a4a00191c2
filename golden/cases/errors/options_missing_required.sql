-- catalog: basic
-- expect-error: validation-error
-- description: the filesystem connector requires 'path' (Flink's "One or more required options are missing")
CREATE TABLE files (id BIGINT) WITH ('connector' = 'filesystem', 'format' = 'csv');
