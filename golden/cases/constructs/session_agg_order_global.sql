-- catalog: basic
-- target: both
-- checked: by hand (golden/data/session_agg_order_global/, the input of session_agg_order: each session's values in event-time order, ties in arrival order)
-- description: LISTAGG, ARRAY_AGG, FIRST_VALUE and LAST_VALUE in a SESSION window without PARTITION BY take a session's rows in (event time, arrival) order
SELECT window_start, window_end, COUNT(*) AS n,
  LISTAGG(url, ' ') AS urls, ARRAY_AGG(price) AS prices,
  FIRST_VALUE(url) AS first_url, LAST_VALUE(url) AS last_url,
  FIRST_VALUE(price) AS first_price, LAST_VALUE(price) AS last_price
FROM TABLE(SESSION(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
