-- catalog: nexmark
-- target: both
-- description: Nexmark q1: currency conversion (DECIMAL arithmetic)
SELECT auction, bidder, 0.908 * price AS price, `dateTime`, extra FROM bid;
