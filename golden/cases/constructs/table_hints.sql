-- catalog: basic
-- target: both
-- checked: by hand (golden/data/table_hints/: pairs of a user's clicks on different urls; the hints change no row)
-- description: a dynamic table options hint (merged over the table's options for this reference) and a join hint (accepted, ignored)
SELECT /*+ BROADCAST(b) */ a.user_id, a.url, b.url AS other_url
FROM clicks /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */ AS a
JOIN clicks AS b ON a.user_id = b.user_id AND a.url <> b.url;
