-- catalog: basic
-- expect-error: bind-error
-- description: aggregate in GROUP BY
SELECT COUNT(*) FROM clicks GROUP BY COUNT(*);
