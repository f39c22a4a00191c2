-- catalog: basic
-- expect-error: bind-error
-- description: ROW_NUMBER() OVER without ORDER BY
SELECT * FROM (SELECT user_id, ROW_NUMBER() OVER (PARTITION BY user_id) AS rn FROM clicks) WHERE rn <= 1;
