-- catalog: basic
-- target: both
-- description: window deduplication: first click per user and window
SELECT user_id, url, ts, window_start, window_end FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id, window_start, window_end ORDER BY ts ASC) AS rn
    FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
) WHERE rn = 1;
