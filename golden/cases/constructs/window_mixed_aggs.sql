-- catalog: basic
-- target: both
-- description: a window aggregate mixing MIN/MAX, SUM, AVG and COUNT DISTINCT (each aggregate keeps its own accumulator layout)
SELECT window_start, window_end, MAX(price) AS top, MIN(price) AS low, SUM(price) AS total,
       AVG(price) AS mean, COUNT(DISTINCT user_id) AS users
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
