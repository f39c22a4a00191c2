-- catalog: basic
-- expect-error: validation-error
-- description: an updating result into an append-only Kafka sink
INSERT INTO append_sink SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;
