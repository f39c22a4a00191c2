-- catalog: basic
-- target: both
-- checked: by hand (golden/data/values_intervals/, a few rows)
-- description: VALUES and the interval literal forms
SELECT * FROM (VALUES (1, INTERVAL '10' SECOND), (2, INTERVAL '1:30' MINUTE TO SECOND), (3, INTERVAL '1.500' SECOND)) AS v(id, d);
