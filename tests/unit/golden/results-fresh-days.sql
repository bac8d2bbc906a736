WITH
      exposed_all AS (SELECT user_id, variant, first_at, cityHash64(user_id, variant, first_at) AS exposure_hash FROM (
  SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at
  FROM exposures
  WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
  GROUP BY user_id
  HAVING uniqExact(variant_key) = 1)),
      stats AS (
  SELECT day, sum(inserted_rows) AS inserted_rows, max(max_ingested_at) AS max_ingested_at,
         min(min_timestamp) AS min_timestamp, max(max_timestamp) AS max_timestamp
  FROM event_day_stats
  WHERE project_id = {projectId:String} AND day BETWEEN toDate(toStartOfDay({from:DateTime64(3, 'UTC')}) - toIntervalDay({lookbackDays:UInt16})) AND toDate({to:DateTime64(3, 'UTC')})
  GROUP BY day),
      builds AS (
  SELECT day, argMax(build_id, (built_at, build_id)) AS latest_build_id, argMax(inserted_rows, (built_at, build_id)) AS latest_inserted_rows, argMax(max_ingested_at, (built_at, build_id)) AS latest_max_ingested_at, argMax(max_first_at, (built_at, build_id)) AS latest_max_first_at, argMax(users, (built_at, build_id)) AS latest_users, argMax(users_checksum, (built_at, build_id)) AS latest_users_checksum, argMax(latency_tail_from, (built_at, build_id)) AS latest_latency_tail_from, argMax(built_at, (built_at, build_id)) AS latest_built_at
  FROM experiment_rollup_builds WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND day BETWEEN toDate(toStartOfDay({from:DateTime64(3, 'UTC')}) - toIntervalDay({lookbackDays:UInt16})) AND toDate({to:DateTime64(3, 'UTC')}) GROUP BY day),
      changed AS (
        SELECT b.day AS day, b.latest_max_ingested_at AS mark FROM builds AS b INNER JOIN stats AS s ON s.day = b.day
        WHERE NOT (b.latest_inserted_rows = s.inserted_rows AND b.latest_max_ingested_at = s.max_ingested_at)),
      tails AS (
        SELECT c.day AS day, countIf(e.ingested_at > c.mark) AS tail_rows
        FROM events AS e INNER JOIN changed AS c ON c.day = toDate(e.timestamp)
        WHERE e.project_id = {projectId:String} AND toDate(e.timestamp) IN (SELECT day FROM changed)
          AND e.ingested_at > (SELECT min(mark) FROM changed)
        GROUP BY c.day)
      SELECT toString(b.day) AS day, toString(b.latest_build_id) AS buildId, toString(b.latest_max_first_at) AS maxFirstAt,
             toString(s.min_timestamp) AS minTimestamp, toString(s.max_timestamp) AS maxTimestamp,
             toString(b.latest_users) AS users, toString(b.latest_users_checksum) AS usersChecksum,
             if(b.latest_inserted_rows = s.inserted_rows AND b.latest_max_ingested_at = s.max_ingested_at, '', toString(b.latest_max_ingested_at)) AS tailAfter,
             b.latest_latency_tail_from AS latencyTailFrom
      FROM builds AS b
      INNER JOIN stats AS s ON s.day = b.day
      INNER JOIN (
        SELECT b.day AS day, countIf((toDate(x.first_at) - 14 <= b.day AND x.first_at <= b.latest_max_first_at)) AS users, sumIf(x.exposure_hash, (toDate(x.first_at) - 14 <= b.day AND x.first_at <= b.latest_max_first_at)) AS users_checksum
        FROM builds AS b CROSS JOIN exposed_all AS x
        GROUP BY b.day) AS c ON c.day = b.day
      LEFT JOIN tails AS t ON t.day = b.day
      WHERE (b.latest_inserted_rows = s.inserted_rows AND b.latest_max_ingested_at = s.max_ingested_at OR (s.inserted_rows > b.latest_inserted_rows AND s.inserted_rows - b.latest_inserted_rows = t.tail_rows))
        AND b.latest_users = c.users AND b.latest_users_checksum = c.users_checksum
      ORDER BY b.day
