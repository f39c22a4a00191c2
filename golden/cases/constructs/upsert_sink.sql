-- catalog: basic
-- target: both
-- checked: by hand (golden/data/upsert_sink/, a few rows)
-- description: an updating aggregate into an upsert-kafka sink with a primary key
INSERT INTO upsert_sink SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;
