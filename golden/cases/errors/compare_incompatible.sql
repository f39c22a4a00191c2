-- catalog: basic
-- expect-error: type-error
-- description: comparing a number with an array
SELECT user_id FROM clicks WHERE tags = 1;
