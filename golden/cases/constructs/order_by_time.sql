-- catalog: basic
-- target: both
-- checked: by hand (golden/data/order_by_time/, 10 rows, all of them: a sort keeps every row)
-- description: ORDER BY the rowtime ascending, then price; the stream target releases rows sorted as the watermark passes them (Flink's TemporalSort)
SELECT user_id, price, ts FROM clicks ORDER BY ts, price DESC;
