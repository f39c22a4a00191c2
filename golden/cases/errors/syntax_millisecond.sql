-- catalog: basic
-- expect-error: parse-error
-- description: MILLISECOND is not a Flink interval unit
SELECT ts + INTERVAL '5' MILLISECOND FROM clicks;
