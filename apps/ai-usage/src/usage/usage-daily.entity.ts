import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { MODULES, type Module } from '../interactions/interaction.entity';

/**
 * The rollup GetUsageSummary reads: one row per UTC day, user, module,
 * provider, model and cost currency ('' for interactions without a cost),
 * maintained in the transaction that records each interaction. Latency is
 * kept as a sparse log-bucket histogram ({bucket: count}, see
 * latency-histogram.ts) so percentiles can be merged across rows.
 *
 * Each key is spread over up to ROLLUP_SLOTS rows (`slot`, see rollup.ts):
 * a recording transaction adds to the slot of its database session, so
 * concurrent recorders for the same user, day and model update different
 * rows instead of queueing on one row lock. Readers sum the slots.
 */
@Entity({ name: 'usage_daily' })
@Index('IDX_usage_daily_user_day', ['userId', 'day'])
@Index('IDX_usage_daily_module_day', ['module', 'day'])
export class UsageDailyEntity {
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ type: 'enum', enum: MODULES, enumName: 'ai_module' })
  module!: Module;

  @PrimaryColumn({ type: 'text' })
  provider!: string;

  @PrimaryColumn({ type: 'text' })
  model!: string;

  @PrimaryColumn({ type: 'text' })
  currency!: string;

  /** 0 .. ROLLUP_SLOTS - 1; rows written before slots existed are slot 0. */
  @PrimaryColumn({ type: 'smallint', default: 0 })
  slot!: number;

  @Column({ type: 'bigint' })
  interactionCount!: string;

  @Column({ type: 'bigint' })
  errorCount!: string;

  @Column({ type: 'bigint' })
  unpricedCount!: string;

  @Column({ type: 'bigint' })
  inputTokens!: string;

  @Column({ type: 'bigint' })
  outputTokens!: string;

  @Column({ type: 'bigint' })
  cachedInputTokens!: string;

  @Column({ type: 'bigint' })
  reasoningTokens!: string;

  @Column({ type: 'bigint' })
  totalTokens!: string;

  @Column({ type: 'numeric', precision: 28, scale: 12 })
  cost!: string;

  @Column({ type: 'integer' })
  latencyMin!: number;

  @Column({ type: 'integer' })
  latencyMax!: number;

  @Column({ type: 'jsonb' })
  latencyHistogram!: Record<string, number>;
}
