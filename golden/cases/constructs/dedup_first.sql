-- catalog: basic
-- target: both
-- checked: by hand (golden/data/dedup_first/, a few rows)
-- description: deduplication keeping the first row
SELECT user_id, url, ts FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts ASC) AS rn FROM clicks
) WHERE rn = 1;
