import type { EntityManager } from 'typeorm';
import { queryPrepared } from '@nexus/db';
import { AiInteractionEntity } from './interaction.entity';

/** Every column an insert writes, with its SQL type, in the order of the statement. */
const COLUMNS: readonly [keyof AiInteractionEntity, string, string][] = [
  ['id', 'id', 'uuid'],
  ['userId', 'user_id', 'uuid'],
  ['module', 'module', '"ai_usage"."ai_module"'],
  ['provider', 'provider', 'text'],
  ['requestModel', 'request_model', 'text'],
  ['responseModel', 'response_model', 'text'],
  ['model', 'model', 'text'],
  ['operation', 'operation', '"ai_usage"."ai_operation"'],
  ['prompt', 'prompt', 'text'],
  ['response', 'response', 'text'],
  ['promptCaptured', 'prompt_captured', 'boolean'],
  ['promptLength', 'prompt_length', 'integer'],
  ['responseLength', 'response_length', 'integer'],
  ['promptHmac', 'prompt_hmac', 'text'],
  ['responseHmac', 'response_hmac', 'text'],
  ['inputTokens', 'input_tokens', 'integer'],
  ['outputTokens', 'output_tokens', 'integer'],
  ['cachedInputTokens', 'cached_input_tokens', 'integer'],
  ['reasoningTokens', 'reasoning_tokens', 'integer'],
  ['totalTokens', 'total_tokens', 'integer'],
  ['computedCost', 'computed_cost', 'numeric'],
  ['computedCurrency', 'computed_currency', 'text'],
  ['reportedCost', 'reported_cost', 'numeric'],
  ['reportedCurrency', 'reported_currency', 'text'],
  ['unpriced', 'unpriced', 'boolean'],
  ['priceId', 'price_id', 'uuid'],
  ['latencyMs', 'latency_ms', 'integer'],
  ['timeToFirstTokenMs', 'time_to_first_token_ms', 'integer'],
  ['status', 'status', '"ai_usage"."ai_interaction_status"'],
  ['errorMessage', 'error_message', 'text'],
  ['conversationId', 'conversation_id', 'text'],
  ['traceId', 'trace_id', 'text'],
  ['metadata', 'metadata', 'jsonb'],
  ['startedAt', 'started_at', 'timestamptz'],
];

const INSERT_SQL = `INSERT INTO "ai_usage"."ai_interactions"
    (version, ${COLUMNS.map(([, column]) => column).join(', ')})
  SELECT 1, ${COLUMNS.map(([, column]) => `r.${column}`).join(', ')}
    FROM json_to_recordset($1::json)
         AS r(${COLUMNS.map(([, column, type]) => `${column} ${type}`).join(', ')})
  RETURNING created_at, updated_at`;

/**
 * Inserts new interactions (ids set) in one statement, whatever their
 * number, and sets the columns the database fills (create and update time,
 * version 1). One JSON parameter rather than one per value: a batch of 1,000
 * would otherwise be 34,000 parameters, which TypeORM spends longer
 * escaping than the database spends inserting.
 */
export async function insertInteractions(
  manager: EntityManager,
  interactions: AiInteractionEntity[],
): Promise<void> {
  const rows = interactions.map((interaction) =>
    Object.fromEntries(COLUMNS.map(([property, column]) => [column, interaction[property]])),
  );
  const written = await queryPrepared<{ created_at: Date; updated_at: Date }>(manager, INSERT_SQL, [
    JSON.stringify(rows),
  ]);
  // Every row of one statement gets the same now(): the transaction's start.
  const [first] = written;
  for (const interaction of interactions) {
    interaction.createdAt = first.created_at;
    interaction.updatedAt = first.updated_at;
    interaction.version = 1;
  }
}

/**
 * Up to `limit` of a user's interactions, in id order (oldest recorded
 * first): the next chunk an erasure removes.
 */
export function interactionsOf(
  manager: EntityManager,
  userId: string,
  limit: number,
): Promise<AiInteractionEntity[]> {
  return manager.find(AiInteractionEntity, {
    where: { userId },
    order: { id: 'ASC' },
    take: limit,
  });
}

/**
 * Deletes interactions by id and answers the ids this statement deleted: a
 * concurrent erasure that got to some first leaves them out, so each
 * deletion is reported (and its event written) once.
 */
export async function deleteInteractions(
  manager: EntityManager,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await manager
    .createQueryBuilder()
    .delete()
    .from(AiInteractionEntity)
    .whereInIds(ids)
    .returning('id')
    .execute();
  return new Set((result.raw as { id: string }[]).map((row) => row.id));
}
