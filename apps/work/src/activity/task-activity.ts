import { toSnakeCase } from '@nexus/core';
import type { EmittedEvent, JsonObject } from '@nexus/db';
import type { FieldChange } from './task-activity.entity';

export type TaskActivityKind =
  | 'created'
  | 'updated'
  | 'status_changed'
  | 'assignee_changed'
  | 'dependency_added'
  | 'dependency_removed'
  | 'time_logged'
  | 'time_removed'
  | 'comment_added'
  | 'comment_edited'
  | 'comment_deleted';

/** What one event adds to a task's history; null when it adds nothing. */
export interface ActivityEntry {
  taskId: string;
  kind: TaskActivityKind;
  changes: FieldChange[];
  commentId: string | null;
}

/**
 * The history entry of a task event: its creation, or every field the change
 * changed with its value before and after, named by what matters most in it
 * (a status change first, then the assignee, dependencies, time). The
 * `deleted` event adds nothing: the history goes with the task.
 */
export function taskActivityOf(event: EmittedEvent): ActivityEntry | null {
  if (event.verb === 'created') {
    return { taskId: event.subject, kind: 'created', changes: [], commentId: null };
  }
  if (event.verb === 'deleted' || !event.before || !event.after) return null;
  const { before, after } = event;
  const changes = event.changed.map((field) => ({
    field: toSnakeCase(field),
    before: before[field] ?? null,
    after: after[field] ?? null,
  }));
  if (changes.length === 0) return null;
  return {
    taskId: event.subject,
    kind: kindOfChange(event.changed, before, after),
    changes,
    commentId: null,
  };
}

function kindOfChange(changed: string[], before: JsonObject, after: JsonObject): TaskActivityKind {
  const has = (field: string) => changed.includes(field);
  if (has('status')) return 'status_changed';
  if (has('assigneeId')) return 'assignee_changed';
  if (has('blockedByTaskIds')) {
    return listLength(after.blockedByTaskIds) > listLength(before.blockedByTaskIds)
      ? 'dependency_added'
      : 'dependency_removed';
  }
  if (has('actualHours')) {
    return Number(after.actualHours ?? 0) > Number(before.actualHours ?? 0)
      ? 'time_logged'
      : 'time_removed';
  }
  return 'updated';
}

function listLength(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

const COMMENT_KINDS: Partial<Record<string, TaskActivityKind>> = {
  created: 'comment_added',
  updated: 'comment_edited',
  deleted: 'comment_deleted',
};

/**
 * The history entry of a comment event on its task: which comment, never
 * its text (so an edited or deleted comment's words do not outlive it).
 * `mentioned` events add nothing.
 */
export function commentActivityOf(event: EmittedEvent): ActivityEntry | null {
  const kind = COMMENT_KINDS[event.verb];
  const comment = event.after ?? event.before;
  if (!kind || !comment || typeof comment.taskId !== 'string') return null;
  return { taskId: comment.taskId, kind, changes: [], commentId: event.subject };
}
