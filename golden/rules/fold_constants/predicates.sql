-- CAST(10 AS BIGINT) becomes a literal, `AND TRUE` and `NOT NOT` go, WHERE 1 = 1 goes.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT auction FROM bids WHERE price > 1 AND TRUE AND NOT NOT (bidder > 2);
SELECT auction FROM bids WHERE 1 = 1;
