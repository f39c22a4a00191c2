-- prepare: push_filter_down
-- Pushdown moves the outer WHERE below the identity projection, next to the inner one.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT auction, price FROM (SELECT * FROM bids WHERE price > 10) WHERE auction < 100;
