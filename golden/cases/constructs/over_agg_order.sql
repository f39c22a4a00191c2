-- catalog: basic
-- target: both
-- checked: by hand (golden/data/over_agg_order/: each frame's values in event-time order, ties in arrival order)
-- description: LISTAGG, ARRAY_AGG, FIRST_VALUE and LAST_VALUE over ROWS frames count and take tied rows in arrival order, as the stream target does: rows arrive out of order and tie on event time (/a and /c, /e and /f, /p and /q, /g and /i); two windows, so two OVER nodes, the second numbering nothing again
SELECT user_id, url, ts,
  LISTAGG(url) OVER (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS last3,
  FIRST_VALUE(price) OVER (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS first3,
  ARRAY_AGG(price) OVER (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prices2,
  LAST_VALUE(url) OVER (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS last2
FROM clicks;
