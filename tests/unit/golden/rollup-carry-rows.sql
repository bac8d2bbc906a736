INSERT INTO experiment_user_daily (project_id, experiment_key, phase, day, user_id, period, language, ide, user_group, variant_key, first_at, requested, shown, accepted, ai_chars, human_chars, retained_chars, refined_accepted_chars, shown_completion_chars, accepted_completion_chars, latency_buckets, latency_counts, latency_below_tail, latency_tail_buckets, latency_tail_counts, build_id, built_at)
      WITH patch_users AS (
        SELECT user_id FROM events
        WHERE project_id = {projectId:String} AND toDate(timestamp) = {day:Date}
          AND ingested_at > {previousMark:DateTime64(3, 'UTC')} AND ingested_at <= {maxIngestedAt:DateTime64(3, 'UTC')}
        UNION DISTINCT
        SELECT user_id FROM (
  SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at
  FROM exposures
  WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
  GROUP BY user_id
  HAVING uniqExact(variant_key) = 1) AS x
        WHERE toDate(x.first_at) - 14 <= {day:Date}
          AND x.first_at > {previousMaxFirstAt:DateTime64(3, 'UTC')} AND x.first_at <= {maxFirstAt:DateTime64(3, 'UTC')})
      SELECT project_id, experiment_key, phase, day, user_id, period, language, ide, user_group, variant_key, first_at, requested, shown, accepted, ai_chars, human_chars, retained_chars, refined_accepted_chars, shown_completion_chars, accepted_completion_chars, latency_buckets, latency_counts, latency_below_tail, latency_tail_buckets, latency_tail_counts, {buildId:UInt64}, {builtAt:DateTime64(3, 'UTC')}
      FROM experiment_user_daily
      WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND day = {day:Date} AND build_id = {previousBuildId:UInt64}
        AND first_at <= {previousMaxFirstAt:DateTime64(3, 'UTC')} AND user_id NOT IN (SELECT user_id FROM patch_users)
