-- catalog: basic
-- expect-error: type-error
-- description: INSERT with the wrong number of columns
INSERT INTO blackhole_sink SELECT user_id FROM clicks;
