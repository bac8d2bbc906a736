SELECT toUInt16(if(sum(latency_count) = 0, 0, quantileExactWeighted(0.5)(latency_bucket, latency_count))) AS latency_tail_from
      FROM experiment_variant_latency_daily
      WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND day < {day:Date}
        AND (day, build_id) IN (SELECT day, argMax(build_id, (built_at, build_id)) FROM experiment_rollup_builds
                                WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND day < {day:Date} GROUP BY day)
