-- catalog: nexmark
-- target: both
-- checked: independent DuckDB query in tests/runtime/batch/test_batch_nexmark.py
-- description: Nexmark q2: selection by auction id
SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;
