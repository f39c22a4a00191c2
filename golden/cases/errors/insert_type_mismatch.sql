-- catalog: basic
-- expect-error: type-error
-- description: INSERT with an incompatible column type
INSERT INTO blackhole_sink SELECT user_id, url FROM clicks;
