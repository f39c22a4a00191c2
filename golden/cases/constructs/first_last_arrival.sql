-- catalog: basic
-- target: both
-- checked: by hand (golden/data/first_last_arrival/: rows arrive out of time order; user 1 gives 5.00, 15.00, 20.00, "5.00;20.00;15.00" (time order would give 20.00 first, 5.00 last); user 2 gives 7.00, 3.00, 7.00, "7.00;3.00")
-- description: FIRST_VALUE, LAST_VALUE and LISTAGG per group take the group's rows in arrival order, not time order, skipping NULL values (one FIRST_VALUE with FILTER); the batch target numbers the input rows ("$arr") and takes the least/greatest number (arg_min/arg_max) or orders by it inside the call (the parity data's prices are distinct per group: a stream retraction removes the oldest equal value)
SELECT user_id,
       FIRST_VALUE(price) AS first_price,
       LAST_VALUE(price) AS last_price,
       FIRST_VALUE(price) FILTER (WHERE url IS NOT NULL) AS first_price_with_url,
       LISTAGG(CAST(price AS STRING), ';') AS prices
FROM clicks
GROUP BY user_id;
