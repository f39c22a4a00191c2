-- catalog: basic
-- expect-error: catalog-error
-- description: CREATE TABLE of an existing table
CREATE TABLE clicks (a INT) WITH ('connector' = 'blackhole');
