-- catalog: basic
-- expect-error: bind-error
-- description: OVER a window name that no WINDOW clause defines
SELECT user_id, COUNT(*) OVER w2 AS n FROM clicks
WINDOW w AS (PARTITION BY user_id ORDER BY ts);
