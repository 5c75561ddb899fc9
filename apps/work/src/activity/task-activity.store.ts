import type { EntityManager } from 'typeorm';
import {
  queryPrepared,
  type EmittedEvent,
  type EventObserver,
  type Page,
  type PageTokenCodec,
  type Tx,
} from '@nexus/db';
import { commentActivityOf, taskActivityOf, type ActivityEntry } from './task-activity';
import { TaskActivityEntity } from './task-activity.entity';

/** Every task and comment event writes one: a prepared statement of fixed text. */
const INSERT_SQL = `
  INSERT INTO "work"."task_activity" (id, task_id, kind, actor_id, changes, comment_id, created_at)
  VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)`;

async function record(tx: Tx, event: EmittedEvent, entry: ActivityEntry | null): Promise<void> {
  if (!entry) return;
  await queryPrepared(tx.manager, INSERT_SQL, [
    event.eventId,
    entry.taskId,
    entry.kind,
    event.actor,
    JSON.stringify(entry.changes),
    entry.commentId,
    event.time,
  ]);
}

/** The task aggregate's observer: its events, as history entries. */
export const recordTaskActivity: EventObserver = (tx, event) =>
  record(tx, event, taskActivityOf(event));

/** The comment aggregate's observer: comment changes, as entries of their task's history. */
export const recordCommentActivity: EventObserver = (tx, event) =>
  record(tx, event, commentActivityOf(event));

const ORDER = 'create_time_desc';

/** One page of a task's history, newest first, on (task_id, created_at, id). */
export async function listActivity(
  manager: EntityManager,
  pageTokens: PageTokenCodec,
  query: { taskId: string; pageSize: number; pageToken: string },
): Promise<Page<TaskActivityEntity>> {
  const filters = { taskId: query.taskId };
  const qb = manager
    .createQueryBuilder(TaskActivityEntity, 'e')
    .where('e.task_id = :taskId', filters);
  if (query.pageToken) {
    const cursor = pageTokens.decode(query.pageToken, ORDER, filters);
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
        ? pageTokens.encode(ORDER, filters, { value: last.createdAt.toISOString(), id: last.id })
        : '',
  };
}
