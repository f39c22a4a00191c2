-- catalog: basic
-- target: both
-- description: COUNT(*) FILTER, COUNT(DISTINCT) FILTER and HAVING
SELECT user_id,
       COUNT(*) FILTER (WHERE price > 10) AS expensive,
       COUNT(DISTINCT url) FILTER (WHERE price <= 10) AS cheap_urls
FROM clicks
GROUP BY user_id
HAVING COUNT(*) > 1;
