-- catalog: basic
-- target: both
-- checked: by hand (golden/data/nested_fields/, a few rows)
-- description: nested ROW field access and CASE/COALESCE
SELECT user_id, info.country,
       COALESCE(info.device, 'unknown') AS device,
       CASE WHEN price > 100 THEN 'high' WHEN price > 10 THEN 'mid' ELSE 'low' END AS band
FROM clicks;
