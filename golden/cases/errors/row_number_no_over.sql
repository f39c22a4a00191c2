-- catalog: basic
-- expect-error: type-error
-- description: ROW_NUMBER() without OVER
SELECT ROW_NUMBER() FROM clicks;
