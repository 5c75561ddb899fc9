import type { EntityManager } from 'typeorm';
import type { ReadEvent } from '../consumer/event-reader';
import { foldReadEvents, fromNanos, rowsOf, type ReadModelChanges } from './read-model.fold';

/**
 * Applies read events, in the order given, to the read models inside the
 * consumer's transaction: their effects are folded in memory (counters
 * summed, the last state per task) and written with one multi-row upsert per
 * touched table, all in a single statement (one round trip), so a batch of a
 * thousand events costs what one event does. The tables equal what applying
 * the events one by one leaves. Tables are written in one fixed order and
 * rows in key order, so concurrent partitions cannot deadlock.
 */
export async function applyToReadModels(
  manager: EntityManager,
  events: readonly ReadEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const statement = readModelStatement(foldReadEvents(events));
  if (statement) await manager.query(statement.sql, statement.params);
}

/**
 * The changes as one statement: each table's write a data-modifying CTE,
 * which PostgreSQL runs to completion, in the order written, whatever the
 * main query reads.
 */
function readModelStatement(
  changes: ReadModelChanges,
): { sql: string; params: unknown[] } | undefined {
  const params: unknown[] = [];
  const param = (values: unknown[], type: string) => {
    params.push(values);
    return `$${params.length}::${type}[]`;
  };
  /** unnest() of one array parameter per column, the rows in the order given. */
  const unnest = <T>(rows: readonly T[], ...columns: [string, (row: T) => unknown][]) =>
    `unnest(${columns.map(([type, value]) => param(rows.map(value), type)).join(', ')})`;
  const writes: string[] = [];

  const events = rowsOf(changes.events);
  if (events.length > 0) {
    const from = unnest(
      events,
      ['date', (r) => r.day],
      ['text', (r) => r.type],
      ['bigint', (r) => r.events],
    );
    writes.push(`INSERT INTO analytics.events_daily (day, type, events)
      SELECT * FROM ${from}
      ON CONFLICT (day, type) DO UPDATE SET events = events_daily.events + EXCLUDED.events`);
  }
  const actors = rowsOf(changes.activeUsers);
  if (actors.length > 0) {
    const from = unnest(actors, ['date', (r) => r.day], ['uuid', (r) => r.userId]);
    writes.push(`INSERT INTO analytics.active_users_daily (day, user_id)
      SELECT * FROM ${from} ON CONFLICT DO NOTHING`);
  }
  const documents = rowsOf(changes.documents);
  if (documents.length > 0) {
    const from = unnest(
      documents,
      ['date', (r) => r.day],
      ['text', (r) => r.kind],
      ['int', (r) => r.created],
      ['int', (r) => r.edited],
    );
    writes.push(`INSERT INTO analytics.documents_daily (day, kind, created, edited)
      SELECT * FROM ${from}
      ON CONFLICT (day, kind) DO UPDATE SET created = documents_daily.created + EXCLUDED.created,
        edited = documents_daily.edited + EXCLUDED.edited`);
  }
  const emails = rowsOf(changes.emails);
  if (emails.length > 0) {
    const from = unnest(emails, ['date', (r) => r.day], ['int', (r) => r.sent]);
    writes.push(`INSERT INTO analytics.emails_daily (day, sent)
      SELECT * FROM ${from}
      ON CONFLICT (day) DO UPDATE SET sent = emails_daily.sent + EXCLUDED.sent`);
  }
  const messages = rowsOf(changes.chatMessages);
  if (messages.length > 0) {
    const from = unnest(
      messages,
      ['date', (r) => r.day],
      ['uuid', (r) => r.roomId],
      ['int', (r) => r.messages],
    );
    writes.push(`INSERT INTO analytics.chat_messages_daily (day, room_id, messages)
      SELECT * FROM ${from}
      ON CONFLICT (day, room_id) DO UPDATE SET messages = chat_messages_daily.messages + EXCLUDED.messages`);
  }
  const tasks = rowsOf(changes.tasks);
  if (tasks.length > 0) {
    const from = unnest(
      tasks,
      ['date', (r) => r.day],
      ['uuid', (r) => r.projectId],
      ['int', (r) => r.created],
      ['int', (r) => r.completed],
    );
    writes.push(`INSERT INTO analytics.tasks_daily (day, project_id, created, completed)
      SELECT * FROM ${from}
      ON CONFLICT (day, project_id) DO UPDATE SET created = tasks_daily.created + EXCLUDED.created,
        completed = tasks_daily.completed + EXCLUDED.completed`);
  }
  // The last state of each task: an upsert, or a delete when the last event removed it.
  const states = [...changes.taskStates.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const kept = states.flatMap(([taskId, state]) => (state ? [{ taskId, ...state }] : []));
  const removed = states.filter(([, state]) => state === null).map(([taskId]) => taskId);
  if (kept.length > 0) {
    const from = unnest(
      kept,
      ['uuid', (r) => r.taskId],
      ['uuid', (r) => r.projectId],
      ['text', (r) => r.status],
      ['boolean', (r) => r.open],
      ['date', (r) => r.dueDate],
    );
    writes.push(`INSERT INTO analytics.task_states (task_id, project_id, status, open, due_date)
      SELECT * FROM ${from}
      ON CONFLICT (task_id) DO UPDATE SET project_id = EXCLUDED.project_id,
        status = EXCLUDED.status, open = EXCLUDED.open, due_date = EXCLUDED.due_date`);
  }
  if (removed.length > 0) {
    writes.push(`DELETE FROM analytics.task_states WHERE task_id = ANY(${param(removed, 'uuid')})`);
  }
  const usage = rowsOf(changes.aiUsage);
  if (usage.length > 0) {
    const from = unnest(
      usage,
      ['date', (r) => r.day],
      ['text', (r) => r.model],
      ['text', (r) => r.module],
      ['text', (r) => r.userId],
      ['text', (r) => r.currencyCode],
      ['int', (r) => r.interactions],
      ['bigint', (r) => String(r.inputTokens)],
      ['bigint', (r) => String(r.outputTokens)],
      ['bigint', (r) => String(r.totalTokens)],
      ['numeric', (r) => fromNanos(r.costNanos)],
    );
    writes.push(`INSERT INTO analytics.ai_usage_daily
        (day, model, module, user_id, currency_code, interactions, input_tokens, output_tokens, total_tokens, cost)
      SELECT * FROM ${from}
      ON CONFLICT (day, model, module, user_id, currency_code) DO UPDATE SET
        interactions = ai_usage_daily.interactions + EXCLUDED.interactions,
        input_tokens = ai_usage_daily.input_tokens + EXCLUDED.input_tokens,
        output_tokens = ai_usage_daily.output_tokens + EXCLUDED.output_tokens,
        total_tokens = ai_usage_daily.total_tokens + EXCLUDED.total_tokens,
        cost = ai_usage_daily.cost + EXCLUDED.cost`);
  }
  if (writes.length === 0) return undefined;
  const sql = `WITH ${writes.map((write, i) => `w${i} AS (${write})`).join(',\n')} SELECT 1`;
  return { sql, params };
}

/** Every read-model table, for a rebuild. */
export const READ_MODEL_TABLES = [
  'events_daily',
  'active_users_daily',
  'documents_daily',
  'emails_daily',
  'chat_messages_daily',
  'tasks_daily',
  'task_states',
  'ai_usage_daily',
] as const;
