-- catalog: basic
-- target: both
-- checked: by hand (golden/data/scalar_subquery/: AVG(price) over the five non-NULL prices is 194.75 / 5 = 38.95, only 150.00 is above it; MIN(price) is 5.00)
-- description: uncorrelated scalar subqueries (global aggregates) in SELECT and WHERE
SELECT user_id, url, price - (SELECT MIN(price) FROM clicks) AS above_min
FROM clicks
WHERE price > (SELECT AVG(price) FROM clicks);
