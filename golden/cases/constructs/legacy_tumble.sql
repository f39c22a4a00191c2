-- catalog: basic
-- target: both
-- checked: by hand (golden/data/legacy_tumble/, a few rows)
-- description: legacy GROUP BY TUMBLE with TUMBLE_START/END/ROWTIME
SELECT user_id,
       TUMBLE_START(ts, INTERVAL '1' MINUTE) AS wstart,
       TUMBLE_END(ts, INTERVAL '1' MINUTE) AS wend,
       TUMBLE_ROWTIME(ts, INTERVAL '1' MINUTE) AS wtime,
       COUNT(*) AS n
FROM clicks
GROUP BY user_id, TUMBLE(ts, INTERVAL '1' MINUTE);
