-- catalog: basic
-- expect-error: bind-error
-- description: primary key on an unknown column
CREATE TABLE t (a INT, PRIMARY KEY (b) NOT ENFORCED) WITH ('connector' = 'blackhole');
