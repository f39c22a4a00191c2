-- catalog: basic
-- expect-error: unsupported
-- description: IN (subquery) under OR is not a semi join; only WHERE conjuncts are supported
SELECT url FROM clicks WHERE user_id IN (SELECT user_id FROM users) OR price > 10;
