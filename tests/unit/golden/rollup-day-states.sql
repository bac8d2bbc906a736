WITH exposed AS (SELECT user_id, variant, first_at, cityHash64(user_id, variant, first_at) AS exposure_hash FROM (
  SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at
  FROM exposures
  WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
  GROUP BY user_id
  HAVING uniqExact(variant_key) = 1)),
      builds AS (
  SELECT day, argMax(build_id, (built_at, build_id)) AS latest_build_id, argMax(inserted_rows, (built_at, build_id)) AS latest_inserted_rows, argMax(max_ingested_at, (built_at, build_id)) AS latest_max_ingested_at, argMax(max_first_at, (built_at, build_id)) AS latest_max_first_at, argMax(users, (built_at, build_id)) AS latest_users, argMax(users_checksum, (built_at, build_id)) AS latest_users_checksum, argMax(latency_tail_from, (built_at, build_id)) AS latest_latency_tail_from, argMax(built_at, (built_at, build_id)) AS latest_built_at
  FROM experiment_rollup_builds WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND day BETWEEN {fromDay:Date} AND {toDay:Date} GROUP BY day),
      stats AS (
  SELECT day, sum(inserted_rows) AS inserted_rows, max(max_ingested_at) AS max_ingested_at,
         min(min_timestamp) AS min_timestamp, max(max_timestamp) AS max_timestamp
  FROM event_day_stats
  WHERE project_id = {projectId:String} AND day BETWEEN {fromDay:Date} AND {toDay:Date}
  GROUP BY day)
      SELECT toString(s.day) AS day, any(s.inserted_rows) AS insertedRows, toString(any(s.max_ingested_at)) AS maxIngestedAt,
             any(b.day) != toDate(0) AS built, any(b.latest_inserted_rows) AS builtRows,
             toString(any(b.latest_max_ingested_at)) AS builtMaxIngestedAt, toUnixTimestamp64Milli(any(b.latest_built_at)) AS builtAtMs,
             toString(any(b.latest_build_id)) AS builtBuildId, toString(any(b.latest_max_first_at)) AS builtMaxFirstAt,
             any(b.latest_users) AS builtUsers, toString(any(b.latest_users_checksum)) AS builtChecksum,
             any(b.latest_latency_tail_from) AS builtLatencyTailFrom,
             countIf(toDate(x.first_at) - 14 <= s.day) AS relevantUsers,
             -- the last build's users are still exactly those exposures: all covered, else none
             if(countIf((toDate(x.first_at) - 14 <= s.day AND x.first_at <= b.latest_max_first_at)) = any(b.latest_users) AND sumIf(x.exposure_hash, (toDate(x.first_at) - 14 <= s.day AND x.first_at <= b.latest_max_first_at)) = any(b.latest_users_checksum),
                any(b.latest_users), 0) AS coveredUsers
      FROM stats AS s
      LEFT JOIN builds AS b ON b.day = s.day
      CROSS JOIN exposed AS x
      GROUP BY s.day
      ORDER BY s.day
