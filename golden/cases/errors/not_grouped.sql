-- catalog: basic
-- expect-error: bind-error
-- description: a selected column that is neither grouped nor aggregated
SELECT user_id, url, COUNT(*) FROM clicks GROUP BY user_id;
