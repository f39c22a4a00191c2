-- catalog: nexmark
-- target: both
-- checked: independent DuckDB query in tests/runtime/batch/test_batch_nexmark.py
-- description: Nexmark q11: user sessions (legacy GROUP BY SESSION)
SELECT B.bidder, COUNT(*) AS bid_count,
       SESSION_START(B.`dateTime`, INTERVAL '10' SECOND) AS starttime,
       SESSION_END(B.`dateTime`, INTERVAL '10' SECOND) AS endtime
FROM bid B
GROUP BY B.bidder, SESSION(B.`dateTime`, INTERVAL '10' SECOND);
