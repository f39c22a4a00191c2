-- catalog: basic
-- target: both
-- description: CUMULATE windows
SELECT window_start, window_end, SUM(price) AS running
FROM TABLE(CUMULATE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE))
GROUP BY window_start, window_end;
