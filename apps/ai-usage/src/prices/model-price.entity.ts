import { Check, Column, Entity, Index } from 'typeorm';
import { SoftDeletableEntity } from '@nexus/db';

/**
 * A model's price per million tokens from `effectiveFrom` on. `model` is an
 * exact name or a prefix pattern ending in `*`. Only one live price per
 * (provider, model, effectiveFrom): a second one would make pricing ambiguous.
 */
@Entity({ name: 'model_prices' })
@Check(
  'CHK_model_prices_non_negative',
  'input_price >= 0 AND output_price >= 0 AND coalesce(cached_input_price, 0) >= 0 AND coalesce(reasoning_price, 0) >= 0',
)
@Index('IDX_model_prices_effective_from_id', ['effectiveFrom', 'id'])
@Index('IDX_model_prices_provider_model', ['provider', 'model', 'effectiveFrom'])
@Index('UQ_model_prices_live', ['provider', 'model', 'effectiveFrom'], {
  unique: true,
  where: '"deleted_at" IS NULL',
})
export class ModelPriceEntity extends SoftDeletableEntity {
  @Column({ type: 'text' })
  provider!: string;

  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'numeric', precision: 20, scale: 6 })
  inputPrice!: string;

  @Column({ type: 'numeric', precision: 20, scale: 6 })
  outputPrice!: string;

  /** Null: cached input tokens cost the input price. */
  @Column({ type: 'numeric', precision: 20, scale: 6, nullable: true })
  cachedInputPrice!: string | null;

  /** Null: reasoning tokens cost the output price. */
  @Column({ type: 'numeric', precision: 20, scale: 6, nullable: true })
  reasoningPrice!: string | null;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  effectiveFrom!: Date;
}
