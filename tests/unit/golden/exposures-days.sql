SELECT if(length(variants) = 1, variants[1], '') AS variant, toString(toDate(first_at)) AS date,
         count() AS users, countIf(first_at < {to:DateTime64(3, 'UTC')}) AS usersBefore
  FROM (
    SELECT user_id, groupUniqArray(variant_key) AS variants, min(first_exposed_at) AS first_at
    FROM exposures
    WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16}
    GROUP BY user_id)
  GROUP BY variant, date
  ORDER BY date, variant
