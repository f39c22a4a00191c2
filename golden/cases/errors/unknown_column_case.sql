-- catalog: basic
-- expect-error: bind-error
-- description: identifiers are case-sensitive
SELECT USER_ID FROM clicks;
