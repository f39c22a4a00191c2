-- First bid per auction, rn selected: insert-only output.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT * FROM (
    SELECT auction, price, ts, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY ts ASC) AS rn
    FROM bids
) WHERE rn = 1;
