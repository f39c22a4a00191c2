-- catalog: basic
-- target: both
-- checked: by hand (golden/data/ctas/: the clicks with price > 10; the new table's columns are the query's, ts without its watermark)
-- description: CREATE TABLE IF NOT EXISTS ... WITH (...) AS SELECT: the table takes the query's schema, then its rows
CREATE TABLE IF NOT EXISTS big_clicks
WITH ('connector' = 'kafka', 'topic' = 'ctas', 'format' = 'json')
AS SELECT user_id, UPPER(url) AS url, price * 2 AS doubled, ts FROM clicks WHERE price > 10;
