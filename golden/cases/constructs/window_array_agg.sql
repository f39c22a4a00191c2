-- catalog: basic
-- target: both
-- checked: by hand (golden/data/window_array_agg/, each window's values in arrival order)
-- description: ARRAY_AGG in a TUMBLE window aggregate: a window's elements in arrival order, NULLs kept
SELECT window_start, user_id, ARRAY_AGG(url) AS urls, ARRAY_AGG(price) AS prices
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '2' MINUTE))
GROUP BY window_start, window_end, user_id;
