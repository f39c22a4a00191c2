-- catalog: basic
-- expect-error: type-error
-- description: CASE branches of incompatible types
SELECT CASE WHEN price > 1 THEN tags ELSE 1 END FROM clicks;
