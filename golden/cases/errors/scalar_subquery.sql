-- catalog: basic
-- expect-error: unsupported
-- description: scalar subqueries are not supported yet
SELECT (SELECT MAX(price) FROM clicks) FROM users;
