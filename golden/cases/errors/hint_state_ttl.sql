-- catalog: basic
-- expect-error: unsupported
-- description: STATE_TTL changes results (state expires) and nrtg has no state TTL: refused
SELECT /*+ STATE_TTL('clicks' = '1d') */ user_id, COUNT(*) FROM clicks GROUP BY user_id;
