SELECT arraySort(groupUniqArrayIf(language, language != '')) AS language,
           arraySort(groupUniqArrayIf(ide, ide != '')) AS ide,
           arraySort(groupUniqArrayIf(user_group, user_group != '')) AS userGroup
    FROM events
    WHERE project_id = {projectId:String} AND type != 'exposure'
      AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
