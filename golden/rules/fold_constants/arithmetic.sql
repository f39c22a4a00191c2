-- Flink semantics: integer division truncates, MOD takes the dividend's sign, DECIMAL
-- division rounds HALF_UP to the result scale; overflow and division by zero are not folded.
CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');
SELECT
    7 / 2 AS a,
    MOD(-7, 2) AS b,
    -7 / 2 AS c,
    1.0 / 3 AS d,
    'a' || 'b' AS e,
    1 + 2 * 3 AS f,
    2147483647 + 1 AS g,
    1 / 0 AS h,
    price + (2 - 1) AS i
FROM bids;
