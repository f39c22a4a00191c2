-- catalog: nexmark
-- target: plan
-- description: Nexmark q13: processing-time lookup join against a bounded side input (legacy connector.type options)
CREATE TABLE side_input (
    key BIGINT,
    `value` VARCHAR
) WITH (
    'connector.type' = 'filesystem',
    'connector.path' = '${SIDE_INPUT}',
    'format.type' = 'csv'
);
CREATE VIEW B AS SELECT *, PROCTIME() AS p_time FROM bid;
SELECT B.auction, B.bidder, B.price, B.`dateTime`, S.`value`
FROM B
JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S
ON MOD(B.auction, 10000) = S.key;
