-- catalog: basic
-- expect-error: type-error
-- description: a CAST Flink does not allow
SELECT CAST(tags AS INT) FROM clicks;
