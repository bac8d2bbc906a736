INSERT INTO experiment_rollup_builds (project_id, experiment_key, phase, day, inserted_rows, max_ingested_at, max_first_at,
                                          users, users_checksum, latency_tail_from, build_id, built_at)
      SELECT {projectId:String}, {experimentKey:String}, {phase:UInt16}, {day:Date}, {insertedRows:UInt64},
             {maxIngestedAt:DateTime64(3, 'UTC')}, {maxFirstAt:DateTime64(3, 'UTC')}, {users:UInt64}, {checksum:UInt64},
             {latencyTailFrom:UInt16}, {buildId:UInt64}, {builtAt:DateTime64(3, 'UTC')}
