-- catalog: basic
-- expect-error: unsupported
-- description: OVER aggregate over an updating input
SELECT user_id, SUM(n) OVER (PARTITION BY user_id ORDER BY user_id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM (SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id);
