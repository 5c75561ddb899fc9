import type { EntityManager } from 'typeorm';
import type { ReadEvent } from '../consumer/event-reader';
import { foldReadEvents, fromNanos, rowsOf, type ReadModelChanges } from './read-model.fold';

/**
 * Applies read events, in the order given, to the read models inside the
 * consumer's transaction: their effects are folded in memory (counters
 * summed, the last state per task) and written with one multi-row statement
 * per table, so a batch of a thousand events costs a few statements. The
 * tables equal what applying the events one by one leaves. Tables are
 * touched in one fixed order and rows in key order, so concurrent partitions
 * cannot deadlock.
 */
export async function applyToReadModels(
  manager: EntityManager,
  events: readonly ReadEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await writeChanges(manager, foldReadEvents(events));
}

async function writeChanges(manager: EntityManager, changes: ReadModelChanges): Promise<void> {
  const events = rowsOf(changes.events);
  if (events.length > 0) {
    await manager.query(
      `INSERT INTO analytics.events_daily (day, type, events)
       SELECT * FROM unnest($1::date[], $2::text[], $3::bigint[])
       ON CONFLICT (day, type) DO UPDATE SET events = events_daily.events + EXCLUDED.events`,
      [events.map((r) => r.day), events.map((r) => r.type), events.map((r) => r.events)],
    );
  }
  const actors = rowsOf(changes.activeUsers);
  if (actors.length > 0) {
    await manager.query(
      `INSERT INTO analytics.active_users_daily (day, user_id)
       SELECT * FROM unnest($1::date[], $2::uuid[]) ON CONFLICT DO NOTHING`,
      [actors.map((r) => r.day), actors.map((r) => r.userId)],
    );
  }
  const documents = rowsOf(changes.documents);
  if (documents.length > 0) {
    await manager.query(
      `INSERT INTO analytics.documents_daily (day, kind, created, edited)
       SELECT * FROM unnest($1::date[], $2::text[], $3::int[], $4::int[])
       ON CONFLICT (day, kind) DO UPDATE SET created = documents_daily.created + EXCLUDED.created,
         edited = documents_daily.edited + EXCLUDED.edited`,
      [
        documents.map((r) => r.day),
        documents.map((r) => r.kind),
        documents.map((r) => r.created),
        documents.map((r) => r.edited),
      ],
    );
  }
  const emails = rowsOf(changes.emails);
  if (emails.length > 0) {
    await manager.query(
      `INSERT INTO analytics.emails_daily (day, sent)
       SELECT * FROM unnest($1::date[], $2::int[])
       ON CONFLICT (day) DO UPDATE SET sent = emails_daily.sent + EXCLUDED.sent`,
      [emails.map((r) => r.day), emails.map((r) => r.sent)],
    );
  }
  const messages = rowsOf(changes.chatMessages);
  if (messages.length > 0) {
    await manager.query(
      `INSERT INTO analytics.chat_messages_daily (day, room_id, messages)
       SELECT * FROM unnest($1::date[], $2::uuid[], $3::int[])
       ON CONFLICT (day, room_id) DO UPDATE SET messages = chat_messages_daily.messages + EXCLUDED.messages`,
      [messages.map((r) => r.day), messages.map((r) => r.roomId), messages.map((r) => r.messages)],
    );
  }
  const tasks = rowsOf(changes.tasks);
  if (tasks.length > 0) {
    await manager.query(
      `INSERT INTO analytics.tasks_daily (day, project_id, created, completed)
       SELECT * FROM unnest($1::date[], $2::uuid[], $3::int[], $4::int[])
       ON CONFLICT (day, project_id) DO UPDATE SET created = tasks_daily.created + EXCLUDED.created,
         completed = tasks_daily.completed + EXCLUDED.completed`,
      [
        tasks.map((r) => r.day),
        tasks.map((r) => r.projectId),
        tasks.map((r) => r.created),
        tasks.map((r) => r.completed),
      ],
    );
  }
  await writeTaskStates(manager, changes.taskStates);
  const usage = rowsOf(changes.aiUsage);
  if (usage.length > 0) {
    await manager.query(
      `INSERT INTO analytics.ai_usage_daily
         (day, model, module, user_id, currency_code, interactions, input_tokens, output_tokens, total_tokens, cost)
       SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
         $7::bigint[], $8::bigint[], $9::bigint[], $10::numeric[])
       ON CONFLICT (day, model, module, user_id, currency_code) DO UPDATE SET
         interactions = ai_usage_daily.interactions + EXCLUDED.interactions,
         input_tokens = ai_usage_daily.input_tokens + EXCLUDED.input_tokens,
         output_tokens = ai_usage_daily.output_tokens + EXCLUDED.output_tokens,
         total_tokens = ai_usage_daily.total_tokens + EXCLUDED.total_tokens,
         cost = ai_usage_daily.cost + EXCLUDED.cost`,
      [
        usage.map((r) => r.day),
        usage.map((r) => r.model),
        usage.map((r) => r.module),
        usage.map((r) => r.userId),
        usage.map((r) => r.currencyCode),
        usage.map((r) => r.interactions),
        usage.map((r) => String(r.inputTokens)),
        usage.map((r) => String(r.outputTokens)),
        usage.map((r) => String(r.totalTokens)),
        usage.map((r) => fromNanos(r.costNanos)),
      ],
    );
  }
}

/** The last state of each task: an upsert, or a delete when the last event removed it. */
async function writeTaskStates(
  manager: EntityManager,
  states: ReadModelChanges['taskStates'],
): Promise<void> {
  const entries = [...states.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const kept = entries.flatMap(([taskId, state]) => (state ? [{ taskId, ...state }] : []));
  const removed = entries.filter(([, state]) => state === null).map(([taskId]) => taskId);
  if (kept.length > 0) {
    await manager.query(
      `INSERT INTO analytics.task_states (task_id, project_id, status, open, due_date)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::boolean[], $5::date[])
       ON CONFLICT (task_id) DO UPDATE SET project_id = EXCLUDED.project_id,
         status = EXCLUDED.status, open = EXCLUDED.open, due_date = EXCLUDED.due_date`,
      [
        kept.map((r) => r.taskId),
        kept.map((r) => r.projectId),
        kept.map((r) => r.status),
        kept.map((r) => r.open),
        kept.map((r) => r.dueDate),
      ],
    );
  }
  if (removed.length > 0) {
    await manager.query(`DELETE FROM analytics.task_states WHERE task_id = ANY($1::uuid[])`, [
      removed,
    ]);
  }
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
