import { z } from 'zod';

/**
 * Timestamps and calendar dates the platform accepts: what google.protobuf.
 * Timestamp defines as valid (0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999999999Z, 0 <= nanos < 1e9) and PostgreSQL's
 * timestamptz and date store and print back unchanged (years 1 to 9999; the
 * pg driver writes year 0 or below as a string PostgreSQL refuses).
 */

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds. */
export const MIN_TIMESTAMP_SECONDS = -62_135_596_800;
export const MAX_TIMESTAMP_SECONDS = 253_402_300_799;
const MIN_MS = MIN_TIMESTAMP_SECONDS * 1000;
const MAX_MS = MAX_TIMESTAMP_SECONDS * 1000 + 999;
const RANGE = 'must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z';

/** Why a Timestamp's wire fields are not a valid Timestamp, or undefined when they are. */
export function timestampProblem(seconds: bigint, nanos: number): string | undefined {
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999)
    return 'nanos must be 0 to 999999999';
  if (seconds < BigInt(MIN_TIMESTAMP_SECONDS) || seconds > BigInt(MAX_TIMESTAMP_SECONDS))
    return RANGE;
  return undefined;
}

/**
 * A decoded Timestamp (a Date, milliseconds), within years 1 to 9999. The
 * generated code adds nanos to milliseconds in floating point, so the last
 * valid instant (…59.999999999) arrives rounded up to 10000-01-01T00:00:00Z:
 * that one Date is read as the last millisecond of 9999 (a Timestamp beyond
 * it is refused on the wire, before decoding).
 */
export const timestamp = z
  .date({ error: 'must be a valid timestamp' })
  .refine((value) => value.getTime() >= MIN_MS && value.getTime() <= MAX_MS + 1, RANGE)
  .transform((value) => (value.getTime() === MAX_MS + 1 ? new Date(MAX_MS) : value));

/** A real calendar date "YYYY-MM-DD" in years 0001 to 9999. */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isCalendarDate, 'must be a real calendar date in the years 0001 to 9999');

export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}
