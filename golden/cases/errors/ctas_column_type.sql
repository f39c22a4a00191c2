-- catalog: basic
-- expect-error: type-error
-- description: CTAS redeclaring a query column with a type the query's values cannot be cast to implicitly
CREATE TABLE tagged (tags STRING) WITH ('connector' = 'blackhole') AS SELECT user_id, tags FROM clicks;
