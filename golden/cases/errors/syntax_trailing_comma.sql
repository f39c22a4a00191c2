-- catalog: basic
-- expect-error: parse-error
-- description: trailing comma in the select list
SELECT user_id, FROM clicks;
