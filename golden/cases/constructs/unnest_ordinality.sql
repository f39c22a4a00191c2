-- catalog: basic
-- target: both
-- checked: by hand (golden/data/unnest_ordinality/: positions counted in each row's tags)
-- description: CROSS JOIN UNNEST ... WITH ORDINALITY: each element with its 1-based position
SELECT c.user_id, c.url, t.tag, t.pos
FROM clicks AS c CROSS JOIN UNNEST(c.tags) WITH ORDINALITY AS t(tag, pos);
