-- catalog: basic
-- expect-error: parse-error
-- description: misspelled keyword
SELEC * FROM clicks;
