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
    field: fieldPath(issue.path),
    description: issue.message,
    reason: reasonOf(issue),
  }));
  throw KitError.invalid(violations);
}

/** A custom issue's own reason (`params.reason`, e.g. NUL_CHARACTER), else zod's code. */
function reasonOf(issue: z.core.$ZodIssue): string {
  const reason: unknown = issue.code === 'custom' ? issue.params?.reason : undefined;
  return typeof reason === 'string' ? reason : issue.code.toUpperCase();
}

/**
 * `user.full_name`: proto field names in snake_case. A segment that starts
 * with "[" is a spot inside a JSON value (`["a b"][2]`, see jsonObject), kept
 * as it is and appended without a dot.
 */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((joined, segment) => {
    const text = String(segment);
    if (typeof segment === 'string' && text.startsWith('[')) return joined + text;
    return joined ? `${joined}.${toSnakeCase(text)}` : toSnakeCase(text);
  }, '');
}

export function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function toCamelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
