-- An upsert source keeps its primary key (it identifies the row a change applies to).
CREATE TABLE prices (
    item BIGINT,
    price BIGINT,
    note STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND,
    PRIMARY KEY (item) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'prices', 'key.format' = 'json', 'value.format' = 'json');
SELECT price FROM prices;
