-- catalog: basic
-- target: both
-- checked: by hand against Flink's JSON function docs (golden/data/json_functions/: JSON documents in url)
-- description: JSON_VALUE with RETURNING and ON EMPTY / ON ERROR, JSON_QUERY's wrappers and behaviors, JSON_EXISTS ON ERROR
SELECT user_id,
       JSON_VALUE(url, '$.k' RETURNING INT) AS k,
       JSON_VALUE(url, '$.k' RETURNING INT DEFAULT -1 ON EMPTY DEFAULT -2 ON ERROR) AS k_or,
       JSON_VALUE(url, 'lax $.geo.lat' RETURNING DOUBLE) AS lat,
       JSON_VALUE(url, '$.ok' RETURNING BOOLEAN) AS ok,
       JSON_VALUE(url, 'strict $.price' RETURNING DECIMAL(10, 2) DEFAULT 0 ON ERROR) AS price,
       JSON_QUERY(url, '$.tags') AS tags,
       JSON_QUERY(url, '$.k' WITH CONDITIONAL ARRAY WRAPPER) AS k_array,
       JSON_QUERY(url, 'lax $.geo' EMPTY OBJECT ON EMPTY) AS geo,
       JSON_QUERY(url, '$.tags' RETURNING ARRAY<STRING>) AS tag_list,
       JSON_EXISTS(url, '$.geo') AS has_geo,
       JSON_EXISTS(url, 'strict $.geo' UNKNOWN ON ERROR) AS geo_or_unknown
FROM clicks;
