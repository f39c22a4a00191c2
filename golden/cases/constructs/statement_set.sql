-- catalog: basic
-- target: plan
-- description: EXECUTE STATEMENT SET with two INSERTs sharing a source; BEGIN STATEMENT SET form too
EXECUTE STATEMENT SET BEGIN
INSERT INTO blackhole_sink SELECT user_id, 1 FROM clicks;
INSERT INTO upsert_sink SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;
END;
BEGIN STATEMENT SET;
INSERT INTO blackhole_sink SELECT id, amount FROM plain_events;
END;
