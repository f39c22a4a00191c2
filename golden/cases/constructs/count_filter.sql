-- catalog: basic
-- target: both
-- checked: by hand (golden/data/count_filter/, a few rows)
-- description: COUNT(*) FILTER, COUNT(DISTINCT) FILTER and HAVING
SELECT user_id,
       COUNT(*) FILTER (WHERE price > 10) AS expensive,
       COUNT(DISTINCT url) FILTER (WHERE price <= 10) AS cheap_urls
FROM clicks
GROUP BY user_id
HAVING COUNT(*) > 1;
