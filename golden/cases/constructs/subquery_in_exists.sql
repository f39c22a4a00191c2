-- catalog: basic
-- target: both
-- checked: by hand (golden/data/subquery_in_exists/: users 1, 2 and 4 spent over 10; of the clicking users only user 2 has an event under 40)
-- description: IN (subquery) and a correlated EXISTS as semi joins
SELECT user_id, url
FROM clicks AS c
WHERE user_id IN (SELECT id FROM plain_events WHERE amount > 10)
  AND EXISTS (SELECT 1 FROM plain_events AS p WHERE p.id = c.user_id AND p.amount < 40);
