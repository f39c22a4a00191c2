-- catalog: basic
-- expect-error: bind-error
-- description: WITH ORDINALITY adds a column: the alias must also name the position
SELECT t.tag FROM clicks AS c CROSS JOIN UNNEST(c.tags) WITH ORDINALITY AS t(tag);
