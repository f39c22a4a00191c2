-- catalog: basic
-- expect-error: type-error
-- description: window size must be an interval literal
SELECT * FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), 10));
