-- catalog: basic
-- target: both
-- checked: by hand (golden/data/scalar_subquery_having/: the events have three distinct non-NULL ids; only user 1 has three clicks or more)
-- description: a scalar subquery in HAVING of a grouped query (grouped by its one value too)
SELECT user_id, COUNT(*) AS clicks
FROM clicks
GROUP BY user_id
HAVING COUNT(*) >= (SELECT COUNT(DISTINCT id) FROM plain_events);
