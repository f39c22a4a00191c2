-- catalog: nexmark
-- target: both
-- description: Nexmark q2: selection by auction id
SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;
