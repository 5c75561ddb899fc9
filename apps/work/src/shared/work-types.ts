/** The closed value sets of the work domain, as stored (Postgres enums keep this order). */
export const PROJECT_STATUSES = [
  'planning',
  'active',
  'on_hold',
  'completed',
  'cancelled',
] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** Declared low to high, so ORDER BY priority DESC puts critical first. */
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const MEMBER_ROLES = ['owner', 'manager', 'member', 'viewer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const TASK_STATUSES = [
  'todo',
  'in_progress',
  'in_review',
  'blocked',
  'done',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses in which a task still needs work: it blocks others and keeps a project open. */
export const CLOSED_TASK_STATUSES: readonly TaskStatus[] = ['done', 'cancelled'];
export function isOpen(status: TaskStatus): boolean {
  return !CLOSED_TASK_STATUSES.includes(status);
}

/** The due_sort value of a task without a due date: after every real date. */
export const NO_DUE_DATE = '9999-12-31';
