-- catalog: basic
-- target: both
-- checked: by hand (golden/data/subquery_not_in_null/: one event id is NULL, so `x NOT IN` is never true)
-- description: NOT IN over a subquery that holds a NULL keeps no row
SELECT user_id, url
FROM clicks
WHERE user_id NOT IN (SELECT id FROM plain_events);
