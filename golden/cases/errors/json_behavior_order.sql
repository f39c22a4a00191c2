-- catalog: basic
-- expect-error: parse-error
-- description: Flink's JSON_VALUE takes ON EMPTY before ON ERROR
SELECT JSON_VALUE(url, '$.k' NULL ON ERROR NULL ON EMPTY) FROM clicks;
