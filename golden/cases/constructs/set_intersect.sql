-- catalog: basic
-- target: both
-- checked: by hand (golden/data/set_intersect/, 10 rows: pairs on both sides once, a NULL country matching a NULL country)
-- description: INTERSECT (distinct); the stream target runs a SEMI join on every column (NULL matches NULL) grouped by every column
SELECT info.country AS country, url FROM clicks WHERE price > 10
INTERSECT
SELECT info.country, url FROM clicks WHERE price < 100;
