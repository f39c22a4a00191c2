-- First bid per auction and window; rn is selected and becomes the constant 1.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT * FROM (
    SELECT auction, price, ts, window_start, window_end,
        ROW_NUMBER() OVER (PARTITION BY auction, window_start, window_end ORDER BY ts ASC) AS rn
    FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
) WHERE rn = 1;
