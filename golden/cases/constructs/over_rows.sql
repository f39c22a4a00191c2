-- catalog: basic
-- target: both
-- description: OVER aggregate with a ROWS frame
SELECT user_id, price,
       AVG(price) OVER (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) AS avg_price
FROM clicks;
