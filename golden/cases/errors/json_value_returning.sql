-- catalog: basic
-- expect-error: type-error
-- description: JSON_VALUE returns scalars only: an ARRAY is JSON_QUERY's
SELECT JSON_VALUE(url, '$.tags' RETURNING ARRAY<STRING>) FROM clicks;
