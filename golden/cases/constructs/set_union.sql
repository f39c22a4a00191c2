-- catalog: basic
-- target: both
-- checked: by hand (golden/data/set_union/, 10 rows: the distinct (user, url) pairs of either side, NULLs one value)
-- description: UNION (distinct) of two filtered scans; the stream target groups the union by every column
SELECT user_id, url FROM clicks WHERE price > 10
UNION
SELECT user_id, url FROM clicks WHERE price < 8;
