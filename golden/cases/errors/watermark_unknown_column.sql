-- catalog: basic
-- expect-error: bind-error
-- description: a watermark on an unknown column
CREATE TABLE t (a TIMESTAMP(3), WATERMARK FOR b AS b) WITH ('connector' = 'blackhole');
