-- catalog: basic
-- target: both
-- description: legacy GROUP BY HOP with HOP_START/HOP_END
SELECT HOP_START(ts, INTERVAL '30' SECOND, INTERVAL '1' MINUTE) AS wstart,
       HOP_END(ts, INTERVAL '30' SECOND, INTERVAL '1' MINUTE) AS wend,
       SUM(price) AS total
FROM clicks
GROUP BY HOP(ts, INTERVAL '30' SECOND, INTERVAL '1' MINUTE);
