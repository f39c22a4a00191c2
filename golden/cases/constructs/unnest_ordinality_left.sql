-- catalog: basic
-- target: both
-- checked: by hand (golden/data/unnest_ordinality_left/: rows with an empty or NULL array keep one row, tag and position NULL)
-- description: LEFT JOIN UNNEST ... WITH ORDINALITY ON TRUE
SELECT c.user_id, c.url, t.tag, t.pos
FROM clicks AS c LEFT JOIN UNNEST(c.tags) WITH ORDINALITY AS t(tag, pos) ON TRUE;
