-- A window over an upsert source: Flink's window aggregate needs insert-only input.
CREATE TABLE prices (
    item BIGINT,
    price BIGINT,
    note STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND,
    PRIMARY KEY (item) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'prices', 'key.format' = 'json', 'value.format' = 'json');
SELECT window_start, window_end, SUM(price) AS total
FROM TABLE(TUMBLE(TABLE prices, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
