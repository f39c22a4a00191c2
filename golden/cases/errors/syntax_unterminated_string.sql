-- catalog: basic
-- expect-error: parse-error
-- description: unterminated string literal
SELECT 'abc FROM clicks;
