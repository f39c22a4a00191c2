-- catalog: basic
-- target: both
-- checked: by hand (golden/data/set_except/, 10 rows: pairs of the left side absent on the right, once; a NULL country matching a NULL country)
-- description: EXCEPT (distinct); the stream target runs an ANTI join on every column (NULL matches NULL) grouped by every column
SELECT info.country AS country, url FROM clicks WHERE price > 10
EXCEPT
SELECT info.country, url FROM clicks WHERE price < 60;
