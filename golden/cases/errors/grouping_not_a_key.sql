-- catalog: basic
-- expect-error: bind-error
-- description: GROUPING() of a column that is not a GROUP BY key
SELECT user_id, GROUPING(url) FROM clicks GROUP BY ROLLUP(user_id);
