-- catalog: basic
-- expect-error: parse-error
-- description: FROM misspelled
SELECT user_id FORM clicks;
