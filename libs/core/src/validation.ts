import type { z } from 'zod';
import type { FieldViolation } from './domain-error';
import { KitError } from './kit-error';

/**
 * Parses a request against a zod schema. Every problem becomes a field
 * violation named by its proto field path (snake_case), so the caller sees
 * all bad fields at once, and nothing runs on input that does not parse.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const violations: FieldViolation[] = result.error.issues.map((issue) => ({
    field: issue.path.map((p) => toSnakeCase(String(p))).join('.'),
    description: issue.message,
    reason: issue.code.toUpperCase(),
  }));
  throw KitError.invalid(violations);
}

export function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function toCamelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
