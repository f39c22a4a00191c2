-- catalog: basic
-- expect-error: validation-error
-- description: FOR SYSTEM_TIME AS OF a plain timestamp
SELECT p.id, u.name FROM plain_events AS p JOIN users FOR SYSTEM_TIME AS OF p.ts AS u ON p.id = u.user_id;
