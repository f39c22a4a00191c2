-- catalog: basic
-- target: both
-- checked: by hand (golden/data/ctas_columns/: a declared column the query lacks is NULL and comes first; a redeclared one keeps its place with the declared type)
-- description: CTAS with a column list and a primary key (Flink 2.0): new columns first, then the query's
CREATE TABLE user_totals (
  note STRING,
  n DECIMAL(20, 0),
  PRIMARY KEY (user_id) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'ctas2', 'key.format' = 'json', 'value.format' = 'json')
AS SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id;
