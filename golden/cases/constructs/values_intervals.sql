-- catalog: basic
-- target: both
-- description: VALUES and the interval literal forms
SELECT * FROM (VALUES (1, INTERVAL '10' SECOND), (2, INTERVAL '1:30' MINUTE TO SECOND), (3, INTERVAL '1.500' SECOND)) AS v(id, d);
