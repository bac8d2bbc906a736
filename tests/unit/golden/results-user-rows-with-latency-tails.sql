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
    SELECT r.variant_key AS variant, r.user_id AS user_id, toString(r.period) AS period, r.day AS day, r.language AS language, r.ide AS ide, r.user_group AS user_group, r.requested AS requested, r.shown AS shown, r.accepted AS accepted, r.ai_chars AS ai_chars, r.human_chars AS human_chars, r.retained_chars AS retained_chars, r.refined_accepted_chars AS refined_accepted_chars, r.shown_completion_chars AS shown_completion_chars, r.accepted_completion_chars AS accepted_completion_chars, r.latency_below_tail AS latency_below_tail, r.latency_tail_buckets AS latency_buckets, r.latency_tail_counts AS latency_counts
    FROM rollup_clean AS r INNER JOIN fresh AS f ON f.day = r.day
    WHERE r.first_at <= f.max_first_at AND r.first_at < {to:DateTime64(3, 'UTC')}
      AND ((r.period = 'post' AND NOT (f.max_timestamp < {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {to:DateTime64(3, 'UTC')})) OR (r.period = 'pre' AND r.day >= toDate(toStartOfDay(r.first_at) - toIntervalDay({lookbackDays:UInt16}))))
    UNION ALL
    -- other fresh days: each row checked against its user's exposure now
    SELECT r.variant_key AS variant, r.user_id AS user_id, toString(r.period) AS period, r.day AS day, r.language AS language, r.ide AS ide, r.user_group AS user_group, r.requested AS requested, r.shown AS shown, r.accepted AS accepted, r.ai_chars AS ai_chars, r.human_chars AS human_chars, r.retained_chars AS retained_chars, r.refined_accepted_chars AS refined_accepted_chars, r.shown_completion_chars AS shown_completion_chars, r.accepted_completion_chars AS accepted_completion_chars, r.latency_below_tail AS latency_below_tail, r.latency_tail_buckets AS latency_buckets, r.latency_tail_counts AS latency_counts
    FROM rollup_checked AS r
    INNER JOIN exposed AS x ON r.user_id = x.user_id
    INNER JOIN fresh AS f ON f.day = r.day
    WHERE r.first_at = x.first_at AND r.variant_key = x.variant AND ((toDate(x.first_at) - 14 <= f.day AND x.first_at <= f.max_first_at) AND (f.day < toDate(x.first_at) OR (f.max_timestamp < {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {to:DateTime64(3, 'UTC')}) OR ((x.first_at >= {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {from:DateTime64(3, 'UTC')}) AND f.max_timestamp < {to:DateTime64(3, 'UTC')})))
      AND (r.day, r.user_id) NOT IN (SELECT day, user_id FROM tail_pairs)
      AND ((r.period = 'post' AND NOT (f.max_timestamp < {from:DateTime64(3, 'UTC')} OR f.min_timestamp >= {to:DateTime64(3, 'UTC')})) OR (r.period = 'pre' AND r.day >= toDate(toStartOfDay(x.first_at) - toIntervalDay({lookbackDays:UInt16}))))
    UNION ALL
    
    SELECT variant, user_id, period, day, language, ide, user_group, sum(requested) AS requested, sum(shown) AS shown, sum(accepted) AS accepted, sum(ai_chars) AS ai_chars, sum(human_chars) AS human_chars, sum(retained_chars) AS retained_chars, sum(refined_accepted_chars) AS refined_accepted_chars, sum(shown_completion_chars) AS shown_completion_chars, sum(accepted_completion_chars) AS accepted_completion_chars, toUInt64(0) AS latency_below_tail, arrayFilter((v, last) -> last, sorted_buckets, (arrayMap((a, b) -> a != b, (arraySort(arrayMap(v -> if(v = 0, 0, toUInt16(1 + ceil(log(v) / log(1.01)))), arrayFlatten(groupArray(latencies)))) AS sorted_buckets), arraySlice(arrayPushBack(sorted_buckets, 65535), 2)) AS last_of_run)) AS latency_buckets, arrayMap(c -> toUInt32(c), arrayPopFront(arrayDifference(arrayPushFront(arrayFilter((i, last) -> last, arrayEnumerate(sorted_buckets), last_of_run), 0)))) AS latency_counts
    FROM (
    SELECT x.variant AS variant, e.user_id AS user_id, if(e.timestamp < x.first_at, 'pre', 'post') AS period, toDate(e.timestamp) AS day, e.language AS language, e.ide AS ide, e.user_group AS user_group,
      countIf(e.type = 'accepted') > 0 AS was_accepted,
      countIf(e.type = 'refined' AND e.retained_chars IS NOT NULL) > 0 AS was_refined,
      maxIf(assumeNotNull(e.retained_chars), e.type = 'refined' AND e.retained_chars IS NOT NULL) AS refined_retained,
      maxIf(e.accepted_chars, e.type = 'accepted') AS suggestion_accepted_chars,
      countIf(e.type = 'requested') AS requested,
      countIf(e.type = 'shown') AS shown,
      countIf(e.type = 'accepted') AS accepted,
      if(was_accepted, if(was_refined, refined_retained, suggestion_accepted_chars), 0) AS ai_chars,
      sumIf(e.human_chars, e.type = 'typed') AS human_chars,
      if(was_accepted AND was_refined, refined_retained, 0) AS retained_chars,
      if(was_accepted AND was_refined, suggestion_accepted_chars, 0) AS refined_accepted_chars,
      sumIf(e.completion_chars, e.type = 'shown') AS shown_completion_chars,
      if(was_accepted, suggestion_accepted_chars, 0) AS accepted_completion_chars,
      groupArrayIf(e.latency_ms, e.type = 'shown') AS latencies
    FROM events AS e FINAL
    INNER JOIN exposed AS x ON e.user_id = x.user_id
    WHERE e.project_id = {projectId:String} AND e.type != 'exposure' AND e.timestamp >= toStartOfDay({from:DateTime64(3, 'UTC')}) - toIntervalDay({lookbackDays:UInt16}) AND e.timestamp < {to:DateTime64(3, 'UTC')} AND (toDate(e.timestamp) IN {rawDays:Array(Date)} OR (toDate(e.timestamp), e.user_id) IN (SELECT day, user_id FROM raw_pairs))
        AND (e.timestamp >= x.first_at OR e.timestamp >= toStartOfDay(x.first_at) - toIntervalDay({lookbackDays:UInt16}))
        AND (e.timestamp < x.first_at OR e.timestamp >= {from:DateTime64(3, 'UTC')}) AND e.ingested_at <= {asOf:DateTime64(3, 'UTC')}
    GROUP BY x.variant, e.user_id, if(e.timestamp < x.first_at, 'pre', 'post'), toDate(e.timestamp), e.language, e.ide, e.user_group,
      if(e.type IN ('accepted', 'refined'), if(e.suggestion_id = '', toString(e.event_id), e.suggestion_id), ''))
    GROUP BY variant, user_id, period, day, language, ide, user_group)
    SELECT variant, user_id AS userId, toString(period) AS day, '' AS segment,
      sum(shown) AS shown,
      sumIf(source.latency_below_tail + arraySum(source.latency_counts), source.period = 'post') AS latencyN,
      sumIf(source.latency_below_tail + arraySum(arraySlice(source.latency_counts, 1, arrayCount(b -> b < {latencyLows:Array(UInt16)}[indexOf({latencyVariants:Array(String)}, source.variant)], source.latency_buckets))), source.period = 'post') AS latencyBelow,
      [sumIf(source.latency_counts[indexOf(source.latency_buckets, {latencyLows:Array(UInt16)}[indexOf({latencyVariants:Array(String)}, source.variant)] + 0)], source.period = 'post'),
       sumIf(source.latency_counts[indexOf(source.latency_buckets, {latencyLows:Array(UInt16)}[indexOf({latencyVariants:Array(String)}, source.variant)] + 1)], source.period = 'post'),
       sumIf(source.latency_counts[indexOf(source.latency_buckets, {latencyLows:Array(UInt16)}[indexOf({latencyVariants:Array(String)}, source.variant)] + 2)], source.period = 'post'),
       sumIf(source.latency_counts[indexOf(source.latency_buckets, {latencyLows:Array(UInt16)}[indexOf({latencyVariants:Array(String)}, source.variant)] + 3)], source.period = 'post'),
       sumIf(source.latency_counts[indexOf(source.latency_buckets, {latencyLows:Array(UInt16)}[indexOf({latencyVariants:Array(String)}, source.variant)] + 4)], source.period = 'post')] AS latencyAt
    FROM source
    GROUP BY variant, userId, day, segment
