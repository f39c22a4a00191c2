-- catalog: basic
-- expect-error: validation-error
-- description: legacy group window on a plain timestamp
SELECT COUNT(*) FROM plain_events GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE);
