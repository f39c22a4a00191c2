-- catalog: basic
-- expect-error: catalog-error
-- description: DROP TABLE of an unknown table
DROP TABLE nope;
