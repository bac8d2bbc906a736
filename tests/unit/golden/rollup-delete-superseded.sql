DELETE FROM experiment_user_daily
      WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND day = {day:Date} AND built_at < {builtAt:DateTime64(3, 'UTC')} - toIntervalSecond({keepSeconds:UInt32})
        AND build_id != (SELECT argMax(build_id, (built_at, build_id)) FROM experiment_rollup_days
                         WHERE project_id = {projectId:String} AND experiment_key = {experimentKey:String} AND phase = {phase:UInt16} AND day = {day:Date})
