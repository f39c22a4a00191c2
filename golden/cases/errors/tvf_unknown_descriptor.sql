-- catalog: basic
-- expect-error: bind-error
-- description: DESCRIPTOR names no column
SELECT * FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(tss), INTERVAL '1' MINUTE));
