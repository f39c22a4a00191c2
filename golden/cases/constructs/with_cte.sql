-- catalog: basic
-- target: both
-- checked: by hand (golden/data/with_cte/, 10 rows: users whose clicks above 6.00 sum to more than 100)
-- description: WITH with two CTEs, the second reading the first
WITH priced AS (
    SELECT user_id, price FROM clicks WHERE price > 6
), totals AS (
    SELECT user_id, SUM(price) AS total, COUNT(*) AS n FROM priced GROUP BY user_id
)
SELECT user_id, total, n FROM totals WHERE total > 100;
