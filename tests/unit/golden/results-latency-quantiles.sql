WITH 
  exposed AS (
  SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at
  FROM exposures
  WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
  GROUP BY user_id
  HAVING uniqExact(variant_key) = 1 AND min(first_exposed_at) < {to:DateTime64(3, 'UTC')}),
  exposed_all AS (SELECT user_id, variant, first_at, cityHash64(user_id, variant, first_at) AS exposure_hash FROM (
  SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at
  FROM exposures
  WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
  GROUP BY user_id
  HAVING uniqExact(variant_key) = 1)),
  fresh AS (
    SELECT t.1 AS day, t.2 AS build_id, t.3 AS max_first_at, t.4 AS min_timestamp, t.5 AS max_timestamp, t.6 AS users, t.7 AS users_checksum
    FROM (SELECT arrayJoin({freshDays:Array(Tuple(Date, UInt64, DateTime64(3, 'UTC'), DateTime64(3, 'UTC'), DateTime64(3, 'UTC'),
                                                  UInt64, UInt64))}) AS t)),
  tail_days AS (
    SELECT t.1 AS day, t.2 AS mark FROM (SELECT arrayJoin({tailDays:Array(Tuple(Date, DateTime64(3, 'UTC')))}) AS t)),
  clean AS (
    -- fresh days whose every row holds as built: no tail; the users the build covered exposed now exactly
    -- as then (their count and checksum, over the exposures this query reads); and the window taking the
    -- day's post-exposure rows whole or not at all. Their rows need no check against each user's exposure.
    SELECT f.day AS day
    FROM fresh AS f
    INNER JOIN (
        SELECT b.day AS day, countIf((toDate(x.first_at) - 14 <= b.day AND x.first_at <= b.max_first_at)) AS users, sumIf(x.exposure_hash, (toDate(x.first_at) - 14 <= b.day AND x.first_at <= b.max_first_at)) AS users_checksum
        FROM fresh AS b CROSS JOIN exposed_all AS x
        GROUP BY b.day) AS c ON c.day = f.day
    WHERE c.users = f.users AND c.users_checksum = f.users_checksum AND f.day NOT IN (SELECT day FROM tail_days)
      AND ((f.max_timestamp < {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {to:DateTime64(3, 'UTC')}) OR (f.min_timestamp >= {from:DateTime64(3, 'UTC')} AND f.max_timestamp < {to:DateTime64(3, 'UTC')}))),
  -- computed once, a constant for the rest of the query (each reference to a CTE computes it again)
  (SELECT groupArray(day) FROM clean) AS clean_days,
  rollup_clean AS (
    SELECT * FROM experiment_user_daily
    WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND has(clean_days, day) AND (day, build_id) IN (SELECT day, build_id FROM fresh)),
  rollup_checked AS (
    -- the other fresh days' rows (by the table's key, so that none are read when every day is clean)
    SELECT * FROM experiment_user_daily
    WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND NOT has(clean_days, day) AND (day, build_id) IN (SELECT day, build_id FROM fresh)),
  tail_pairs AS (
    -- users with rows inserted into a fresh day after its build (see freshDaysSql): read raw that day
    SELECT DISTINCT d.day AS day, e.user_id AS user_id
    FROM events AS e INNER JOIN tail_days AS d ON d.day = toDate(e.timestamp)
    WHERE e.project_id = {projectId:String} AND toDate(e.timestamp) IN (SELECT day FROM tail_days)
      AND e.ingested_at > (SELECT min(mark) FROM tail_days) AND e.ingested_at > d.mark AND e.ingested_at <= {asOf:DateTime64(3, 'UTC')}),
  raw_pairs AS (
    -- users of a fresh day the rollup cannot answer for (see usable) …
    SELECT f.day AS day, x.user_id AS user_id
    FROM fresh AS f CROSS JOIN exposed AS x
    WHERE f.day >= toDate(toStartOfDay(x.first_at) - toIntervalDay({lookbackDays:UInt16})) AND NOT ((toDate(x.first_at) - 14 <= f.day AND x.first_at <= f.max_first_at) AND (f.day < toDate(x.first_at) OR (f.max_timestamp < {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {to:DateTime64(3, 'UTC')}) OR ((x.first_at >= {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {from:DateTime64(3, 'UTC')}) AND f.max_timestamp < {to:DateTime64(3, 'UTC')})))
    UNION ALL
    -- … and those whose exposure changed since the build (their rows carry the old one)
    SELECT r.day, r.user_id FROM rollup_checked AS r INNER JOIN exposed AS x ON r.user_id = x.user_id
    WHERE r.first_at != x.first_at OR r.variant_key != x.variant
    UNION ALL
    SELECT day, user_id FROM tail_pairs),
  source AS (
    -- clean days: the build's rows of the users it covered (a row's exposure is its user's now)
    SELECT h.variant_key AS variant, '' AS user_id, 'post' AS period, h.day AS day, '' AS language, '' AS ide, '' AS user_group,
           [h.latency_bucket] AS latency_buckets, [h.latency_count] AS latency_counts
    FROM experiment_variant_latency_daily AS h
    WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND has(clean_days, h.day)
      AND (h.day, h.build_id) IN (SELECT day, build_id FROM fresh AS f WHERE NOT (f.max_timestamp < {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {to:DateTime64(3, 'UTC')}))
    UNION ALL
    -- other fresh days: each row checked against its user's exposure now
    SELECT r.variant_key AS variant, r.user_id AS user_id, toString(r.period) AS period, r.day AS day, r.language AS language, r.ide AS ide, r.user_group AS user_group, r.latency_buckets AS latency_buckets, r.latency_counts AS latency_counts
    FROM rollup_checked AS r
    INNER JOIN exposed AS x ON r.user_id = x.user_id
    INNER JOIN fresh AS f ON f.day = r.day
    WHERE r.first_at = x.first_at AND r.variant_key = x.variant AND ((toDate(x.first_at) - 14 <= f.day AND x.first_at <= f.max_first_at) AND (f.day < toDate(x.first_at) OR (f.max_timestamp < {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {to:DateTime64(3, 'UTC')}) OR ((x.first_at >= {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {from:DateTime64(3, 'UTC')}) AND f.max_timestamp < {to:DateTime64(3, 'UTC')})))
      AND (r.day, r.user_id) NOT IN (SELECT day, user_id FROM tail_pairs)
      AND ((r.period = 'post' AND NOT (f.max_timestamp < {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {to:DateTime64(3, 'UTC')})) OR (r.period = 'pre' AND r.day >= toDate(toStartOfDay(x.first_at) - toIntervalDay({lookbackDays:UInt16}))))
    UNION ALL
    
    SELECT x.variant AS variant, e.user_id AS user_id, 'post' AS period, toDate(e.timestamp) AS day,
           e.language AS language, e.ide AS ide, e.user_group AS user_group,
           [if(e.latency_ms = 0, 0, toUInt16(1 + ceil(log(e.latency_ms) / log(1.01))))] AS latency_buckets, [toUInt64(1)] AS latency_counts
    FROM events AS e FINAL
    INNER JOIN exposed AS x ON e.user_id = x.user_id
    WHERE e.project_id = {projectId:String} AND e.type = 'shown' AND e.timestamp >= {from:DateTime64(3, 'UTC')} AND e.timestamp < {to:DateTime64(3, 'UTC')}
      AND e.timestamp >= x.first_at AND (toDate(e.timestamp) IN {rawDays:Array(Date)} OR (toDate(e.timestamp), e.user_id) IN (SELECT day, user_id FROM raw_pairs)) AND e.ingested_at <= {asOf:DateTime64(3, 'UTC')}),
      
      latency_rows AS (SELECT variant, user_id, latency_buckets, latency_counts
              FROM source WHERE period = 'post' AND variant IN {variants:Array(String)}),
      latency_quantiles AS (
        SELECT variant, n, ranks, values[1] AS quantile, values[2] AS lower_value, values[3] AS upper_value,
               buckets[at[1]] AS quantile_bucket, fractions[1] AS quantile_fraction,
               arrayMap(i -> buckets[i], at) AS rank_buckets, fractions AS rank_fractions
        FROM (
          SELECT variant, arrayMap(t -> t.1, pairs) AS buckets, arrayMap(t -> t.2, pairs) AS counts, arrayCumSum(counts) AS cum,
                 arraySum(counts) AS n,
                 [least(toInt64(n), toInt64(floor({p:Float64} * n)) + 1),
                  toInt64(floor(n * {p:Float64} - {z:Float64} * sqrt(n * {p:Float64} * (1 - {p:Float64})))),
                  toInt64(ceil(n * {p:Float64} + {z:Float64} * sqrt(n * {p:Float64} * (1 - {p:Float64}))))] AS ranks,
                 -- per rank: the index of its bucket, and its share of the bucket's values
                 arrayMap(r -> arrayFirstIndex(c -> c >= least(greatest(r, 1), n), cum), ranks) AS at,
                 arrayMap((r, i) -> (least(greatest(r, 1), n) - (cum[i] - counts[i])) / counts[i], ranks, at) AS fractions,
                 arrayMap((i, f) -> if(buckets[i] = 0, 0, pow(1.01, toInt32(buckets[i]) - 2)) + f * (if(buckets[i] = 0, 0, pow(1.01, toInt32(buckets[i]) - 1)) - if(buckets[i] = 0, 0, pow(1.01, toInt32(buckets[i]) - 2))),
                          at, fractions) AS values
          FROM (
            SELECT variant, arraySort(groupArray((bucket, count))) AS pairs
            FROM (
              -- one numeric key per (group, bucket): twice as fast to group by as the pair
              SELECT {variants:Array(String)}[intDiv(group_bucket, 65536)] AS variant, toUInt16(group_bucket % 65536) AS bucket, sum(count) AS count
              FROM (SELECT arrayMap(v -> toUInt32(indexOf({variants:Array(String)}, variant)) * 65536 + v, latency_buckets) AS keys, latency_counts
                    FROM latency_rows)
              ARRAY JOIN keys AS group_bucket, latency_counts AS count
              GROUP BY group_bucket)
            GROUP BY variant)))
      SELECT variant, n, ranks, rank_buckets AS rankBuckets, rank_fractions AS rankFractions
      FROM latency_quantiles
