-- catalog: basic
-- expect-error: type-error
-- description: wrong number of arguments
SELECT CHAR_LENGTH(url, 1) FROM clicks;
