-- catalog: basic
-- target: both
-- checked: by hand (golden/data/subquery_not_in/: NOT IN {1, 2, 4} keeps users 3 and 5 and drops the NULL user; no event has id 5 or 7)
-- description: NOT IN (null-aware anti join) and a correlated NOT EXISTS as anti joins
SELECT user_id, url
FROM clicks AS c
WHERE user_id NOT IN (SELECT id FROM plain_events WHERE amount > 10)
  AND NOT EXISTS (SELECT 1 FROM plain_events AS p WHERE p.id = c.user_id + 2);
