-- catalog: nexmark
-- target: plan
-- description: Nexmark q12: processing-time TUMBLE windows (not deterministic: no batch/stream parity)
CREATE VIEW B AS SELECT *, PROCTIME() AS p_time FROM bid;
SELECT B.bidder, COUNT(*) AS bid_count, window_start, window_end
FROM TABLE(TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '10' SECOND))
GROUP BY B.bidder, window_start, window_end;
