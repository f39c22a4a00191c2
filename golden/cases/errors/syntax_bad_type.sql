-- catalog: basic
-- expect-error: parse-error
-- description: unknown column type
CREATE TABLE t (a INTEGR) WITH ('connector' = 'blackhole');
