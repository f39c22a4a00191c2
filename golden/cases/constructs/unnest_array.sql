-- catalog: basic
-- target: both
-- checked: by hand (golden/data/unnest_array/, a few rows)
-- description: CROSS JOIN UNNEST of an ARRAY column
SELECT c.user_id, t.tag
FROM clicks AS c CROSS JOIN UNNEST(c.tags) AS t(tag);
