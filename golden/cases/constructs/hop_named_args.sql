-- catalog: basic
-- target: both
-- description: HOP with named arguments in any order
SELECT window_start, window_end, COUNT(DISTINCT user_id) AS users
FROM TABLE(HOP(DATA => TABLE clicks, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' MINUTE, SLIDE => INTERVAL '5' MINUTE))
GROUP BY window_start, window_end;
