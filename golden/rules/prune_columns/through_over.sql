-- Through an Over: its partition, order and call arguments stay, the rest goes.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT auction, price FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bids
) WHERE rn <= 3;
