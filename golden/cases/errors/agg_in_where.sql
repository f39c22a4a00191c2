-- catalog: basic
-- expect-error: bind-error
-- description: aggregate in WHERE
SELECT user_id FROM clicks WHERE COUNT(*) > 1;
