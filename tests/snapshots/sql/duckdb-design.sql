-- invitestat count table for study 'engines' (codebook SHA-256 ffccf57e043d16910f4dd860473be24f7477a34c958cb8518b5c8e0c28bfa90b), duckdb dialect.
-- Read every column as text, e.g. read_csv('responses.csv', all_varchar = true); write the result as CSV or Parquet
-- and analyse it with: invitestat merge RESULT --codebook CODEBOOK.
WITH c AS (
  SELECT
    NULLIF(TRIM(CAST("g" AS VARCHAR)), '') AS c0,
    NULLIF(TRIM(CAST("w" AS VARCHAR)), '') AS c1,
    NULLIF(TRIM(CAST("stratum" AS VARCHAR)), '') AS c2,
    NULLIF(TRIM(CAST("cluster" AS VARCHAR)), '') AS c3,
    NULLIF(TRIM(CAST("fpc" AS VARCHAR)), '') AS c4,
    NULLIF(TRIM(CAST("use" AS VARCHAR)), '') AS c5,
    NULLIF(TRIM(CAST("accept" AS VARCHAR)), '') AS c6,
    NULLIF(TRIM(CAST("why_net" AS VARCHAR)), '') AS c7,
    NULLIF(TRIM(CAST("why_lead" AS VARCHAR)), '') AS c8,
    NULLIF(TRIM(CAST("why_known" AS VARCHAR)), '') AS c9,
    NULLIF(TRIM(CAST("heard_1st" AS VARCHAR)), '') AS c10,
    NULLIF(TRIM(CAST("heard_2nd" AS VARCHAR)), '') AS c11
  FROM responses
),
r AS (
  SELECT
    c0 AS g,
    CASE WHEN c0 IS NULL THEN CAST(0 AS DOUBLE) WHEN CAST(c1 AS DOUBLE) >= 0 THEN CAST(c1 AS DOUBLE) ELSE CAST('NaN' AS DOUBLE) END AS w,
    c2 AS s,
    c3 AS k,
    CAST(c4 AS DOUBLE) AS f,
    CASE WHEN c5 IN ('99') THEN NULL ELSE c5 END AS a0,
    CASE WHEN (CASE WHEN c5 IN ('99') THEN NULL ELSE c5 END) IS NULL THEN NULL WHEN (CASE WHEN c5 IN ('99') THEN NULL ELSE c5 END) IN ('1', '2') THEN '1' ELSE '0' END AS a1,
    c6 AS a2,
    CASE WHEN c7 IS NOT NULL AND c7 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c7) WHEN c8 IS NOT NULL AND c8 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c8) WHEN c9 IS NOT NULL AND c9 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c9) WHEN NOT ((c7 IS NOT NULL AND c7 NOT IN ('9')) OR (c8 IS NOT NULL AND c8 NOT IN ('9')) OR (c9 IS NOT NULL AND c9 NOT IN ('9'))) THEN NULL WHEN (c7 = '1') THEN '1' ELSE '0' END AS a3,
    CASE WHEN c7 IS NOT NULL AND c7 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c7) WHEN c8 IS NOT NULL AND c8 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c8) WHEN c9 IS NOT NULL AND c9 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c9) WHEN NOT ((c7 IS NOT NULL AND c7 NOT IN ('9')) OR (c8 IS NOT NULL AND c8 NOT IN ('9')) OR (c9 IS NOT NULL AND c9 NOT IN ('9'))) THEN NULL WHEN (c8 = '1') THEN '1' ELSE '0' END AS a4,
    CASE WHEN c7 IS NOT NULL AND c7 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c7) WHEN c8 IS NOT NULL AND c8 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c8) WHEN c9 IS NOT NULL AND c9 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c9) WHEN NOT ((c7 IS NOT NULL AND c7 NOT IN ('9')) OR (c8 IS NOT NULL AND c8 NOT IN ('9')) OR (c9 IS NOT NULL AND c9 NOT IN ('9'))) THEN NULL WHEN (c9 = '1') THEN '1' ELSE '0' END AS a5,
    CASE WHEN c7 IS NOT NULL AND c7 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c7) WHEN c8 IS NOT NULL AND c8 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c8) WHEN c9 IS NOT NULL AND c9 NOT IN ('1', '0', '2', '9') THEN CONCAT('unknown code in why: ', c9) WHEN NOT ((c7 IS NOT NULL AND c7 NOT IN ('9')) OR (c8 IS NOT NULL AND c8 NOT IN ('9')) OR (c9 IS NOT NULL AND c9 NOT IN ('9'))) THEN NULL WHEN (c7 = '1') OR (c8 = '1') THEN '1' ELSE '0' END AS a6,
    CASE WHEN c10 IS NOT NULL AND c10 NOT IN ('c', 's', 'e') THEN CONCAT('unknown code in heard: ', c10) WHEN c11 IS NOT NULL AND c11 NOT IN ('c', 's', 'e') THEN CONCAT('unknown code in heard: ', c11) WHEN NOT ((c10 IS NOT NULL) OR (c11 IS NOT NULL)) THEN NULL WHEN ((c10 = 'c' OR c11 = 'c')) THEN '1' ELSE '0' END AS a7,
    CASE WHEN c10 IS NOT NULL AND c10 NOT IN ('c', 's', 'e') THEN CONCAT('unknown code in heard: ', c10) WHEN c11 IS NOT NULL AND c11 NOT IN ('c', 's', 'e') THEN CONCAT('unknown code in heard: ', c11) WHEN NOT ((c10 IS NOT NULL) OR (c11 IS NOT NULL)) THEN NULL WHEN ((c10 = 's' OR c11 = 's')) THEN '1' ELSE '0' END AS a8,
    CASE WHEN c10 IS NOT NULL AND c10 NOT IN ('c', 's', 'e') THEN CONCAT('unknown code in heard: ', c10) WHEN c11 IS NOT NULL AND c11 NOT IN ('c', 's', 'e') THEN CONCAT('unknown code in heard: ', c11) WHEN NOT ((c10 IS NOT NULL) OR (c11 IS NOT NULL)) THEN NULL WHEN ((c10 = 'e' OR c11 = 'e')) THEN '1' ELSE '0' END AS a9
  FROM c
)
SELECT '*' AS "question", '*' AS "option", COALESCE(g, '') AS "group", COUNT(*) AS "count", SUM(w) AS "weight_sum", SUM(w * w) AS "weight_sq_sum", SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END) AS "positive", COALESCE(s, '') AS "stratum", COALESCE(k, '') AS "cluster", CASE WHEN COUNT(f) = COUNT(*) AND MIN(f) = MAX(f) THEN MIN(f) ELSE CAST('NaN' AS DOUBLE) END AS "fpc" FROM r GROUP BY 3, 8, 9
UNION ALL SELECT 'use', COALESCE(a0, ''), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), COALESCE(s, ''), COALESCE(k, ''), CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL GROUP BY 2, 3, 8, 9
UNION ALL SELECT 'use_jobs', COALESCE(a1, ''), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), COALESCE(s, ''), COALESCE(k, ''), CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL GROUP BY 2, 3, 8, 9
UNION ALL SELECT 'accept', COALESCE(a2, ''), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), COALESCE(s, ''), COALESCE(k, ''), CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL GROUP BY 2, 3, 8, 9
UNION ALL SELECT 'why_net', COALESCE(a3, ''), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), COALESCE(s, ''), COALESCE(k, ''), CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL GROUP BY 2, 3, 8, 9
UNION ALL SELECT 'why_lead', COALESCE(a4, ''), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), COALESCE(s, ''), COALESCE(k, ''), CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL GROUP BY 2, 3, 8, 9
UNION ALL SELECT 'why_known', COALESCE(a5, ''), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), COALESCE(s, ''), COALESCE(k, ''), CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL GROUP BY 2, 3, 8, 9
UNION ALL SELECT 'why_career', COALESCE(a6, ''), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), COALESCE(s, ''), COALESCE(k, ''), CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL GROUP BY 2, 3, 8, 9
UNION ALL SELECT 'heard_c', COALESCE(a7, ''), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), COALESCE(s, ''), COALESCE(k, ''), CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL GROUP BY 2, 3, 8, 9
UNION ALL SELECT 'heard_s', COALESCE(a8, ''), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), COALESCE(s, ''), COALESCE(k, ''), CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL GROUP BY 2, 3, 8, 9
UNION ALL SELECT 'heard_e', COALESCE(a9, ''), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), COALESCE(s, ''), COALESCE(k, ''), CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL GROUP BY 2, 3, 8, 9
UNION ALL SELECT 'why_net&why_lead', CONCAT(CASE WHEN a3 = '1' THEN '1' ELSE '0' END, '&', CASE WHEN a4 = '1' THEN '1' ELSE '0' END), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), '', '', CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL AND a3 IS NOT NULL AND a4 IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'why_net&why_known', CONCAT(CASE WHEN a3 = '1' THEN '1' ELSE '0' END, '&', CASE WHEN a5 = '1' THEN '1' ELSE '0' END), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), '', '', CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL AND a3 IS NOT NULL AND a5 IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'why_lead&why_known', CONCAT(CASE WHEN a4 = '1' THEN '1' ELSE '0' END, '&', CASE WHEN a5 = '1' THEN '1' ELSE '0' END), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), '', '', CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL AND a4 IS NOT NULL AND a5 IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'heard_c&heard_s', CONCAT(CASE WHEN a7 = '1' THEN '1' ELSE '0' END, '&', CASE WHEN a8 = '1' THEN '1' ELSE '0' END), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), '', '', CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL AND a7 IS NOT NULL AND a8 IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'heard_c&heard_e', CONCAT(CASE WHEN a7 = '1' THEN '1' ELSE '0' END, '&', CASE WHEN a9 = '1' THEN '1' ELSE '0' END), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), '', '', CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL AND a7 IS NOT NULL AND a9 IS NOT NULL GROUP BY 2, 3
UNION ALL SELECT 'heard_s&heard_e', CONCAT(CASE WHEN a8 = '1' THEN '1' ELSE '0' END, '&', CASE WHEN a9 = '1' THEN '1' ELSE '0' END), COALESCE(g, ''), COUNT(*), SUM(w), SUM(w * w), SUM(CASE WHEN w > 0 THEN 1 ELSE 0 END), '', '', CAST(NULL AS DOUBLE) FROM r WHERE g IS NOT NULL AND a8 IS NOT NULL AND a9 IS NOT NULL GROUP BY 2, 3
