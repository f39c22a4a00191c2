-- catalog: nexmark
-- prepare: push_filter_down
-- Nexmark q4/q9: with the WHERE pushed into the join condition, `expires` is no time
-- attribute, so only the lower bound is on rowtimes: a regular join.
SELECT B.auction, B.price, A.seller
FROM auction AS A INNER JOIN bid AS B
    ON A.id = B.auction
WHERE B.`dateTime` BETWEEN A.`dateTime` AND A.expires;
