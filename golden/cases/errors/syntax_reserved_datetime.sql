-- catalog: basic
-- expect-error: parse-error
-- description: dateTime is reserved in Flink and must be quoted
CREATE TABLE t (dateTime TIMESTAMP(3)) WITH ('connector' = 'blackhole');
