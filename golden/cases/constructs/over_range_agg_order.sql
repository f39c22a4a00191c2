-- catalog: basic
-- target: both
-- checked: by hand (golden/data/over_range_agg_order/: each frame's values in event-time order, ties in arrival order; user 1 at 10:00:10 gives "/b,/d,/a,/c" and 20.50, at 10:02:00 "/h,/g,/i")
-- description: LISTAGG, FIRST_VALUE and ARRAY_AGG over RANGE frames (an INTERVAL one and the default UNBOUNDED PRECEDING one) hold every peer and take tied rows in arrival order, as the stream target does: rows arrive out of order and tie on event time (/a and /c, /e and /f, /p and /q, /g and /i); the batch target turns each frame into the ROWS frame over (time, arrival) that holds the same rows
SELECT user_id, url, ts,
  LISTAGG(url) OVER (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW) AS last3s,
  FIRST_VALUE(price) OVER (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW) AS first3s,
  ARRAY_AGG(price) OVER (PARTITION BY user_id ORDER BY ts) AS so_far
FROM clicks;
