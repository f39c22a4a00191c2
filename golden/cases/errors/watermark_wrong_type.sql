-- catalog: basic
-- expect-error: validation-error
-- description: a watermark on a STRING column
CREATE TABLE t (a STRING, WATERMARK FOR a AS a) WITH ('connector' = 'blackhole');
