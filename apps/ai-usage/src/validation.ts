import { z } from 'zod';
import { jsonObject, type NumericColumn } from '@nexus/core';
import {
  MODULE_TO_PROTO,
  OPERATION_TO_PROTO,
  SCOPE_TO_PROTO,
  STATUS_TO_PROTO,
  inverse,
} from './enums';

/** Field schemas the request schemas of every aggregate share, beyond the kit's. */

export { optionalUuid, requestId, required, uuid } from '@nexus/grpc';

/** A proto enum value that must name one of `names` (UNSPECIFIED and unknown values refused). */
function protoEnum<K extends string>(map: Record<K, number>, label: string) {
  const byValue = inverse(map);
  return z.number().transform((value, ctx) => {
    const name = byValue.get(value);
    if (!name) ctx.addIssue({ code: 'custom', message: `must be a ${label} value` });
    return name as K;
  });
}
export const moduleSchema = protoEnum(MODULE_TO_PROTO, 'Module');
export const operationSchema = protoEnum(OPERATION_TO_PROTO, 'Operation');
export const statusSchema = protoEnum(STATUS_TO_PROTO, 'InteractionStatus');
export const scopeSchema = protoEnum(SCOPE_TO_PROTO, 'BudgetScope');

/** Provider and model names: trimmed, lower-cased, printable. */
export const name = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[^\s*]{1,200}$/, 'must be 1 to 200 characters without spaces or "*"');
export const optionalName = z
  .string()
  .trim()
  .toLowerCase()
  .max(200, 'must be at most 200 characters');

/** The numeric columns decimal inputs go to (see the entities). */
export const PRICE_COLUMN: NumericColumn = { precision: 20, scale: 6 };
export const BUDGET_COLUMN: NumericColumn = { precision: 20, scale: 4 };
export const COST_COLUMN: NumericColumn = { precision: 28, scale: 12 };

export const currencyCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

export const metadataSchema = jsonObject({ maxBytes: 16_384 });
