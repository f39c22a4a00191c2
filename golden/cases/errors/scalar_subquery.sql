-- catalog: basic
-- expect-error: unsupported
-- description: a scalar subquery that is not a global aggregate (could hold several rows) is not supported yet
SELECT (SELECT price FROM clicks WHERE user_id = 1) FROM users;
