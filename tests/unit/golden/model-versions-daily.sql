SELECT toString(day) AS date, model_version AS modelVersion, count() AS users, sum(requested) AS requested, sum(shown) AS shown, sum(accepted) AS accepted, sum(ai_chars) AS ai_chars, sum(human_chars) AS human_chars, sum(retained_chars) AS retained_chars, sum(refined_accepted_chars) AS refined_accepted_chars, sum(shown_completion_chars) AS shown_completion_chars, sum(accepted_completion_chars) AS accepted_completion_chars,
      sum(acceptance_rate__x * acceptance_rate__x) AS acceptance_rate__xx, sum(acceptance_rate__y * acceptance_rate__y) AS acceptance_rate__yy, sum(acceptance_rate__x * acceptance_rate__y) AS acceptance_rate__xy,
      sum(generation_rate__x * generation_rate__x) AS generation_rate__xx, sum(generation_rate__y * generation_rate__y) AS generation_rate__yy, sum(generation_rate__x * generation_rate__y) AS generation_rate__xy
    FROM (
      SELECT day, model_version, user_id, sum(requested) AS requested, sum(shown) AS shown, sum(accepted) AS accepted, sum(ai_chars) AS ai_chars, sum(human_chars) AS human_chars, sum(retained_chars) AS retained_chars, sum(refined_accepted_chars) AS refined_accepted_chars, sum(shown_completion_chars) AS shown_completion_chars, sum(accepted_completion_chars) AS accepted_completion_chars,
        (accepted) AS acceptance_rate__x, (shown) AS acceptance_rate__y, (ai_chars) AS generation_rate__x, (ai_chars + human_chars) AS generation_rate__y
      FROM (
    SELECT toDate(e.timestamp) AS day, e.model_version AS model_version, e.user_id AS user_id,
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
    WHERE e.project_id = {projectId:String} AND e.type != 'exposure' AND e.timestamp >= {from:DateTime64(3, 'UTC')} AND e.timestamp < {to:DateTime64(3, 'UTC')}
      AND ({language:String} = '' OR e.language = {language:String})
      AND ({ide:String} = '' OR e.ide = {ide:String})
      AND ({userGroup:String} = '' OR e.user_group = {userGroup:String})
    GROUP BY toDate(e.timestamp), e.model_version, e.user_id,
      if(e.type IN ('accepted', 'refined'), if(e.suggestion_id = '', toString(e.event_id), e.suggestion_id), ''))
      GROUP BY day, model_version, user_id
    )
    GROUP BY day, model_version
    ORDER BY day, model_version
