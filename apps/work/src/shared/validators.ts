import { z } from 'zod';
import { isUuid } from '@nexus/core';
import {
  MEMBER_ROLE_OF_PROTO,
  PRIORITY_OF_PROTO,
  PROJECT_STATUS_OF_PROTO,
  TASK_STATUS_OF_PROTO,
} from './proto-enums';

/** Field schemas shared by the work API's requests. */

export const uuid = z.string().refine(isUuid, 'must be a UUID');
/** An optional id: "" means none. */
export const optionalUuid = z.union([z.literal(''), uuid]).transform((value) => value || null);
export const requestId = z.union([z.literal(''), uuid]).transform((value) => value || undefined);
export const etag = z.string().max(64);
export const required = { error: 'is required' };

/** A real calendar date "YYYY-MM-DD" ("" for none). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'must be a real calendar date');
export const optionalDate = z.union([z.literal(''), isoDate]).transform((value) => value || null);

/** A non-negative decimal string with at most 2 fractional digits; never a float. */
export const decimal = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be a decimal number with at most 2 fractional digits')
    .refine((value) => Number(value) <= max, `must be at most ${max}`);
export const optionalDecimal = (max: number) =>
  z.union([z.literal(''), decimal(max)]).transform((value) => value || null);

export const money = z
  .object({
    amount: decimal(999_999_999_999),
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
