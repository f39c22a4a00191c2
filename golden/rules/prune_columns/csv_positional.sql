-- CSV columns are positional: the scan keeps every declared column.
CREATE TABLE lines (
    a BIGINT,
    b STRING,
    c STRING
) WITH ('connector' = 'filesystem', 'path' = '/data/lines', 'format' = 'csv');
SELECT b FROM lines;
