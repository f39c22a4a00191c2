-- catalog: basic
-- expect-error: bind-error
-- description: unknown function
SELECT FOO(user_id) FROM clicks;
