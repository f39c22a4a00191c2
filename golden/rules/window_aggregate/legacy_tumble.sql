-- Legacy GROUP BY TUMBLE(...) is bound as a TVF + Aggregate and recognised the same way.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT auction, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS wstart, COUNT(*) AS n
FROM bids
GROUP BY auction, TUMBLE(ts, INTERVAL '1' MINUTE);
