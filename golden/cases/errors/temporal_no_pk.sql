-- catalog: basic
-- expect-error: validation-error
-- description: event-time temporal join against a table without primary key
SELECT c.user_id, p.amount FROM clicks AS c JOIN plain_events FOR SYSTEM_TIME AS OF c.ts AS p ON c.user_id = p.id;
