-- catalog: nexmark
-- target: both
-- checked: independent DuckDB query in tests/runtime/batch/test_batch_nexmark.py
-- description: Nexmark q4: average price per category (join + MAX per auction + AVG over a retracting input)
SELECT Q.category, AVG(Q.final) AS avg_final
FROM (
    SELECT MAX(B.price) AS final, A.category
    FROM auction A, bid B
    WHERE A.id = B.auction AND B.`dateTime` BETWEEN A.`dateTime` AND A.expires
    GROUP BY A.id, A.category
) Q
GROUP BY Q.category;
