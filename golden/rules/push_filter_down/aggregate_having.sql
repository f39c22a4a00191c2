-- HAVING on a group key moves below the aggregate; HAVING on an aggregate cannot.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction HAVING auction > 10 AND COUNT(*) > 2;
