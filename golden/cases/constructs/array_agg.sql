-- catalog: basic
-- target: both
-- checked: by hand (golden/data/array_agg/, each user's values in arrival order)
-- description: ARRAY_AGG per group: elements in arrival order, NULLs kept (Flink's default, RESPECT NULLS), repeated values repeated, NULL for a group whose rows FILTER drops; streaming retracts the oldest equal element (so the parity data's values are distinct per group: a retraction of a later duplicate leaves the elements in another order than batch over the rows left, as in Flink)
SELECT user_id,
       ARRAY_AGG(price) AS prices,
       ARRAY_AGG(ts) FILTER (WHERE price > 10) AS dear_times
FROM clicks
GROUP BY user_id;
