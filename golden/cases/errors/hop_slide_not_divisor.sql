-- catalog: basic
-- expect-error: validation-error
-- description: HOP size not a multiple of the slide
SELECT window_start, COUNT(*) FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '7' SECOND, INTERVAL '10' SECOND)) GROUP BY window_start, window_end;
