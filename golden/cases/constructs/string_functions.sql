-- catalog: basic
-- target: both
-- checked: by hand against Flink's docs and implementations (golden/data/string_functions/)
-- description: INITCAP, URL_ENCODE/URL_DECODE, IS_ALPHA/IS_DIGIT/IS_DECIMAL, TYPEOF, ARRAY_DISTINCT, ARRAY_REMOVE
SELECT user_id,
       INITCAP(url) AS title,
       URL_ENCODE(url) AS encoded,
       URL_DECODE(url) AS decoded,
       IS_ALPHA(info.country) AS alpha,
       IS_DIGIT(CAST(user_id AS STRING)) AS digits,
       IS_DECIMAL(CAST(price AS STRING)) AS decimal_text,
       TYPEOF(price) AS price_type,
       ARRAY_DISTINCT(tags) AS distinct_tags,
       ARRAY_REMOVE(tags, 'y') AS without_y
FROM clicks;
