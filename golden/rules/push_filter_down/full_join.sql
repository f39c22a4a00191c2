-- FULL join: the filter moves below the projection but into neither input; the ON clause
-- keeps its one-sided conjunct too.
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
SELECT * FROM (
    SELECT b.auction, b.price, a.category
    FROM bids b FULL JOIN auctions a ON b.auction = a.id AND a.seller > 5
) WHERE price > 10;
