import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@nexus/db';

export const MODULES = [
  'documents',
  'email',
  'chat',
  'projects',
  'tasks',
  'files',
  'other',
] as const;
export type Module = (typeof MODULES)[number];

export const OPERATIONS = ['chat', 'completion', 'embedding', 'image', 'other'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const INTERACTION_STATUSES = ['success', 'error'] as const;
export type InteractionStatus = (typeof INTERACTION_STATUSES)[number];

/**
 * One call to an AI model. Immutable once recorded. `model` is the model
 * that answered (response model, else request model): what lists filter on
 * and summaries group by. Costs are numeric; no float ever touches them.
 */
@Entity({ name: 'ai_interactions' })
@Check(
  'CHK_ai_interactions_tokens',
  'input_tokens >= cached_input_tokens AND cached_input_tokens >= 0 AND output_tokens >= reasoning_tokens AND reasoning_tokens >= 0 AND latency_ms >= 0',
)
@Index('IDX_ai_interactions_started_at_id', ['startedAt', 'id'])
@Index('IDX_ai_interactions_user_started_at', ['userId', 'startedAt', 'id'])
@Index('IDX_ai_interactions_module_started_at', ['module', 'startedAt', 'id'])
@Index('IDX_ai_interactions_model_started_at', ['model', 'startedAt', 'id'])
@Index('IDX_ai_interactions_provider_started_at', ['provider', 'startedAt', 'id'])
@Index('IDX_ai_interactions_status_started_at', ['status', 'startedAt', 'id'])
export class AiInteractionEntity extends BaseEntity {
  @Column({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'enum', enum: MODULES, enumName: 'ai_module' })
  module!: Module;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ type: 'text' })
  requestModel!: string;

  @Column({ type: 'text', default: '' })
  responseModel!: string;

  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'enum', enum: OPERATIONS, enumName: 'ai_operation' })
  operation!: Operation;

  /** Null unless the deployment captures prompts. */
  @Column({ type: 'text', nullable: true })
  prompt!: string | null;

  @Column({ type: 'text', nullable: true })
  response!: string | null;

  @Column({ type: 'boolean' })
  promptCaptured!: boolean;

  @Column({ type: 'integer' })
  promptLength!: number;

  @Column({ type: 'integer' })
  responseLength!: number;

  /**
   * Hex HMAC-SHA-256 of the text keyed with AI_PROMPT_HASH_SECRET. Null for
   * rows recorded before the key existed: their unkeyed SHA-256 confirmed
   * guesses of short prompts and was dropped (migration PromptHmac).
   */
  @Column({ type: 'text', nullable: true })
  promptHmac!: string | null;

  @Column({ type: 'text', nullable: true })
  responseHmac!: string | null;

  @Column({ type: 'integer' })
  inputTokens!: number;

  @Column({ type: 'integer' })
  outputTokens!: number;

  @Column({ type: 'integer' })
  cachedInputTokens!: number;

  @Column({ type: 'integer' })
  reasoningTokens!: number;

  @Column({ type: 'integer' })
  totalTokens!: number;

  /** From the price table; decimal string as pg returns numeric. */
  @Column({ type: 'numeric', precision: 28, scale: 12, nullable: true })
  computedCost!: string | null;

  @Column({ type: 'text', nullable: true })
  computedCurrency!: string | null;

  @Column({ type: 'numeric', precision: 28, scale: 12, nullable: true })
  reportedCost!: string | null;

  @Column({ type: 'text', nullable: true })
  reportedCurrency!: string | null;

  @Column({ type: 'boolean' })
  unpriced!: boolean;

  @Column({ type: 'uuid', nullable: true })
  priceId!: string | null;

  @Column({ type: 'integer' })
  latencyMs!: number;

  @Column({ type: 'integer', nullable: true })
  timeToFirstTokenMs!: number | null;

  @Column({ type: 'enum', enum: INTERACTION_STATUSES, enumName: 'ai_interaction_status' })
  status!: InteractionStatus;

  @Column({ type: 'text', default: '' })
  errorMessage!: string;

  @Column({ type: 'text', default: '' })
  conversationId!: string;

  @Column({ type: 'text', default: '' })
  traceId!: string;

  @Column({ type: 'jsonb', default: {} })
  metadata!: Record<string, unknown>;

  @Column({ type: 'timestamptz', precision: 3 })
  startedAt!: Date;
}
