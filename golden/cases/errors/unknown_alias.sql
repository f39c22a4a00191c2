-- catalog: basic
-- expect-error: bind-error
-- description: unknown table alias
SELECT x.user_id FROM clicks AS c;
