-- catalog: basic
-- target: both
-- checked: by hand (golden/data/temporal_join/, a few rows)
-- description: event-time temporal join against a versioned upsert table
SELECT c.user_id, c.url, u.name, u.level
FROM clicks AS c
JOIN users FOR SYSTEM_TIME AS OF c.ts AS u
ON c.user_id = u.user_id;
