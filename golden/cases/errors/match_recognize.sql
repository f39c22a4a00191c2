-- catalog: basic
-- expect-error: unsupported
-- description: MATCH_RECOGNIZE is parsed and refused
SELECT * FROM clicks MATCH_RECOGNIZE (PARTITION BY user_id ORDER BY ts MEASURES A.url AS u ONE ROW PER MATCH PATTERN (A B) DEFINE A AS A.price > 10);
