import { defineAggregate, type JsonObject } from '@nexus/db';
import { workV1 } from '@nexus/proto';
import { recordTaskActivity } from '../activity/task-activity.store';
import type { TaskEntity } from './task.entity';
import { toTaskMessage } from './task.mapping';

/**
 * Events on `nexus.work.task` carry the API's Task message (blockers
 * included) in proto3 JSON. Each is also an entry of the task's history.
 */
export const taskAggregate = defineAggregate<TaskEntity>({
  service: 'work',
  name: 'task',
  toResource: (task) => workV1.Task.toJSON(toTaskMessage(task)) as JsonObject,
  observe: recordTaskActivity,
});
