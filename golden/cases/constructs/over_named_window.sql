-- catalog: basic
-- target: both
-- checked: by hand (golden/data/over_named_window/, 10 rows: per user in time order, the running count and the last three rows' maximum; the NULL user is a partition of its own)
-- description: OVER w with the window defined in a WINDOW clause, shared by two calls, next to an inline OVER
SELECT user_id, price,
       COUNT(*) OVER w AS n,
       MAX(price) OVER (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS top3,
       SUM(price) OVER w AS running
FROM clicks
WINDOW w AS (PARTITION BY user_id ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);
