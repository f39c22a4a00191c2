-- catalog: basic
-- expect-error: type-error
-- description: wrong argument type
SELECT LOWER(user_id) FROM clicks;
