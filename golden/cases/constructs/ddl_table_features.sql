-- catalog: basic
-- target: plan
-- description: computed and metadata columns, watermark, primary key, partitions, LIKE
CREATE TABLE orders (
    order_id BIGINT,
    amount DECIMAL(10, 2),
    fee AS amount * 0.1,
    kafka_ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
    part INT METADATA FROM 'partition' VIRTUAL,
    order_time TIMESTAMP(3),
    region STRING,
    WATERMARK FOR order_time AS order_time - INTERVAL '10' SECOND,
    PRIMARY KEY (order_id) NOT ENFORCED
) COMMENT 'orders from Kafka'
PARTITIONED BY (region)
WITH ('connector' = 'kafka', 'topic' = 'orders', 'format' = 'json');
CREATE TEMPORARY TABLE orders_copy WITH ('topic' = 'orders2') LIKE orders (EXCLUDING WATERMARKS);
SELECT order_id, amount, fee, kafka_ts, part, region FROM orders;
