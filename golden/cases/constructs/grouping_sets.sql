-- catalog: basic
-- target: both
-- checked: by hand (golden/data/grouping_sets/, 10 rows: per user and country, per user, in total; a NULL user and a NULL country are values of their own, told apart from a rolled-up key by GROUPING)
-- description: GROUP BY ROLLUP with GROUPING(); both targets repeat each row per grouping set (Flink's Expand) and group by the keys and the set number
SELECT user_id, info.country AS country, COUNT(*) AS n, SUM(price) AS total,
       GROUPING(user_id, info.country) AS g
FROM clicks
GROUP BY ROLLUP(user_id, info.country);
