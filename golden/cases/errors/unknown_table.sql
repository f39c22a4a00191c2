-- catalog: basic
-- expect-error: bind-error
-- description: unknown table, with a suggestion
SELECT * FROM click;
