-- catalog: basic
-- expect-error: bind-error
-- description: column in both join inputs
SELECT user_id FROM clicks JOIN users ON clicks.user_id = users.user_id;
