-- catalog: basic
-- expect-error: bind-error
-- description: unknown field of a ROW column
SELECT info.city FROM clicks;
