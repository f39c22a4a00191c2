-- catalog: basic
-- expect-error: validation-error
-- description: window TVF on a column that is not a time attribute
SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE plain_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;
