-- catalog: nexmark
-- prepare: push_filter_down
-- The same shape with an upper bound on rowtimes: once pushdown has put the WHERE into the
-- join condition, it is an interval join.
SELECT B.auction, B.price, A.seller
FROM auction AS A INNER JOIN bid AS B
    ON A.id = B.auction
WHERE B.`dateTime` BETWEEN A.`dateTime` AND A.`dateTime` + INTERVAL '1' DAY;
