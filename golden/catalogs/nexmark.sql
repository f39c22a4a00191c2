-- The Nexmark source in the Flink suite's one-table layout, over the JSON lines that
-- `nrtg nexmark generate --out DIR` writes (${NEXMARK_PATH} = DIR). One of `person`, `auction`,
-- `bid` is non-null per row, as `event_type` says (0, 1, 2). `dateTime` is a Flink reserved word
-- and is quoted everywhere. Text fields are STRING, which is what Flink DDL makes of the suite's
-- bare VARCHAR (VARCHAR(2147483647)); spelled out so that nobody reads VARCHAR(1).
CREATE TABLE nexmark (
    event_type INT,
    person ROW<
        id BIGINT,
        name STRING,
        emailAddress STRING,
        creditCard STRING,
        city STRING,
        state STRING,
        `dateTime` TIMESTAMP(3),
        extra STRING>,
    auction ROW<
        id BIGINT,
        itemName STRING,
        description STRING,
        initialBid BIGINT,
        reserve BIGINT,
        `dateTime` TIMESTAMP(3),
        expires TIMESTAMP(3),
        seller BIGINT,
        category BIGINT,
        extra STRING>,
    bid ROW<
        auction BIGINT,
        bidder BIGINT,
        price BIGINT,
        channel STRING,
        url STRING,
        `dateTime` TIMESTAMP(3),
        extra STRING>,
    `dateTime` AS
        CASE
            WHEN event_type = 0 THEN person.`dateTime`
            WHEN event_type = 1 THEN auction.`dateTime`
            ELSE bid.`dateTime`
        END,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'filesystem',
    'path' = '${NEXMARK_PATH}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'SQL'
);

-- The views select the table's computed `dateTime`, which equals the row's own `dateTime` under
-- each view's filter, so that it stays the rowtime attribute that windows and interval joins need
-- (a nested field such as person.`dateTime` would be a plain TIMESTAMP(3)).
CREATE VIEW person AS
SELECT
    person.id,
    person.name,
    person.emailAddress,
    person.creditCard,
    person.city,
    person.state,
    `dateTime`,
    person.extra
FROM nexmark
WHERE event_type = 0;

CREATE VIEW auction AS
SELECT
    auction.id,
    auction.itemName,
    auction.description,
    auction.initialBid,
    auction.reserve,
    `dateTime`,
    auction.expires,
    auction.seller,
    auction.category,
    auction.extra
FROM nexmark
WHERE event_type = 1;

CREATE VIEW bid AS
SELECT
    bid.auction,
    bid.bidder,
    bid.price,
    bid.channel,
    bid.url,
    `dateTime`,
    bid.extra
FROM nexmark
WHERE event_type = 2;
