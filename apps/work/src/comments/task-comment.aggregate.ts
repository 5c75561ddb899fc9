import { defineAggregate, type JsonObject } from '@nexus/db';
import { workV1 } from '@nexus/proto';
import { recordCommentActivity } from '../activity/task-activity.store';
import type { TaskCommentEntity } from './task-comment.entity';
import { toTaskCommentMessage } from './task-comment.mapping';

/**
 * Events on `nexus.work.task-comment` carry the API's TaskComment in proto3
 * JSON (`mentioned`: the common Mention). Each change is also an entry of
 * its task's history.
 */
export const taskCommentAggregate = defineAggregate<TaskCommentEntity>({
  service: 'work',
  name: 'task-comment',
  toResource: (comment) => workV1.TaskComment.toJSON(toTaskCommentMessage(comment)) as JsonObject,
  observe: recordCommentActivity,
});
