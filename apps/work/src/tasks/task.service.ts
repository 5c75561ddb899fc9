import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { NamedUser, UserDirectory } from '@nexus/clients';
import { isAdmin, type IdempotencyKey, type Principal } from '@nexus/core';
import {
  inTransaction,
  type AggregateStore,
  type Page,
  type SearchPage,
  type SortOrder,
  type Tx,
} from '@nexus/db';
import { TaskCommentEntity } from '../comments/task-comment.entity';
import { projectFor, roleOf } from '../projects/project.store';
import { WorkError } from '../work.errors';
import { TaskDependencyEntity } from './task-dependency.entity';
import { readableTasks, TASK_SNIPPET_SQL } from './task-search';
import { TaskEntity } from './task.entity';
import type { ListTasksQuery, TaskFields, TaskSearch, TaskUpdatableField } from './task.validation';

export type TaskOrder = 'create_time_desc' | 'due_date_asc' | 'priority_desc';

/** Each is served by (project_id, <column>, id) and (<column>, id) indexes; due_sort is NOT NULL. */
const ORDERS: Record<TaskOrder, SortOrder<TaskEntity>> = {
  create_time_desc: { key: 'create_time_desc', property: 'createdAt', direction: 'DESC' },
  due_date_asc: { key: 'due_date_asc', property: 'dueSort', direction: 'ASC' },
  priority_desc: { key: 'priority_desc', property: 'priority', direction: 'DESC' },
};

/** The assignee as the request names it, for the user directory's field violation. */
const assignee = (id: string): NamedUser => ({ id, field: 'task.assignee_id' });

const OPEN_BLOCKERS_SQL = `
  SELECT t.id FROM "work"."tasks" t
  JOIN "work"."task_dependencies" d ON d.blocker_id = t.id
  WHERE d.task_id = $1 AND t.status NOT IN ('done', 'cancelled')
  ORDER BY t.id
  FOR SHARE OF t`;

/** Tasks: create, read, change, delete, with the assignee, parent and blocker rules. */
export class TaskService {
  constructor(
    private readonly dataSource: DataSource,
    /** Tasks with their blockers (hydrated by the store). */
    private readonly tasks: AggregateStore<TaskEntity>,
    private readonly users: UserDirectory,
    /** Comments go with their task, each with its own `deleted` event. */
    private readonly comments: AggregateStore<TaskCommentEntity>,
  ) {}

  async create(
    caller: Principal,
    input: TaskFields & { projectId: string },
    key?: IdempotencyKey,
    deadline?: Date,
  ) {
    if (input.assigneeId)
      await this.users.requireActive(caller, [assignee(input.assigneeId)], deadline);
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      await projectFor(tx.manager, caller, input.projectId, 'contribute');
      await this.checkAssignee(tx.manager, input.projectId, input.assigneeId);
      await this.checkParent(tx.manager, input.projectId, input.parentTaskId, null);
      const { entity } = await this.tasks.create(
        tx,
        {
          ...input,
          reporterId: caller.userId,
          completedAt: input.status === 'done' ? new Date() : null,
        },
        key,
      );
      return entity;
    });
  }

  async get(caller: Principal, id: string): Promise<TaskEntity> {
    const task = await this.tasks.get(id);
    await projectFor(this.dataSource.manager, caller, task.projectId, 'read');
    return task;
  }

  async list(
    caller: Principal,
    query: ListTasksQuery & { order: TaskOrder },
  ): Promise<Page<TaskEntity>> {
    const filters = {
      ...query,
      pageToken: undefined,
      pageSize: undefined,
      includeTotalSize: undefined,
      member: isAdmin(caller) ? null : caller.userId,
    };
    return this.tasks.list({
      filter: (qb) => applyFilters(qb, filters),
      filterValues: filters,
      order: ORDERS[query.order],
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotalSize,
    });
  }

  /**
   * Full-text search over the tasks the caller could Get (readableTasks, in
   * SQL); titles of close spellings when nothing matches exactly.
   */
  async search(caller: Principal, search: TaskSearch): Promise<SearchPage<TaskEntity>> {
    const { query, pageSize, pageToken, includeTotalSize, ...filters } = search;
    return this.tasks.search({
      query,
      filter: (qb) => readableTasks(qb, caller, filters),
      filterValues: filters,
      snippetSql: TASK_SNIPPET_SQL,
      recency: 'createdAt',
      similar: 'title',
      pageSize,
      pageToken,
      includeTotal: includeTotalSize,
    });
  }

  /** Reaching DONE needs every blocker closed and emits `completed` instead of `updated`. */
  async update(
    caller: Principal,
    id: string,
    etag: string,
    fields: ReadonlySet<TaskUpdatableField>,
    changes: Partial<TaskFields>,
    deadline?: Date,
  ): Promise<TaskEntity> {
    if (fields.has('assignee_id') && changes.assigneeId) {
      await this.users.requireActive(caller, [assignee(changes.assigneeId)], deadline);
    }
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      // The project is share-locked before the task (as every task write does);
      // the store then locks the task and loads its blockers, once.
      const current = await this.tasks.get(id, { manager: tx.manager, hydrate: false });
      await projectFor(tx.manager, caller, current.projectId, 'contribute');
      return this.tasks.update(tx, id, {
        etag,
        verb: (before, after) =>
          before.status !== 'done' && after.status === 'done' ? 'completed' : 'updated',
        apply: async (task) => {
          if (fields.has('assignee_id') && changes.assigneeId !== task.assigneeId) {
            await this.checkAssignee(tx.manager, task.projectId, changes.assigneeId ?? null);
            task.assigneeId = changes.assigneeId ?? null;
          }
          if (fields.has('parent_task_id') && changes.parentTaskId !== task.parentTaskId) {
            await this.checkParent(
              tx.manager,
              task.projectId,
              changes.parentTaskId ?? null,
              task.id,
            );
            task.parentTaskId = changes.parentTaskId ?? null;
          }
          if (fields.has('title')) task.title = changes.title!;
          if (fields.has('description')) task.description = changes.description!;
          if (fields.has('priority')) task.priority = changes.priority!;
          if (fields.has('estimated_hours')) task.estimatedHours = changes.estimatedHours ?? null;
          if (fields.has('start_date')) task.startDate = changes.startDate ?? null;
          if (fields.has('due_date')) task.dueDate = changes.dueDate ?? null;
          if (fields.has('tags')) task.tags = changes.tags!;
          if (fields.has('status') && changes.status !== task.status) {
            if (changes.status === 'done') await this.checkNoOpenBlockers(tx, task.id);
            task.completedAt = changes.status === 'done' ? new Date() : null;
            task.status = changes.status!;
          }
          if (task.startDate && task.dueDate && task.dueDate < task.startDate) {
            throw new WorkError('DATES_OUT_OF_ORDER', 'due_date must not be before start_date', [
              {
                field: 'task.due_date',
                description: 'must not be before start_date',
                reason: 'DATES_OUT_OF_ORDER',
              },
            ]);
          }
        },
      });
    });
  }

  /**
   * Erases the task. The tasks it blocked and its subtasks change too (they
   * lose a blocker or their parent), so each gets its own `updated` event;
   * its comments are erased, each with its `deleted` event.
   */
  async delete(caller: Principal, id: string, etag: string): Promise<void> {
    await inTransaction(this.dataSource, caller.userId, (tx) =>
      this.tasks.delete(tx, id, {
        soft: false,
        etag,
        authorize: async (task) => {
          await projectFor(tx.manager, caller, task.projectId, 'manage');
        },
        apply: async () => {
          const dependents = await tx.manager.findBy(TaskDependencyEntity, { blockerId: id });
          for (const edge of dependents) {
            await this.tasks.update(tx, edge.taskId, {
              apply: async (dependent) => {
                await tx.manager.delete(TaskDependencyEntity, {
                  taskId: edge.taskId,
                  blockerId: id,
                });
                dependent.blockedByTaskIds = dependent.blockedByTaskIds?.filter(
                  (blocker) => blocker !== id,
                );
              },
            });
          }
          const children = await tx.manager.findBy(TaskEntity, { parentTaskId: id });
          for (const child of children) {
            await this.tasks.update(tx, child.id, {
              apply: (entity) => {
                entity.parentTaskId = null;
              },
            });
          }
          const comments = await tx.manager.find(TaskCommentEntity, {
            where: { taskId: id },
            select: { id: true },
          });
          for (const comment of comments) {
            await this.comments.delete(tx, comment.id, { soft: false });
          }
        },
      }),
    );
  }

  /** Open blockers refuse DONE; they are share-locked so none reopens mid-check. */
  private async checkNoOpenBlockers(tx: Tx, taskId: string): Promise<void> {
    const open = await tx.manager.query<{ id: string }[]>(OPEN_BLOCKERS_SQL, [taskId]);
    if (open.length > 0) {
      throw new WorkError(
        'OPEN_BLOCKERS',
        `task ${taskId} is blocked by open task(s) ${open.map((row) => row.id).join(', ')}; finish them first`,
      );
    }
  }

  private async checkAssignee(
    manager: EntityManager,
    projectId: string,
    assigneeId: string | null,
  ) {
    if (assigneeId === null) return;
    if ((await roleOf(manager, projectId, assigneeId)) === null) {
      throw new WorkError(
        'ASSIGNEE_NOT_MEMBER',
        `user ${assigneeId} is not a member of project ${projectId}`,
        [
          {
            field: 'task.assignee_id',
            description: 'is not a member of the project',
            reason: 'ASSIGNEE_NOT_MEMBER',
          },
        ],
      );
    }
  }

  /** A parent is a task of the same project, and not the task itself or one of its subtasks. */
  private async checkParent(
    manager: EntityManager,
    projectId: string,
    parentId: string | null,
    taskId: string | null,
  ) {
    if (parentId === null) return;
    const parent = await manager.findOneBy(TaskEntity, { id: parentId });
    const invalid = (description: string) =>
      new WorkError('PARENT_NOT_IN_PROJECT', `parent task ${parentId} ${description}`, [
        { field: 'task.parent_task_id', description, reason: 'INVALID_PARENT' },
      ]);
    if (!parent || parent.projectId !== projectId)
      throw invalid('is not a task of the same project');
    if (taskId === null) return;
    const [loop] = await manager.query<{ id: string }[]>(
      `WITH RECURSIVE up(id) AS (SELECT $1::uuid UNION SELECT t.parent_task_id FROM "work"."tasks" t JOIN up ON t.id = up.id WHERE t.parent_task_id IS NOT NULL)
       SELECT id FROM up WHERE id = $2 LIMIT 1`,
      [parentId, taskId],
    );
    if (loop) throw invalid('is the task itself or one of its subtasks');
  }
}

type TaskFilters = Omit<ListTasksQuery, 'pageToken' | 'pageSize' | 'includeTotalSize'> & {
  member: string | null;
};

function applyFilters(qb: SelectQueryBuilder<TaskEntity>, filters: TaskFilters): void {
  // Non-admins see the tasks of projects they belong to.
  if (filters.member !== null) {
    qb.andWhere(
      'e.project_id IN (SELECT m.project_id FROM "work"."project_members" m WHERE m.user_id = :member)',
      {
        member: filters.member,
      },
    );
  }
  if (filters.projectId) qb.andWhere('e.project_id = :projectId', { projectId: filters.projectId });
  if (filters.assigneeId)
    qb.andWhere('e.assignee_id = :assigneeId', { assigneeId: filters.assigneeId });
  if (filters.status !== undefined) qb.andWhere('e.status = :status', { status: filters.status });
  if (filters.priority !== undefined)
    qb.andWhere('e.priority = :priority', { priority: filters.priority });
  if (filters.tag) qb.andWhere('e.tags @> ARRAY[:tag]::text[]', { tag: filters.tag });
  if (filters.dueBefore) qb.andWhere('e.due_date <= :dueBefore', { dueBefore: filters.dueBefore });
  if (filters.dueAfter) qb.andWhere('e.due_date >= :dueAfter', { dueAfter: filters.dueAfter });
  if (filters.overdueOnly) {
    qb.andWhere(
      "e.due_date < (now() AT TIME ZONE 'UTC')::date AND e.status NOT IN ('done', 'cancelled')",
    );
  }
}
