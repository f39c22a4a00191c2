-- A changelog source (debezium-json) keeps its primary key: deletes and updates name the row
-- by it.
CREATE TABLE prices (
    item BIGINT,
    price BIGINT,
    note STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND,
    PRIMARY KEY (item) NOT ENFORCED
) WITH ('connector' = 'kafka', 'topic' = 'prices', 'format' = 'debezium-json');
SELECT price FROM prices;
