-- catalog: basic
-- expect-error: unsupported
-- description: a Flink option nrtg does not honour is refused when ignoring it would change the rows read
CREATE TABLE files (id BIGINT) WITH (
    'connector' = 'filesystem',
    'path' = '/tmp/in',
    'format' = 'csv',
    'source.monitor-interval' = '10 s'
);
