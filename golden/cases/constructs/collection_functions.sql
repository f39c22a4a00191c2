-- catalog: basic
-- target: both
-- checked: by hand against Flink's collection and string function docs (golden/data/collection_functions/)
-- description: ARRAY_APPEND/PREPEND/SORT/UNION/EXCEPT/INTERSECT, STARTSWITH, REGEXP_SUBSTR/INSTR, CEIL(ts TO unit)
SELECT user_id,
       ARRAY_APPEND(tags, 'z') AS appended,
       ARRAY_PREPEND(tags, 'a') AS prepended,
       ARRAY_SORT(tags, FALSE) AS sorted_desc,
       ARRAY_UNION(tags, ARRAY['y', 'w']) AS unioned,
       ARRAY_EXCEPT(tags, ARRAY['y']) AS excepted,
       ARRAY_INTERSECT(tags, ARRAY['y', 'x']) AS intersected,
       STARTSWITH(url, '/s') AS search,
       REGEXP_SUBSTR(url, 'q=[^&+]*') AS query,
       REGEXP_INSTR(url, '[?]') AS question_at,
       CEIL(ts TO MINUTE) AS next_minute
FROM clicks;
