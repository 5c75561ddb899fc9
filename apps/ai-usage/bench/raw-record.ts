import { Client } from 'pg';
import { uuidv7 } from '@nexus/core';
import type { AiInteractionEntity } from '../src/interactions/interaction.entity';
import { rollupDeltas, takeSlot, UPSERT_SQL, upsertParams } from '../src/usage/rollup';

/** What P writes per call: an interaction row as the service stores it, and its event payload. */
export interface RawInteraction {
  row: Omit<AiInteractionEntity, 'id' | 'createdAt' | 'updatedAt' | 'version'>;
  /** The event's `after` (the AiInteraction resource in proto3 JSON) and `changed`. */
  resource: Record<string, unknown>;
  changed: string[];
}

const COLUMNS = [
  'user_id',
  'module',
  'provider',
  'request_model',
  'response_model',
  'model',
  'operation',
  'prompt',
  'response',
  'prompt_captured',
  'prompt_length',
  'response_length',
  'prompt_hmac',
  'response_hmac',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'reasoning_tokens',
  'total_tokens',
  'computed_cost',
  'computed_currency',
  'reported_cost',
  'reported_currency',
  'unpriced',
  'price_id',
  'latency_ms',
  'time_to_first_token_ms',
  'status',
  'error_message',
  'conversation_id',
  'trace_id',
  'metadata',
  'started_at',
];

const INSERT_INTERACTION = `INSERT INTO "ai_usage"."ai_interactions" (id, version, ${COLUMNS.join(', ')})
  VALUES ($1, 1, ${COLUMNS.map((_, i) => `$${i + 2}`).join(', ')})`;

const INSERT_OUTBOX = `INSERT INTO "ai_usage"."outbox" (event_id, topic, message_key, type, source, time, payload)
  VALUES ($1, 'nexus.ai-usage.interaction', $2, 'nexus.ai-usage.interaction.created', '/nexus/ai-usage', now(), $3)`;

/**
 * P, the database half of the physical limit H for RecordInteraction: one
 * connection per caller, named prepared statements (parsed and planned once
 * per connection), and only the SQL work a recorded interaction needs: the
 * interaction row (same table, same indexes), the same rollup upsert as the
 * service (rollup.ts's SQL, same slot rule), the outbox row with an event of
 * the same size, in one transaction.
 */
export class RawRecorder {
  private constructor(private readonly clients: Client[]) {}

  static async connect(databaseUrl: string, connections: number): Promise<RawRecorder> {
    const clients = await Promise.all(
      Array.from({ length: connections }, async () => {
        const client = new Client({ connectionString: databaseUrl, application_name: 'bench-raw' });
        await client.connect();
        return client;
      }),
    );
    return new RawRecorder(clients);
  }

  async record(worker: number, interaction: RawInteraction): Promise<void> {
    const client = this.clients[worker % this.clients.length];
    const id = uuidv7();
    const { row } = interaction;
    await client.query('BEGIN');
    try {
      await client.query({
        name: 'bench-insert-interaction',
        text: INSERT_INTERACTION,
        values: [
          id,
          row.userId,
          row.module,
          row.provider,
          row.requestModel,
          row.responseModel,
          row.model,
          row.operation,
          row.prompt,
          row.response,
          row.promptCaptured,
          row.promptLength,
          row.responseLength,
          row.promptHmac,
          row.responseHmac,
          row.inputTokens,
          row.outputTokens,
          row.cachedInputTokens,
          row.reasoningTokens,
          row.totalTokens,
          row.computedCost,
          row.computedCurrency,
          row.reportedCost,
          row.reportedCurrency,
          row.unpriced,
          row.priceId,
          row.latencyMs,
          row.timeToFirstTokenMs,
          row.status,
          row.errorMessage,
          row.conversationId,
          row.traceId,
          JSON.stringify(row.metadata),
          row.startedAt,
        ],
      });
      await client.query({
        name: 'bench-rollup',
        text: UPSERT_SQL,
        values: upsertParams(rollupDeltas([row as AiInteractionEntity]), takeSlot()),
      });
      const now = new Date().toISOString();
      await client.query({
        name: 'bench-insert-outbox',
        text: INSERT_OUTBOX,
        values: [
          uuidv7(),
          id,
          JSON.stringify({
            before: null,
            after: { ...interaction.resource, id, createTime: now },
            changed: interaction.changed,
            actor: row.userId,
          }),
        ],
      });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.end()));
  }
}
