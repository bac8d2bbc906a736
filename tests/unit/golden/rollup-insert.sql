INSERT INTO experiment_user_daily (project_id, experiment_key, phase, day, user_id, period, language, ide, user_group, variant_key, first_at, requested, shown, accepted, ai_chars, human_chars, retained_chars, refined_accepted_chars, shown_completion_chars, accepted_completion_chars, latency_buckets, latency_counts, latency_below_tail, latency_tail_buckets, latency_tail_counts, build_id, built_at)
      WITH exposed AS (
  SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at
  FROM exposures
  WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
  GROUP BY user_id
  HAVING uniqExact(variant_key) = 1)
      SELECT {projectId:String}, {experimentKey:String}, {phase:UInt16}, day, user_id, period, language, ide, user_group, variant, first_at,
             sum(requested) AS requested, sum(shown) AS shown, sum(accepted) AS accepted, sum(ai_chars) AS ai_chars, sum(human_chars) AS human_chars, sum(retained_chars) AS retained_chars, sum(refined_accepted_chars) AS refined_accepted_chars, sum(shown_completion_chars) AS shown_completion_chars, sum(accepted_completion_chars) AS accepted_completion_chars, arrayFilter((v, last) -> last, sorted_buckets, (arrayMap((a, b) -> a != b, (arraySort(arrayMap(v -> if(v = 0, 0, toUInt16(1 + ceil(log(v) / log(1.01)))), arrayFlatten(groupArray(latencies)))) AS sorted_buckets), arraySlice(arrayPushBack(sorted_buckets, 65535), 2)) AS last_of_run)) AS histogram_buckets, arrayPopFront(arrayDifference(arrayPushFront(arrayFilter((i, last) -> last, arrayEnumerate(sorted_buckets), last_of_run), 0))) AS histogram_counts,
             arraySum(arrayFilter((c, b) -> b < {latencyTailFrom:UInt16}, histogram_counts, histogram_buckets)), arrayFilter(b -> b >= {latencyTailFrom:UInt16}, histogram_buckets), arrayFilter((c, b) -> b >= {latencyTailFrom:UInt16}, histogram_counts, histogram_buckets), {buildId:UInt64}, {builtAt:DateTime64(3, 'UTC')}
      FROM (
    SELECT x.variant AS variant, x.first_at AS first_at, e.user_id AS user_id, if(e.timestamp < x.first_at, 'pre', 'post') AS period, toDate(e.timestamp) AS day, e.language AS language, e.ide AS ide, e.user_group AS user_group,
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
    WHERE e.project_id = {projectId:String} AND e.type != 'exposure' AND toDate(e.timestamp) = {day:Date}
          AND (e.timestamp >= x.first_at OR e.timestamp >= toStartOfDay(x.first_at) - toIntervalDay({lookback:UInt16}))
    GROUP BY x.variant, x.first_at, e.user_id, if(e.timestamp < x.first_at, 'pre', 'post'), toDate(e.timestamp), e.language, e.ide, e.user_group,
      if(e.type IN ('accepted', 'refined'), if(e.suggestion_id = '', toString(e.event_id), e.suggestion_id), ''))
      GROUP BY day, user_id, period, language, ide, user_group, variant, first_at
