-- catalog: basic
-- target: both
-- checked: by hand (golden/data/tumble_tvf/, a few rows)
-- description: TUMBLE window TVF aggregation (positional arguments)
SELECT user_id, COUNT(*) AS n, SUM(price) AS total, window_start, window_end
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY user_id, window_start, window_end;
