import type { EntityManager } from 'typeorm';
import { queryPrepared } from '@nexus/db';
import type { Prices } from './cost';

export interface PriceQuery {
  provider: string;
  responseModel: string;
  requestModel: string;
  at: Date;
}

export interface MatchedPrice extends Prices {
  id: string;
  currency: string;
}

/**
 * The price in force for each query, in one round trip. Rule (see
 * ModelPrice in the proto): within the provider and among live prices
 * effective at `at`, the response model is matched before the request
 * model; an exact name beats a `prefix*` pattern, a longer pattern beats a
 * shorter one, and the latest effective_from wins among equals.
 */
export async function findPrices(
  manager: EntityManager,
  queries: readonly PriceQuery[],
): Promise<(MatchedPrice | null)[]> {
  if (queries.length === 0) return [];
  const rows = await queryPrepared<{
    id: string | null;
    input_price: string;
    output_price: string;
    cached_input_price: string | null;
    reasoning_price: string | null;
    currency: string;
  }>(
    manager,
    `SELECT q.ord, p.id, p.input_price::text AS input_price, p.output_price::text AS output_price,
            p.cached_input_price::text AS cached_input_price,
            p.reasoning_price::text AS reasoning_price, p.currency
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
            WITH ORDINALITY AS q(provider, response_model, request_model, at, ord)
       LEFT JOIN LATERAL (
         SELECT price.*
           FROM "ai_usage"."model_prices" price
           JOIN (VALUES (1, q.response_model), (2, q.request_model)) AS c(rank, name)
             ON c.name <> ''
          WHERE price.deleted_at IS NULL
            AND price.provider = q.provider
            AND price.effective_from <= q.at
            AND (price.model = c.name
                 OR (right(price.model, 1) = '*' AND starts_with(c.name, left(price.model, -1))))
          ORDER BY c.rank, (price.model = c.name) DESC, length(price.model) DESC,
                   price.effective_from DESC
          LIMIT 1
       ) p ON true
      ORDER BY q.ord`,
    [
      queries.map((q) => q.provider),
      queries.map((q) => q.responseModel),
      queries.map((q) => q.requestModel),
      queries.map((q) => q.at.toISOString()),
    ],
  );
  return rows.map((row) =>
    row.id === null
      ? null
      : {
          id: row.id,
          inputPrice: row.input_price,
          outputPrice: row.output_price,
          cachedInputPrice: row.cached_input_price,
          reasoningPrice: row.reasoning_price,
          currency: row.currency,
        },
  );
}
