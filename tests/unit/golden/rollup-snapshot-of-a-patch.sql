WITH exposed AS (SELECT user_id, variant, first_at, cityHash64(user_id, variant, first_at) AS exposure_hash FROM (
  SELECT user_id, any(variant_key) AS variant, min(first_exposed_at) AS first_at
  FROM exposures
  WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
  GROUP BY user_id
  HAVING uniqExact(variant_key) = 1)),
        stats AS (
  SELECT day, sum(inserted_rows) AS inserted_rows, max(max_ingested_at) AS max_ingested_at,
         min(min_timestamp) AS min_timestamp, max(max_timestamp) AS max_timestamp
  FROM event_day_stats
  WHERE project_id = {projectId:String} AND day BETWEEN {day:Date} AND {day:Date}
  GROUP BY day),
        tail AS (
          SELECT count() AS rows FROM events
          WHERE project_id = {projectId:String} AND toDate(timestamp) = {day:Date}
            AND ingested_at > {previousMark:DateTime64(3, 'UTC')} AND ingested_at <= (SELECT max(max_ingested_at) FROM stats)),
        covered AS (
          SELECT toString(max(x.first_at)) AS max_first_at, count() AS users, toString(sum(x.exposure_hash)) AS users_checksum,
                 countIf(x.first_at <= {previousMaxFirstAt:DateTime64(3, 'UTC')}) AS previous_users,
                 sumIf(x.exposure_hash, x.first_at <= {previousMaxFirstAt:DateTime64(3, 'UTC')}) AS previous_checksum
          FROM exposed AS x WHERE toDate(x.first_at) - 14 <= {day:Date})
        SELECT s.inserted_rows AS inserted_rows, toString(s.max_ingested_at) AS max_ingested_at, c.max_first_at AS max_first_at,
               c.users AS users, c.users_checksum AS users_checksum,
               s.inserted_rows >= {previousInsertedRows:UInt64} AND s.inserted_rows - {previousInsertedRows:UInt64} = t.rows
                 AND c.previous_users = {previousUsers:UInt64} AND c.previous_checksum = {previousChecksum:UInt64} AS patchable
        FROM stats AS s CROSS JOIN covered AS c CROSS JOIN tail AS t
