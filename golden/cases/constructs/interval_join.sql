-- catalog: basic
-- target: both
-- checked: by hand (golden/data/interval_join/, a few rows)
-- description: interval join from a time-bounded predicate
SELECT a.user_id, a.url, b.url AS next_url
FROM clicks AS a, clicks AS b
WHERE a.user_id = b.user_id
  AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '10' MINUTE;
