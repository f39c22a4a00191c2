-- catalog: basic
-- target: both
-- checked: by hand (clock values differ per run: only facts true at any time are selected)
-- description: the clock functions, bare keywords included (LOCALTIMESTAMP, LOCALTIME): one reading per query in batch, per batch of records in streaming
SELECT user_id,
       LOCALTIMESTAMP > ts AS after_ts,
       CAST(LOCALTIMESTAMP AS DATE) = CURRENT_DATE AS same_date,
       LOCALTIME = CURRENT_TIME AS same_time,
       CAST(LOCALTIME AS STRING) = DATE_FORMAT(LOCALTIMESTAMP, 'HH:mm:ss') AS whole_seconds,
       NOW() = CURRENT_TIMESTAMP AS now_is_current
FROM clicks;
