-- Bids per 10-second window: how many, the top price, and the busiest auction's count.
-- Runs as a batch backfill on DuckDB (`nrtg run --mode batch`) and live on Kafka (`--mode stream`).
SELECT window_start, window_end, COUNT(*) AS bids, MAX(price) AS top_price,
       COUNT(DISTINCT auction) AS auctions
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
