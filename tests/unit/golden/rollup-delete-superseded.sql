DELETE FROM experiment_user_daily
      WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND built_at < {before:DateTime64(3, 'UTC')}
        AND (day, build_id) NOT IN (SELECT day, argMax(build_id, (built_at, build_id)) FROM experiment_rollup_builds
                                    WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND built_at < {before:DateTime64(3, 'UTC')} GROUP BY day)
