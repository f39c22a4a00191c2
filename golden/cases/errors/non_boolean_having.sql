-- catalog: basic
-- expect-error: type-error
-- description: HAVING must be BOOLEAN
SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id HAVING COUNT(*);
