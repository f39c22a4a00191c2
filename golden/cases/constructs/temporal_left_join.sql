-- catalog: basic
-- target: both
-- checked: by hand (golden/data/temporal_left_join/, a few rows)
-- description: event-time temporal LEFT join
SELECT c.user_id, u.name
FROM clicks AS c
LEFT JOIN users FOR SYSTEM_TIME AS OF c.ts AS u
ON c.user_id = u.user_id;
