-- prepare: window_aggregate
-- Top 2 auctions per window by bid count, over a window aggregate; rn not selected.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT auction, n, window_start, window_end FROM (
    SELECT *, RANK() OVER (PARTITION BY window_start, window_end ORDER BY n DESC) AS rn
    FROM (
        SELECT auction, window_start, window_end, COUNT(*) AS n
        FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
        GROUP BY auction, window_start, window_end
    )
) WHERE rn <= 2;
