import type { MigrationInterface, QueryRunner } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { emitFromMigration } from '@nexus/db';
import { ModelPriceEntity } from '../prices/model-price.entity';
import { modelPriceAggregate } from '../prices/model-price.aggregate';

/**
 * The date the prices below were the providers' published list prices
 * (standard tier, text tokens, USD per million tokens). Each row is in force
 * from this moment: interactions that started earlier stay unpriced.
 */
export const DEFAULT_PRICES_AS_OF = '2025-11-01T00:00:00.000Z';

/** [provider, model (exact, or a `prefix*` pattern), input, output, cached input (null: the input price)] */
type DefaultPrice = readonly [string, string, string, string, string | null];

/**
 * A default price list, so that a fresh platform prices real usage (the table
 * used to start empty, and every cost read 0.00). Providers are named as the
 * OpenTelemetry gen_ai conventions name them. Cached input is the price of a
 * cache read; reasoning tokens are billed as output by every provider here,
 * so no row sets a reasoning price. Not covered: Anthropic's cache writes
 * (1.25× input), Gemini 2.5 Pro's higher rate for prompts over 200k tokens
 * and Gemini's cached-token rates (cached tokens are priced as input here).
 * Prices change: these rows are ordinary ModelPrices that admins update,
 * delete or supersede with a later effective time.
 */
export const DEFAULT_MODEL_PRICES: readonly DefaultPrice[] = [
  ['openai', 'gpt-5', '1.25', '10', '0.125'],
  ['openai', 'gpt-5-2025-08-07', '1.25', '10', '0.125'],
  ['openai', 'gpt-5-mini', '0.25', '2', '0.025'],
  ['openai', 'gpt-5-mini-2025-08-07', '0.25', '2', '0.025'],
  ['openai', 'gpt-5-nano', '0.05', '0.4', '0.005'],
  ['openai', 'gpt-5-nano-2025-08-07', '0.05', '0.4', '0.005'],
  ['openai', 'gpt-4.1', '2', '8', '0.5'],
  ['openai', 'gpt-4.1-2025-04-14', '2', '8', '0.5'],
  ['openai', 'gpt-4.1-mini', '0.4', '1.6', '0.1'],
  ['openai', 'gpt-4.1-mini-2025-04-14', '0.4', '1.6', '0.1'],
  ['openai', 'gpt-4.1-nano', '0.1', '0.4', '0.025'],
  ['openai', 'gpt-4.1-nano-2025-04-14', '0.1', '0.4', '0.025'],
  // Exact names only: gpt-4o-2024-05-13 had other prices.
  ['openai', 'gpt-4o', '2.5', '10', '1.25'],
  ['openai', 'gpt-4o-2024-08-06', '2.5', '10', '1.25'],
  ['openai', 'gpt-4o-2024-11-20', '2.5', '10', '1.25'],
  ['openai', 'gpt-4o-mini', '0.15', '0.6', '0.075'],
  ['openai', 'gpt-4o-mini-2024-07-18', '0.15', '0.6', '0.075'],
  ['openai', 'o3', '2', '8', '0.5'],
  ['openai', 'o3-2025-04-16', '2', '8', '0.5'],
  ['openai', 'o4-mini', '1.1', '4.4', '0.275'],
  ['openai', 'o4-mini-2025-04-16', '1.1', '4.4', '0.275'],
  ['openai', 'o3-mini', '1.1', '4.4', '0.55'],
  ['openai', 'o3-mini-2025-01-31', '1.1', '4.4', '0.55'],
  ['openai', 'text-embedding-3-small', '0.02', '0', null],
  ['openai', 'text-embedding-3-large', '0.13', '0', null],
  // Anthropic ids carry a date (claude-sonnet-4-5-20250929) or an alias.
  ['anthropic', 'claude-sonnet-4-5*', '3', '15', '0.3'],
  ['anthropic', 'claude-sonnet-4-0', '3', '15', '0.3'],
  ['anthropic', 'claude-sonnet-4-20250514', '3', '15', '0.3'],
  ['anthropic', 'claude-3-7-sonnet*', '3', '15', '0.3'],
  ['anthropic', 'claude-opus-4-1*', '15', '75', '1.5'],
  ['anthropic', 'claude-opus-4-0', '15', '75', '1.5'],
  ['anthropic', 'claude-opus-4-20250514', '15', '75', '1.5'],
  ['anthropic', 'claude-haiku-4-5*', '1', '5', '0.1'],
  ['anthropic', 'claude-3-5-haiku*', '0.8', '4', '0.08'],
  ['gcp.gemini', 'gemini-2.5-pro', '1.25', '10', null],
  ['gcp.gemini', 'gemini-2.5-flash', '0.3', '2.5', null],
  ['gcp.gemini', 'gemini-2.5-flash-lite', '0.1', '0.4', null],
  ['gcp.gemini', 'gemini-2.0-flash', '0.1', '0.4', null],
];

interface PriceRow {
  id: string;
  created_at: Date;
  updated_at: Date;
  version: number;
  deleted_at: Date | null;
  provider: string;
  model: string;
  input_price: string;
  output_price: string;
  cached_input_price: string | null;
  reasoning_price: string | null;
  currency: string;
  effective_from: Date;
}

/** What RETURNING gives back: every column, the prices as exact text. */
const RETURNED = `id, created_at, updated_at, version, deleted_at, provider, model,
  input_price::text AS input_price, output_price::text AS output_price,
  cached_input_price::text AS cached_input_price, reasoning_price::text AS reasoning_price,
  currency, effective_from`;

/** A row as the entity, for the events' resource (the API's ModelPrice). */
function asEntity(row: PriceRow): ModelPriceEntity {
  return Object.assign(new ModelPriceEntity(), {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
    deletedAt: row.deleted_at,
    provider: row.provider,
    model: row.model,
    inputPrice: row.input_price,
    outputPrice: row.output_price,
    cachedInputPrice: row.cached_input_price,
    reasoningPrice: row.reasoning_price,
    currency: row.currency,
    effectiveFrom: row.effective_from,
  });
}

/** The default price list, each row with its `created` event as if an admin had made it. */
export class DefaultModelPrices1796314200000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const rows = (await runner.query(
      `INSERT INTO "ai_usage"."model_prices" (id, version, provider, model, input_price,
         output_price, cached_input_price, currency, effective_from)
       SELECT p.id, 1, p.provider, p.model, p.input_price, p.output_price, p.cached_input_price,
              'USD', $2::timestamptz
         FROM jsonb_to_recordset($1::jsonb)
              AS p(id uuid, provider text, model text, input_price numeric,
                   output_price numeric, cached_input_price numeric)
       ON CONFLICT DO NOTHING
       RETURNING ${RETURNED}`,
      [
        JSON.stringify(
          DEFAULT_MODEL_PRICES.map(([provider, model, input, output, cached]) => ({
            id: uuidv7(),
            provider,
            model,
            input_price: input,
            output_price: output,
            cached_input_price: cached,
          })),
        ),
        DEFAULT_PRICES_AS_OF,
      ],
    )) as PriceRow[];
    await emitFromMigration(runner, 'ai_usage', modelPriceAggregate, 'created', rows.map(asEntity));
  }

  /** Removes the default rows still live with their effective time (each with its `deleted` event). */
  async down(runner: QueryRunner): Promise<void> {
    // A SELECT around the DELETE: TypeORM answers a bare DELETE with [rows, count].
    const rows = (await runner.query(
      `WITH gone AS (
         DELETE FROM "ai_usage"."model_prices" m
          USING jsonb_to_recordset($1::jsonb) AS p(provider text, model text)
          WHERE m.provider = p.provider AND m.model = p.model
            AND m.effective_from = $2::timestamptz AND m.deleted_at IS NULL
         RETURNING m.*)
       SELECT ${RETURNED} FROM gone`,
      [
        JSON.stringify(DEFAULT_MODEL_PRICES.map(([provider, model]) => ({ provider, model }))),
        DEFAULT_PRICES_AS_OF,
      ],
    )) as PriceRow[];
    await emitFromMigration(runner, 'ai_usage', modelPriceAggregate, 'deleted', rows.map(asEntity));
  }
}
