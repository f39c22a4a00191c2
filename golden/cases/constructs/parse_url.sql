-- catalog: basic
-- target: both
-- checked: by hand against java.net.URL's parts (golden/data/parse_url/; a relative URL does not parse)
-- description: PARSE_URL's parts and a query parameter; STR_TO_MAP of the query
SELECT user_id,
       PARSE_URL(url, 'PROTOCOL') AS protocol,
       PARSE_URL(url, 'HOST') AS host,
       PARSE_URL(url, 'PATH') AS path,
       PARSE_URL(url, 'QUERY') AS query,
       PARSE_URL(url, 'QUERY', 'q') AS q,
       PARSE_URL(url, 'REF') AS ref,
       PARSE_URL(url, 'AUTHORITY') AS authority,
       PARSE_URL(url, 'USERINFO') AS userinfo,
       PARSE_URL(url, 'FILE') AS file,
       STR_TO_MAP(PARSE_URL(url, 'QUERY'), '&') AS params
FROM clicks;
