-- catalog: nexmark
-- target: both
-- description: Nexmark q0: pass-through projection
SELECT auction, bidder, price, `dateTime`, extra FROM bid;
