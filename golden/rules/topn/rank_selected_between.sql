-- DENSE_RANK with BETWEEN and another conjunct; rn is selected (Nexmark q19 style).
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT * FROM (
    SELECT auction, bidder, price,
        DENSE_RANK() OVER (PARTITION BY auction ORDER BY price DESC) AS rn
    FROM bids
) WHERE rn BETWEEN 2 AND 10 AND bidder > 5;
