-- catalog: nexmark
-- target: both
-- checked: independent DuckDB query in tests/runtime/batch/test_batch_nexmark.py
-- description: Nexmark q1: currency conversion (DECIMAL arithmetic)
SELECT auction, bidder, 0.908 * price AS price, `dateTime`, extra FROM bid;
