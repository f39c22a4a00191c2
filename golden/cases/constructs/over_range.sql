-- catalog: basic
-- target: both
-- checked: by hand (golden/data/over_range/, a few rows)
-- description: OVER aggregate with a RANGE INTERVAL frame
SELECT user_id, price,
       SUM(price) OVER (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) AS last_hour
FROM clicks;
