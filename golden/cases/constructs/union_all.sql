-- catalog: basic
-- target: both
-- checked: by hand (golden/data/union_all/, a few rows)
-- description: UNION ALL with type widening
SELECT user_id, CAST(price AS DOUBLE) AS v FROM clicks
UNION ALL
SELECT id, amount FROM plain_events;
