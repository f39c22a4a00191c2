-- catalog: basic
-- expect-error: parse-error
-- description: PRIMARY KEY without NOT ENFORCED
CREATE TABLE t (a INT, PRIMARY KEY (a)) WITH ('connector' = 'blackhole');
