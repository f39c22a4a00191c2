-- Each UNION ALL branch keeps only the column read above the union.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
CREATE TABLE auctions (
    id BIGINT,
    seller BIGINT,
    category BIGINT,
    expires TIMESTAMP(3),
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'auctions', 'format' = 'json');
SELECT id FROM (
    SELECT auction AS id, price AS amount FROM bids
    UNION ALL
    SELECT id, seller FROM auctions
);
