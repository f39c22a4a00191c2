-- catalog: nexmark
-- target: plan
-- expect-error: unsupported
-- description: Nexmark q6: average selling price per seller. Flink refuses it (FLINK-19059: OVER on an updating input); so does nrtg.
SELECT Q.seller,
       AVG(Q.final) OVER (PARTITION BY Q.seller ORDER BY Q.`dateTime` ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS avg_final
FROM (
    SELECT seller, final, `dateTime`
    FROM (
        SELECT A.seller, B.price AS final, A.`dateTime`,
               ROW_NUMBER() OVER (PARTITION BY A.id, A.seller ORDER BY B.price DESC) AS rownum
        FROM auction AS A, bid AS B
        WHERE A.id = B.auction AND B.`dateTime` BETWEEN A.`dateTime` AND A.expires
    )
    WHERE rownum <= 1
) AS Q;
