-- catalog: basic
-- target: both
-- checked: by hand against Flink's JSON function docs (golden/data/json_construction/: JSON documents in url)
-- description: JSON_OBJECT and JSON_ARRAY (NULL / ABSENT ON NULL, nesting), JSON_STRING, IS [NOT] JSON
SELECT user_id,
       JSON_OBJECT(KEY 'user' VALUE user_id, 'doc' VALUE url ABSENT ON NULL) AS wrapped,
       JSON_OBJECT('price' VALUE price, 'tags' VALUE JSON_ARRAY(user_id, CAST(NULL AS STRING) NULL ON NULL)) AS nested,
       JSON_STRING(url) AS quoted,
       url IS JSON AS is_json,
       url IS JSON OBJECT AS is_object,
       url IS NOT JSON SCALAR AS not_scalar
FROM clicks;
