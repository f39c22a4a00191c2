-- catalog: basic
-- target: both
-- checked: by hand (golden/data/session_partition/, a few rows)
-- description: SESSION window TVF with PARTITION BY
SELECT user_id, window_start, window_end, COUNT(*) AS clicks_in_session
FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '30' SECOND))
GROUP BY user_id, window_start, window_end;
