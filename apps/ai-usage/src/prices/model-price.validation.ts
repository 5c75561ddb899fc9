import { z } from 'zod';
import { decimal, timestamp } from '@nexus/core';
import { pageSizeSchema, pageTokenSchema } from '@nexus/grpc';
import {
  PRICE_COLUMN,
  currencyCode,
  name,
  optionalName,
  required,
  requestId,
  uuid,
} from '../validation';

const price = decimal(PRICE_COLUMN);
const optionalPrice = z.union([z.literal(''), price]).transform((value) => value || null);
/** An exact model name, or a prefix pattern: one trailing "*" after at least one character. */
const modelPattern = z
  .string()
  .trim()
  .toLowerCase()
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\s*]+\*?$/, 'must be a model name, or a prefix followed by one "*"');

export const UPDATABLE = [
  'input_price_per_million',
  'output_price_per_million',
  'cached_input_price_per_million',
  'reasoning_price_per_million',
  'currency_code',
  'effective_time',
] as const;
export type UpdatableField = (typeof UPDATABLE)[number];

export const createModelPriceSchema = z.object({
  modelPrice: z.object(
    {
      provider: name,
      model: modelPattern,
      inputPricePerMillion: price,
      outputPricePerMillion: price,
      cachedInputPricePerMillion: optionalPrice,
      reasoningPricePerMillion: optionalPrice,
      currencyCode,
      effectiveTime: timestamp.optional().refine((v) => v !== undefined, 'is required'),
    },
    required,
  ),
  requestId,
});

const updatableFields = {
  input_price_per_million: z.object({ inputPricePerMillion: price }),
  output_price_per_million: z.object({ outputPricePerMillion: price }),
  cached_input_price_per_million: z.object({ cachedInputPricePerMillion: optionalPrice }),
  reasoning_price_per_million: z.object({ reasoningPricePerMillion: optionalPrice }),
  currency_code: z.object({ currencyCode }),
  effective_time: z.object({ effectiveTime: timestamp }),
};

export type PriceChanges = Partial<{
  inputPricePerMillion: string;
  outputPricePerMillion: string;
  cachedInputPricePerMillion: string | null;
  reasoningPricePerMillion: string | null;
  currencyCode: string;
  effectiveTime: Date;
}>;

export function updateModelPriceSchema(
  paths: ReadonlySet<UpdatableField>,
): z.ZodType<{ modelPrice: { id: string; etag: string } & PriceChanges }> {
  const fields = [...paths].reduce<z.ZodObject>(
    (schema, path) => schema.extend(updatableFields[path].shape),
    z.object({ id: uuid, etag: z.string().max(64) }),
  );
  // Built per mask, so the static type is asserted: fields outside the mask stay unset.
  return z.object({ modelPrice: fields }, required) as unknown as z.ZodType<{
    modelPrice: { id: string; etag: string } & PriceChanges;
  }>;
}

export const listModelPricesSchema = z.object({
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
  provider: optionalName,
  model: optionalName,
  showDeleted: z.boolean(),
  includeTotalSize: z.boolean(),
});

export const deleteModelPriceSchema = z.object({ id: uuid, etag: z.string().max(64) });
