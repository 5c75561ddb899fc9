import type { DataSource } from 'typeorm';
import { KitError, type IdempotencyKey, type Principal } from '@nexus/core';
import {
  inTransaction,
  type AggregateStore,
  type Page,
  type PageTokenCodec,
  type Tx,
} from '@nexus/db';
import { checkProjectAccess } from '../projects/project-access';
import { projectFor, roleOf } from '../projects/project.store';
import { WorkError } from '../work.errors';
import type { TaskEntity } from './task.entity';
import { TimeEntryEntity } from './time-entry.entity';

/**
 * Recomputed, never incremented: the task row is locked first (by the
 * task store), so concurrent LogTime calls on one task run one after another and
 * each sum sees every entry committed before it (READ COMMITTED takes a new
 * snapshot per statement).
 */
const SUM_SQL = `SELECT coalesce(sum(hours), 0)::text AS total FROM "work"."time_entries" WHERE task_id = $1`;

export interface NewTimeEntry {
  taskId: string;
  hours: string;
  workDate: string;
  note: string;
}

/** Time worked on tasks; a task's actual_hours is the sum of its entries, kept in the same transaction. */
export class TimeEntryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tasks: AggregateStore<TaskEntity>,
    private readonly pageTokens: PageTokenCodec,
  ) {}

  /** The author is the caller, who must be able to contribute to the task's project. */
  async log(
    caller: Principal,
    input: NewTimeEntry,
    key?: IdempotencyKey,
  ): Promise<TimeEntryEntity> {
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const task = await this.tasks.get(input.taskId, { manager: tx.manager, hydrate: false });
      await projectFor(tx.manager, caller, task.projectId, 'contribute');
      const { childId } = await this.tasks.addChild(
        tx,
        input.taskId,
        { type: 'nexus.work.time_entry', key },
        {
          apply: async (locked, _applying, id) => {
            await tx.manager.insert(TimeEntryEntity, { id, ...input, userId: caller.userId });
            locked.actualHours = await sumOf(tx, input.taskId);
          },
        },
      );
      // A replay of an entry deleted since finds nothing: NOT_FOUND, as a Get would.
      const entry = await tx.manager.findOneBy(TimeEntryEntity, { id: childId });
      if (!entry) throw KitError.notFound('time entry', childId);
      return entry;
    });
  }

  async list(
    caller: Principal,
    query: { taskId: string; pageSize: number; pageToken: string },
  ): Promise<Page<TimeEntryEntity>> {
    const task = await this.tasks.get(query.taskId, { hydrate: false });
    await projectFor(this.dataSource.manager, caller, task.projectId, 'read');
    const order = 'create_time_desc';
    const filters = { taskId: query.taskId };
    const qb = this.dataSource.manager
      .createQueryBuilder(TimeEntryEntity, 'e')
      .where('e.task_id = :taskId', filters);
    if (query.pageToken) {
      const cursor = this.pageTokens.decode(query.pageToken, order, filters);
      qb.andWhere('(e.created_at, e.id) < (:value, :id)', { value: cursor.value, id: cursor.id });
    }
    const rows = await qb
      .orderBy('e.created_at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(query.pageSize + 1)
      .getMany();
    const items = rows.slice(0, query.pageSize);
    const last = items[items.length - 1];
    return {
      items,
      nextPageToken:
        rows.length > query.pageSize && last
          ? this.pageTokens.encode(order, filters, {
              value: last.createdAt.toISOString(),
              id: last.id,
            })
          : '',
    };
  }

  /** Authors delete their own entries; managers and owners anyone's. */
  async delete(caller: Principal, id: string): Promise<void> {
    await inTransaction(this.dataSource, caller.userId, async (tx) => {
      const entry = await tx.manager.findOneBy(TimeEntryEntity, { id });
      if (!entry) throw new WorkError('TIME_ENTRY_NOT_FOUND', `time entry ${id} not found`);
      const task = await this.tasks.get(entry.taskId, { manager: tx.manager, hydrate: false });
      const project = await projectFor(tx.manager, caller, task.projectId, 'contribute');
      if (entry.userId !== caller.userId) {
        checkProjectAccess(caller, await roleOf(tx.manager, project.id, caller.userId), 'manage');
      }
      await this.tasks.update(tx, entry.taskId, {
        apply: async (locked) => {
          await tx.manager.delete(TimeEntryEntity, { id });
          locked.actualHours = await sumOf(tx, entry.taskId);
        },
      });
    });
  }
}

async function sumOf(tx: Tx, taskId: string): Promise<string> {
  const [row] = await tx.manager.query<{ total: string }[]>(SUM_SQL, [taskId]);
  return row?.total ?? '0';
}
