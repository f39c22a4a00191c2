-- catalog: basic
-- expect-error: bind-error
-- description: unknown column of an alias
SELECT c.nope FROM clicks AS c;
