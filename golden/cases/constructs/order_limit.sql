-- catalog: basic
-- target: both
-- checked: by hand (golden/data/order_limit/, 10 rows: the clicks with the 2nd to 4th highest prices)
-- description: ORDER BY ... LIMIT ... OFFSET; the stream target keeps a Top-N over the whole input (Flink's SortLimit), retracting rows that leave it
SELECT user_id, url, price FROM clicks ORDER BY price DESC, user_id LIMIT 3 OFFSET 1;
