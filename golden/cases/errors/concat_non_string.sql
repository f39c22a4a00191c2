-- catalog: basic
-- expect-error: type-error
-- description: || needs strings
SELECT url || tags FROM clicks;
