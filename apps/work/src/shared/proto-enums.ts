import { workV1 } from '@nexus/proto';
import type { MemberRole, Priority, ProjectStatus, TaskStatus } from './work-types';

/** Stored values <-> proto enums. UNSPECIFIED and unknown numbers map to nothing. */
export const PROJECT_STATUS_TO_PROTO: Record<ProjectStatus, workV1.ProjectStatus> = {
  planning: workV1.ProjectStatus.PROJECT_STATUS_PLANNING,
  active: workV1.ProjectStatus.PROJECT_STATUS_ACTIVE,
  on_hold: workV1.ProjectStatus.PROJECT_STATUS_ON_HOLD,
  completed: workV1.ProjectStatus.PROJECT_STATUS_COMPLETED,
  cancelled: workV1.ProjectStatus.PROJECT_STATUS_CANCELLED,
};

export const PRIORITY_TO_PROTO: Record<Priority, workV1.Priority> = {
  low: workV1.Priority.PRIORITY_LOW,
  medium: workV1.Priority.PRIORITY_MEDIUM,
  high: workV1.Priority.PRIORITY_HIGH,
  critical: workV1.Priority.PRIORITY_CRITICAL,
};

export const MEMBER_ROLE_TO_PROTO: Record<MemberRole, workV1.MemberRole> = {
  owner: workV1.MemberRole.MEMBER_ROLE_OWNER,
  manager: workV1.MemberRole.MEMBER_ROLE_MANAGER,
  member: workV1.MemberRole.MEMBER_ROLE_MEMBER,
  viewer: workV1.MemberRole.MEMBER_ROLE_VIEWER,
};

export const TASK_STATUS_TO_PROTO: Record<TaskStatus, workV1.TaskStatus> = {
  todo: workV1.TaskStatus.TASK_STATUS_TODO,
  in_progress: workV1.TaskStatus.TASK_STATUS_IN_PROGRESS,
  in_review: workV1.TaskStatus.TASK_STATUS_IN_REVIEW,
  blocked: workV1.TaskStatus.TASK_STATUS_BLOCKED,
  done: workV1.TaskStatus.TASK_STATUS_DONE,
  cancelled: workV1.TaskStatus.TASK_STATUS_CANCELLED,
};

function invert<K extends string, V extends number>(map: Record<K, V>): Map<number, K> {
  return new Map(Object.entries(map).map(([key, value]) => [value as number, key as K]));
}

export const PROJECT_STATUS_OF_PROTO = invert(PROJECT_STATUS_TO_PROTO);
export const PRIORITY_OF_PROTO = invert(PRIORITY_TO_PROTO);
export const MEMBER_ROLE_OF_PROTO = invert(MEMBER_ROLE_TO_PROTO);
export const TASK_STATUS_OF_PROTO = invert(TASK_STATUS_TO_PROTO);
