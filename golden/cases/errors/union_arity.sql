-- catalog: basic
-- expect-error: type-error
-- description: UNION inputs with different column counts
SELECT user_id FROM clicks UNION ALL SELECT user_id, name FROM users;
