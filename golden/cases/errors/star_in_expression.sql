-- catalog: basic
-- expect-error: bind-error
-- description: * inside an expression
SELECT LOWER(*) FROM clicks;
