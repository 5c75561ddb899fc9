import { normalizeDecimal } from '@nexus/core';

/** Postgres numeric comes back as "12.50"; the API shows "12.5" ("" for none). */
export function decimalText(value: string | null): string {
  return value === null ? '' : normalizeDecimal(value);
}
