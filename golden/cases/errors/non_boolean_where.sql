-- catalog: basic
-- expect-error: type-error
-- description: WHERE must be BOOLEAN
SELECT user_id FROM clicks WHERE price;
