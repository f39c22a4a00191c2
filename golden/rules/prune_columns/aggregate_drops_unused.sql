-- The unread MAX aggregate and the columns only it read are dropped.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT auction, n FROM (SELECT auction, COUNT(*) AS n, MAX(price) AS mp, MIN(channel) AS mc FROM bids GROUP BY auction);
