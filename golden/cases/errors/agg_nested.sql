-- catalog: basic
-- expect-error: bind-error
-- description: nested aggregates
SELECT MAX(COUNT(*)) FROM clicks GROUP BY user_id;
