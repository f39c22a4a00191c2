-- catalog: basic
-- expect-error: validation-error
-- description: upsert sink without primary key
INSERT INTO upsert_nokey SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;
