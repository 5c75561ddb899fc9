import { workV1 } from '@nexus/proto';
import type { TaskActivityKind } from './task-activity';
import type { TaskActivityEntity } from './task-activity.entity';

const { TaskActivityKind: Kind } = workV1;

const KIND_TO_PROTO: Record<TaskActivityKind, workV1.TaskActivityKind> = {
  created: Kind.TASK_ACTIVITY_KIND_CREATED,
  updated: Kind.TASK_ACTIVITY_KIND_UPDATED,
  status_changed: Kind.TASK_ACTIVITY_KIND_STATUS_CHANGED,
  assignee_changed: Kind.TASK_ACTIVITY_KIND_ASSIGNEE_CHANGED,
  dependency_added: Kind.TASK_ACTIVITY_KIND_DEPENDENCY_ADDED,
  dependency_removed: Kind.TASK_ACTIVITY_KIND_DEPENDENCY_REMOVED,
  time_logged: Kind.TASK_ACTIVITY_KIND_TIME_LOGGED,
  time_removed: Kind.TASK_ACTIVITY_KIND_TIME_REMOVED,
  comment_added: Kind.TASK_ACTIVITY_KIND_COMMENT_ADDED,
  comment_edited: Kind.TASK_ACTIVITY_KIND_COMMENT_EDITED,
  comment_deleted: Kind.TASK_ACTIVITY_KIND_COMMENT_DELETED,
};

/**
 * An entry as the API shows it. Its values are the Task message's own (what
 * the task's events carried), so a reader of the task sees nothing in its
 * history that GetTask would not show them; comments appear by id only.
 */
export function toTaskActivityMessage(entry: TaskActivityEntity): workV1.TaskActivity {
  return {
    id: entry.id,
    taskId: entry.taskId,
    kind: KIND_TO_PROTO[entry.kind],
    actorId: entry.actorId ?? '',
    changes: entry.changes.map((change) => ({
      field: change.field,
      before: change.before,
      after: change.after,
    })),
    commentId: entry.commentId ?? '',
    createTime: entry.createdAt,
  };
}
