-- Each join side keeps what the projection and the condition read.
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
SELECT b.price, a.seller FROM bids b JOIN auctions a ON b.auction = a.id;
