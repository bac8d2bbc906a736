SELECT toUInt16(if(sum(latency_count) = 0, 0, quantileExactWeighted(0.5)(latency_bucket, latency_count))) AS latency_tail_from
      FROM experiment_variant_latency_daily
      WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND day < {day:Date}
        AND (day, build_id) IN (SELECT day, latest_build_id FROM (
  SELECT day, argMax(build_id, (built_at, build_id)) AS latest_build_id, argMax(inserted_rows, (built_at, build_id)) AS latest_inserted_rows, argMax(max_ingested_at, (built_at, build_id)) AS latest_max_ingested_at, argMax(max_first_at, (built_at, build_id)) AS latest_max_first_at, argMax(users, (built_at, build_id)) AS latest_users, argMax(users_checksum, (built_at, build_id)) AS latest_users_checksum, argMax(latency_tail_from, (built_at, build_id)) AS latest_latency_tail_from, argMax(built_at, (built_at, build_id)) AS latest_built_at
  FROM experiment_rollup_builds WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND day BETWEEN toDate(0) AND {day:Date} - 1 GROUP BY day))
