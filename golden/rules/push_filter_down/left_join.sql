-- Above a LEFT join only the left side's conjunct moves; the right side's stays
-- (it would turn null-extended rows into missing ones). The ON clause's right-only
-- conjunct moves into the right input.
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
    FROM bids b LEFT JOIN auctions a ON b.auction = a.id AND a.seller > 5
) WHERE price > 10 AND category = 7;
