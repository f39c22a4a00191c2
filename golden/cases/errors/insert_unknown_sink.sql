-- catalog: basic
-- expect-error: bind-error
-- description: INSERT into an unknown table
INSERT INTO nowhere SELECT user_id, 1 FROM clicks;
