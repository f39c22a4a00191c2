-- catalog: basic
-- expect-error: parse-error
-- description: a dynamic option's value must be a quoted string
SELECT * FROM clicks /*+ OPTIONS('scan.startup.mode' = earliest) */;
