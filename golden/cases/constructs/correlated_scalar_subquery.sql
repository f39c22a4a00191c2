-- catalog: basic
-- target: both
-- checked: by hand (golden/data/correlated_scalar_subquery/: per-user average prices 10.92, 81.00 and 1.00 keep 20.50, 150.00 and 1.00; users 1, 2 and 5 have 1, 2 and 0 events; user 3's price and the NULL user's average are NULL)
-- description: correlated scalar subqueries, grouped by the correlation key and LEFT-joined (COUNT of no rows is 0)
SELECT
    user_id,
    url,
    price,
    (SELECT COUNT(*) FROM plain_events AS p WHERE p.id = c.user_id) AS events
FROM clicks AS c
WHERE price >= (SELECT AVG(price) FROM clicks AS d WHERE d.user_id = c.user_id);
