INSERT INTO experiment_variant_latency_daily (project_id, experiment_key, phase, day, build_id, variant_key, latency_bucket,
                                                    latency_count, built_at)
      SELECT {projectId:String}, {experimentKey:String}, {phase:UInt16}, {day:Date}, {buildId:UInt64}, variant_key, bucket, sum(count),
             {builtAt:DateTime64(3, 'UTC')}
      FROM experiment_user_daily
      ARRAY JOIN latency_buckets AS bucket, latency_counts AS count
      WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND day = {day:Date} AND build_id = {buildId:UInt64} AND period = 'post'
        AND first_at <= {maxFirstAt:DateTime64(3, 'UTC')}
      GROUP BY variant_key, bucket
