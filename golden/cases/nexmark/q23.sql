-- catalog: nexmark
-- target: both
-- checked: independent DuckDB query in tests/runtime/batch/test_batch_nexmark.py
-- description: Nexmark q23: three-way regular join
SELECT P.id AS seller_id, P.name, A.id AS auction_id, B.price
FROM person AS P
JOIN auction AS A ON A.seller = P.id
JOIN bid AS B ON B.auction = A.id;
