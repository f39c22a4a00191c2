-- catalog: basic
-- expect-error: bind-error
-- description: unknown column, with the closest name
SELECT usr_id FROM clicks;
