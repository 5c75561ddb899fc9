import type { EntityManager } from 'typeorm';
import type { ReadEvent, ReadModelEffect } from '../consumer/event-reader';

/**
 * Applies a read event to the read models inside the consumer's transaction.
 * Tables are touched in one fixed order (events, actors, then the effect's
 * own), each row by one upsert, so concurrent partitions cannot deadlock.
 */
export async function applyToReadModels(manager: EntityManager, event: ReadEvent): Promise<void> {
  await manager.query(
    `INSERT INTO analytics.events_daily (day, type, events) VALUES ($1, $2, 1)
     ON CONFLICT (day, type) DO UPDATE SET events = events_daily.events + 1`,
    [event.day, event.type],
  );
  if (event.actor) {
    await manager.query(
      `INSERT INTO analytics.active_users_daily (day, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [event.day, event.actor],
    );
  }
  for (const effect of event.effects) await applyEffect(manager, event.day, effect);
}

async function applyEffect(
  manager: EntityManager,
  day: string,
  effect: ReadModelEffect,
): Promise<void> {
  switch (effect.model) {
    case 'documents':
      await manager.query(
        `INSERT INTO analytics.documents_daily (day, kind, created, edited) VALUES ($1, $2, $3, $4)
         ON CONFLICT (day, kind) DO UPDATE SET created = documents_daily.created + EXCLUDED.created,
           edited = documents_daily.edited + EXCLUDED.edited`,
        [day, effect.kind, effect.created, effect.edited],
      );
      return;
    case 'emails':
      await manager.query(
        `INSERT INTO analytics.emails_daily (day, sent) VALUES ($1, $2)
         ON CONFLICT (day) DO UPDATE SET sent = emails_daily.sent + EXCLUDED.sent`,
        [day, effect.sent],
      );
      return;
    case 'chat-messages':
      await manager.query(
        `INSERT INTO analytics.chat_messages_daily (day, room_id, messages) VALUES ($1, $2, 1)
         ON CONFLICT (day, room_id) DO UPDATE SET messages = chat_messages_daily.messages + 1`,
        [day, effect.roomId],
      );
      return;
    case 'tasks':
      await manager.query(
        `INSERT INTO analytics.tasks_daily (day, project_id, created, completed) VALUES ($1, $2, $3, $4)
         ON CONFLICT (day, project_id) DO UPDATE SET created = tasks_daily.created + EXCLUDED.created,
           completed = tasks_daily.completed + EXCLUDED.completed`,
        [day, effect.projectId, effect.created, effect.completed],
      );
      return;
    case 'task-state':
      // Events of one task arrive in order (key = task id), so the last one wins.
      if (effect.state === null) {
        await manager.query(`DELETE FROM analytics.task_states WHERE task_id = $1`, [
          effect.taskId,
        ]);
        return;
      }
      await manager.query(
        `INSERT INTO analytics.task_states (task_id, project_id, status, open, due_date)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (task_id) DO UPDATE SET project_id = EXCLUDED.project_id,
           status = EXCLUDED.status, open = EXCLUDED.open, due_date = EXCLUDED.due_date`,
        [
          effect.taskId,
          effect.state.projectId,
          effect.state.status,
          effect.state.open,
          effect.state.dueDate,
        ],
      );
      return;
    case 'ai-usage':
      await manager.query(
        `INSERT INTO analytics.ai_usage_daily
           (day, model, module, user_id, currency_code, interactions, input_tokens, output_tokens, total_tokens, cost)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9)
         ON CONFLICT (day, model, module, user_id, currency_code) DO UPDATE SET
           interactions = ai_usage_daily.interactions + 1,
           input_tokens = ai_usage_daily.input_tokens + EXCLUDED.input_tokens,
           output_tokens = ai_usage_daily.output_tokens + EXCLUDED.output_tokens,
           total_tokens = ai_usage_daily.total_tokens + EXCLUDED.total_tokens,
           cost = ai_usage_daily.cost + EXCLUDED.cost`,
        [
          day,
          effect.aiModel,
          effect.module,
          effect.userId,
          effect.currencyCode,
          effect.inputTokens,
          effect.outputTokens,
          effect.totalTokens,
          effect.cost,
        ],
      );
      return;
    default: {
      const unreachable: never = effect;
      throw new Error(`unhandled effect ${JSON.stringify(unreachable)}`);
    }
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
