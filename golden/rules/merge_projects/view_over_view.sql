-- The view's projection is inlined into the query's.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
CREATE VIEW doubled AS SELECT auction, price * 2 AS p2 FROM bids;
SELECT auction, p2 + 1 AS q FROM doubled;
