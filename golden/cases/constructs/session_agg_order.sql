-- catalog: basic
-- target: both
-- checked: by hand (golden/data/session_agg_order/: each session's values in event-time order, ties in arrival order)
-- description: LISTAGG, ARRAY_AGG, FIRST_VALUE and LAST_VALUE in a SESSION window with PARTITION BY take a session's rows in (event time, arrival) order, as the stream target hands them over: rows arrive out of order and tie on event time (/a and /c, /e and /f, /p and /q, /g and /i), and /z arrives last but joins user 3's two sessions into one
SELECT user_id, window_start, window_end, COUNT(*) AS n,
  LISTAGG(url) AS urls, ARRAY_AGG(price) AS prices,
  FIRST_VALUE(url) AS first_url, LAST_VALUE(url) AS last_url,
  FIRST_VALUE(price) AS first_price, LAST_VALUE(price) AS last_price
FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '30' SECOND))
GROUP BY user_id, window_start, window_end;
