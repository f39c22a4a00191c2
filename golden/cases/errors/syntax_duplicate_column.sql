-- catalog: basic
-- expect-error: parse-error
-- description: a column defined twice in CREATE TABLE
CREATE TABLE t (a INT, b STRING, a BIGINT) WITH ('connector' = 'blackhole');
