import { z } from 'zod';
import { calendarDate, decimal, type DecimalRules, type NumericColumn } from '@nexus/core';
import { uuid } from '@nexus/grpc';
import {
  MEMBER_ROLE_OF_PROTO,
  PRIORITY_OF_PROTO,
  PROJECT_STATUS_OF_PROTO,
  TASK_STATUS_OF_PROTO,
} from './proto-enums';

/** Field schemas shared by the work API's requests, beyond the kit's. */

export { etag, requestId, required, uuid } from '@nexus/grpc';
/** An id a write may clear: "" stores none (null), which is work's reading of an empty id. */
export const optionalUuid = z.union([z.literal(''), uuid]).transform((value) => value || null);

/** A real calendar date "YYYY-MM-DD" in years 0001..9999, or "" for none. */
export const optionalDate = z
  .union([z.literal(''), calendarDate])
  .transform((value) => value || null);

/** A decimal string bound for `column` (see the entities), or "" for none. */
export const optionalDecimal = (column: NumericColumn, rules?: DecimalRules) =>
  z.union([z.literal(''), decimal(column, rules)]).transform((value) => value || null);

/** projects.budget_amount. */
const BUDGET_COLUMN: NumericColumn = { precision: 14, scale: 2 };

export const money = z
  .object({
    amount: decimal(BUDGET_COLUMN),
    currencyCode: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  })
  .optional()
  .transform((value) => value ?? null);

function protoEnum<T>(map: Map<number, T>, names: string) {
  return z.number().transform((value, ctx) => {
    const named = map.get(value);
    if (named === undefined) ctx.addIssue({ code: 'custom', message: `must be one of ${names}` });
    return named as T;
  });
}

/** UNSPECIFIED (0) becomes `fallback` where a default applies. */
function withDefault<T>(schema: z.ZodType<T, number>, fallback: number) {
  return z
    .number()
    .transform((value) => (value === 0 ? fallback : value))
    .pipe(schema);
}

export const projectStatus = protoEnum(
  PROJECT_STATUS_OF_PROTO,
  'PLANNING, ACTIVE, ON_HOLD, COMPLETED, CANCELLED',
);
export const priority = protoEnum(PRIORITY_OF_PROTO, 'LOW, MEDIUM, HIGH, CRITICAL');
export const memberRole = protoEnum(MEMBER_ROLE_OF_PROTO, 'OWNER, MANAGER, MEMBER, VIEWER');
export const taskStatus = protoEnum(
  TASK_STATUS_OF_PROTO,
  'TODO, IN_PROGRESS, IN_REVIEW, BLOCKED, DONE, CANCELLED',
);
export { withDefault };

/** Keeps two dates of a request in order; reports on `field`. */
export function datesInOrder(
  start: string | null | undefined,
  end: string | null | undefined,
): boolean {
  return !start || !end || end >= start;
}
