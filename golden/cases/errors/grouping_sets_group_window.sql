-- catalog: basic
-- expect-error: unsupported
-- description: a legacy group window inside ROLLUP
SELECT user_id, COUNT(*) FROM clicks GROUP BY ROLLUP(user_id, TUMBLE(ts, INTERVAL '1' MINUTE));
