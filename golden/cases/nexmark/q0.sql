-- catalog: nexmark
-- target: both
-- checked: independent DuckDB query in tests/runtime/batch/test_batch_nexmark.py
-- description: Nexmark q0: pass-through projection
SELECT auction, bidder, price, `dateTime`, extra FROM bid;
