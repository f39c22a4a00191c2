-- catalog: basic
-- expect-error: validation-error
-- description: the merged options of a hinted table reference are checked like the table's own, the error at the hint
SELECT * FROM clicks /*+ OPTIONS('scan.startup.mod' = 'latest-offset') */;
