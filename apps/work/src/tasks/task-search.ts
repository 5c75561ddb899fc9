import type { SelectQueryBuilder } from 'typeorm';
import { isAdmin, type Principal } from '@nexus/core';
import type { TaskEntity } from './task.entity';
import type { TaskSearch } from './task.validation';

export type TaskSearchFilters = Omit<
  TaskSearch,
  'query' | 'pageSize' | 'pageToken' | 'includeTotalSize'
>;

/** What a snippet is cut from: the title, the description and the tags. */
export const TASK_SNIPPET_SQL = `concat_ws(' · ', "e"."title", nullif("e"."description", ''), nullif("work"."search_tags"("e"."tags"), ''))`;

/**
 * The tasks a search may show the caller: those GetTask would return
 * (project-access.ts: a member of the task's project in any role, archived
 * projects included, or any task for an admin), narrowed by the request's
 * filters as ListTasks applies them. Deleted tasks are erased, so none is left to find.
 */
export function readableTasks(
  qb: SelectQueryBuilder<TaskEntity>,
  caller: Principal,
  filters: TaskSearchFilters,
): void {
  if (!isAdmin(caller)) {
    qb.andWhere(
      `EXISTS (SELECT 1 FROM "work"."project_members" "m"
         WHERE "m"."project_id" = "e"."project_id" AND "m"."user_id" = :searchCaller)`,
      { searchCaller: caller.userId },
    );
  }
  if (filters.projectId)
    qb.andWhere('"e"."project_id" = :projectId', { projectId: filters.projectId });
  if (filters.assigneeId)
    qb.andWhere('"e"."assignee_id" = :assigneeId', { assigneeId: filters.assigneeId });
  if (filters.status !== undefined)
    qb.andWhere('"e"."status" = :status', { status: filters.status });
  if (filters.priority !== undefined)
    qb.andWhere('"e"."priority" = :priority', { priority: filters.priority });
  if (filters.tag) qb.andWhere('"e"."tags" @> ARRAY[:tag]::text[]', { tag: filters.tag });
}
