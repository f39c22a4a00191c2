-- catalog: basic
-- target: both
-- description: window join of two TUMBLE TVFs on window bounds
SELECT l.user_id, l.url, r.url AS other_url, l.window_start
FROM (SELECT * FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) AS l
JOIN (SELECT * FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) AS r
ON l.user_id = r.user_id AND l.window_start = r.window_start AND l.window_end = r.window_end;
