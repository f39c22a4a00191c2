-- catalog: basic
-- target: both
-- description: TUMBLE with an offset
SELECT window_start, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' HOUR, INTERVAL '15' MINUTE))
GROUP BY window_start, window_end;
