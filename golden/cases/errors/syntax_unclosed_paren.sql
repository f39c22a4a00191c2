-- catalog: basic
-- expect-error: parse-error
-- description: unbalanced parenthesis
SELECT (user_id + 1 FROM clicks;
