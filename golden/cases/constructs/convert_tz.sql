-- catalog: basic
-- target: both
-- checked: by hand (golden/data/convert_tz/: 2026-01-01 is winter time in both zones)
-- description: CONVERT_TZ of a timestamp's text between zones (tz database, legacy and GMT+h names)
SELECT user_id, ts,
       CONVERT_TZ(CAST(ts AS STRING), 'UTC', 'America/Los_Angeles') AS los_angeles,
       CONVERT_TZ(CAST(ts AS STRING), 'Europe/Berlin', 'GMT+5:30') AS plus_0530,
       CONVERT_TZ(DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss'), 'PST', 'JST') AS tokyo
FROM clicks;
