-- catalog: basic
-- target: both
-- description: window Top-N over a window aggregation
SELECT * FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC) AS rn
    FROM (
        SELECT user_id, SUM(price) AS total, window_start, window_end
        FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
        GROUP BY user_id, window_start, window_end
    )
) WHERE rn <= 3;
