-- catalog: basic
-- target: both
-- checked: by hand (golden/data/topn/, a few rows)
-- description: Top-N per key from ROW_NUMBER
SELECT user_id, url, price FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY price DESC) AS rn FROM clicks
) WHERE rn <= 2;
