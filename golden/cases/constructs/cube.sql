-- catalog: basic
-- target: both
-- checked: by hand (golden/data/cube/, 10 rows: every subset of (user, url) with more than one row, and COUNT(url) unaffected by url being rolled up)
-- description: GROUP BY CUBE and GROUPING SETS with () and HAVING; an aggregate of a key column reads the key's own value, not its rolled-up NULL
SELECT user_id, url, COUNT(*) AS n, COUNT(url) AS urls, GROUPING_ID(user_id, url) AS g
FROM clicks
GROUP BY CUBE(user_id, url)
HAVING COUNT(*) > 1;
